"""The benchmark's exports for a tiny city: same bytes again, and the real loader takes them.

The history is the demo city (its own tests load every file of it); what the benchmark
adds is the months after the history and the ingest probe, so those go through the loader
here, and through DuckDB alone as the bench's floors read it: the probe as UTF-8 in a bare
`python -c` (issue 14's floor), and through the `encodings` extension (the old baseline).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import CITY, PROBE, Parameters, arrival, generate
from bench.run import floor_ingest_command
from bench.steps import read_csv_step, to_utf8_step
from warehouse.ingest import ingest
from warehouse.settings import Paths

pytestmark = pytest.mark.integration

TINY = Parameters(years=1, rows=280, ingest_rows=560, first_year=2015)


def test_tiny_city_is_reused_and_its_new_month_and_probe_load(tmp_path: Path, home: Paths) -> None:
    first = generate(tmp_path / "data", TINY)
    again = generate(tmp_path / "data", TINY)
    assert not first.reused and again.reused
    assert again.files == first.files and again.ledger_rows == first.ledger_rows

    city = tmp_path / "data" / CITY
    files = sorted(city.rglob("*.csv"))
    assert {arrival(p.name)[0] for p in files if arrival(p.name)} == {2015, 2016}
    registers = [p for p in files if arrival(p.name) is None]
    next_month = [p for p in files if arrival(p.name) == (2016, 1)]
    assert sorted(p.name for p in next_month) == [
        "huvudbok_201601.csv",
        "lon_201601.csv",
        "sjukfranvaro_201601.csv",
    ]
    # February: the month a whole `tertial run` takes from landing/ on the largest history.
    assert sorted(p.name for p in files if arrival(p.name) == (2016, 2)) == [
        "huvudbok_201602.csv",
        "lon_201602.csv",
        "sjukfranvaro_201602.csv",
    ]
    [probe] = sorted((tmp_path / "data" / PROBE).glob("*.csv"))
    assert probe.name == "huvudbok_201601.csv"
    with pytest.raises(UnicodeDecodeError):
        probe.read_bytes().decode("utf-8")  # Windows-1252, like the finance system's report
    assert first.probe_rows > first.ledger_rows / 13  # the probe is the bigger month

    february = [p for p in files if arrival(p.name) == (2016, 2)]
    results = ingest(home, [*registers, *next_month, *february])
    assert {r.path.name: r.status for r in results} == dict.fromkeys(
        [p.name for p in [*registers, *next_month, *february]], "accepted"
    )

    probe_home = Paths(tmp_path / "probe-home").ensure()
    [*_, loaded] = ingest(probe_home, [*registers, probe])
    assert (loaded.status, loaded.rows) == ("accepted", first.probe_rows)

    # The baseline reads the same file with DuckDB alone: same rows.
    floor = read_csv_step(
        argparse.Namespace(file=str(probe), database=str(tmp_path / "read_csv.duckdb"))
    )
    assert floor["rows"] == first.probe_rows

    # Issue 14's floor: the same rows as UTF-8, read by a bare `python -c` with DuckDB.
    utf8 = tmp_path / "utf8" / probe.name
    to_utf8_step(argparse.Namespace(source=str(probe), target=str(utf8)))
    assert utf8.read_text(encoding="utf-8") == probe.read_text(encoding="cp1252")
    command = floor_ingest_command(sys.executable, utf8, tmp_path / "floor.duckdb")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == {"rows": first.probe_rows}

"""The benchmark's exports for a tiny city: same bytes again, and the real loader takes them.

The history is the demo city (its own tests load every file of it); what the benchmark
adds is the month after the history and the ingest probe, so those go through the loader
here, and through DuckDB's `read_csv` with the encodings extension, as the bench reads it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bench.generate import CITY, PROBE, Parameters, arrival, generate
from bench.steps import read_csv_step
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
    [probe] = sorted((tmp_path / "data" / PROBE).glob("*.csv"))
    assert probe.name == "huvudbok_201601.csv"
    with pytest.raises(UnicodeDecodeError):
        probe.read_bytes().decode("utf-8")  # Windows-1252, like the finance system's report
    assert first.probe_rows > first.ledger_rows / 13  # the probe is the bigger month

    results = ingest(home, [*registers, *next_month])
    assert {r.path.name: r.status for r in results} == dict.fromkeys(
        [p.name for p in [*registers, *next_month]], "accepted"
    )

    probe_home = Paths(tmp_path / "probe-home").ensure()
    [*_, loaded] = ingest(probe_home, [*registers, probe])
    assert (loaded.status, loaded.rows) == ("accepted", first.probe_rows)

    # The baseline reads the same file with DuckDB alone: same rows.
    floor = read_csv_step(
        argparse.Namespace(file=str(probe), database=str(tmp_path / "read_csv.duckdb"))
    )
    assert floor["rows"] == first.probe_rows

"""The CLI's promises: build failures publish nothing, queries are read-only, formats."""

import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import duckdb
import pytest

from tertial.cli import main
from tests.helpers import accepted_batch
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_build_leaves_the_published_snapshot_untouched(
    reference_copy: Paths, capsys
) -> None:
    # A copy of the session's built and published reference home: one failing build
    # here (~40 s) instead of a load, a good build and the failing one.
    home = reference_copy
    before = digest(home.published)

    # Corrupt the log behind the loader's back: a key whose batch does not exist. The dbt
    # tests on the sources must catch it and the build must stop before publishing.
    con = duckdb.connect(str(home.database))
    con.execute("insert into events.supersession_keys values (999, 'huvudbok', '142|201109', 1)")
    con.close()
    assert main(["build"]) == 2
    out, err = capsys.readouterr()
    assert "model" in out and "Published" not in out  # progress per dbt node, no publish
    assert "build failed, nothing was published" in err
    assert digest(home.published) == before


def test_query_formats_and_read_only(servicenamnden_2011: Paths, monkeypatch, capsys) -> None:
    # The session's reference home, read as an analyst reads it (nothing here may write).
    monkeypatch.setenv("TERTIAL_HOME", str(servicenamnden_2011.home))
    sql = "select namnd_code, sum(amount) as amount from fct_ledger group by 1"

    assert main(["query", sql]) == 0
    table = capsys.readouterr().out
    assert "namnd_code" in table and "142" in table and "(1 row)" in table

    assert main(["query", "--format", "csv", sql]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["namnd_code"] == "142"

    assert main(["query", "--format", "json", sql]) == 0
    [obj] = json.loads(capsys.readouterr().out)
    assert obj["amount"] == row["amount"]  # exact decimal text in both, never a float

    assert main(["query", "create table marts.x as select 1"]) == 2
    assert "read-only" in capsys.readouterr().err.lower()


def test_query_without_snapshot_says_what_to_do(home: Paths, capsys) -> None:
    assert main(["query", "select 1"]) == 2
    assert "tertial build" in capsys.readouterr().err


def test_help_documents_the_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for code in ("0    all good", "1    a file was rejected", "2    the build failed", "3    busy"):
        assert code in text, code
    for command in ("run", "build", "ingest", "retract", "replay", "demo"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "3 another run holds the run lock" in capsys.readouterr().out, command


def retractions(home: Paths) -> list[tuple]:
    with duckdb.connect(str(home.database), read_only=True) as con:
        return con.execute("select * from events.retractions order by retraction_id").fetchall()


def test_retract_asks_names_the_file_and_undoes_by_name(reference_copy: Paths, capsys) -> None:
    """Without --yes and without a terminal: refused, nothing written. With --yes: the
    file, keys and rows are named before, the file after; retracting the retraction says
    the batch is back. No build runs (the marts change at the next run), so this costs
    a copy of the reference home and a few CLI calls."""
    home = reference_copy
    leverans1 = accepted_batch(home, "huvudbok_201106_leverans1.csv")
    leverans2 = accepted_batch(home, "huvudbok_201106_leverans2.csv")
    before, log = retractions(home), digest(home.database)

    # The real command line, stdin not a terminal (as in cron or CI): refused in one line.
    refused = subprocess.run(
        [sys.executable, "-m", "tertial.cli", "retract", str(leverans2), "--reason", "fel"],
        env={**os.environ, "TERTIAL_HOME": str(home.home)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("error: not retracted") and "add --yes" in line, line
    assert "huvudbok_201106_leverans2.csv" in refused.stdout  # said what it would do
    assert retractions(home) == before and digest(home.database) == log

    assert main(["retract", str(leverans2), "--reason", "fel export", "--yes"]) == 0
    out = capsys.readouterr().out
    preview, done = out.split("Retraction ", 1)
    assert f"take out batch {leverans2} (huvudbok_201106_leverans2.csv, " in preview
    assert "source huvudbok" in preview and "keys: huvudbok 142|201106" in preview
    # What counts for the key then: the first delivery of the month, by its file.
    assert f"then: batch {leverans1} (huvudbok_201106_leverans1.csv) counts again" in preview
    retraction = int(done.split()[0])
    assert f"batch {leverans2} (huvudbok_201106_leverans2.csv, " in done
    assert "is out of the current state" in done
    [(rid, target, *_)] = retractions(home)[len(before) :]
    assert (rid, target) == (retraction, leverans2)

    assert main(["retract", str(retraction), "--reason", "ångrad", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"Retracting retraction {retraction} (of batch {leverans2})" in out
    assert f"batch {leverans2} (huvudbok_201106_leverans2.csv, " in out
    assert out.rstrip().splitlines()[-2].endswith("is back.")
    assert f" {retraction} is out" not in out

    # Retracting it twice is refused in one line, nothing written.
    count = len(retractions(home))
    assert main(["retract", str(leverans2), "--reason", "igen", "--yes"]) == 0
    assert main(["retract", str(leverans2), "--reason", "igen", "--yes"]) == 2
    assert "already retracted" in capsys.readouterr().err
    assert len(retractions(home)) == count + 1


def test_history_and_explain_say_what_there_is(
    servicenamnden_2011: Paths, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("TERTIAL_HOME", str(servicenamnden_2011.home))
    with duckdb.connect(str(servicenamnden_2011.published_events), read_only=True) as con:
        sources = [
            s
            for (s,) in con.execute(
                "select distinct source from events.supersession_keys"
            ).fetchall()
        ]

    assert main(["history", "nosuch", "142", "201106"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "no source 'nosuch'" in line and "look like none" not in line
    for source in sources:
        assert f"{source} (" in line, source
    assert "huvudbok (namnd|period, e.g. 142 2011" in line  # the key's shape, as typed

    assert main(["history", "huvudbok", "142", "209901"]) == 2
    line = capsys.readouterr().err
    assert "huvudbok keys are namnd|period, e.g. 142 2011" in line

    assert main(["explain", "dim_namnd"]) == 2
    line = capsys.readouterr().err
    assert "a dimension" in line and "report mart" not in line
    assert main(["explain", "rpt_budget_followup"]) == 2
    assert "a report mart" in capsys.readouterr().err

"""The CLI's promises: build failures publish nothing, queries are read-only, formats."""

import csv
import hashlib
import io
import json

import duckdb
import pytest

from tertial.cli import main
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

"""Analysts' SQL reads the published marts and nothing else (issue 12, point 1).

One published home per module: the two registers and one ledger month of
servicenamnden-2011, ingested and built through the real CLI. Every attack of the issue
goes through `tertial query` and `tertial explain --where` (tertial.cli.main): each is
refused with exit code 2 and one line on stderr, the working database and the published
files stay byte for byte as they were and no file appears under the home or at the
target. The connections themselves refuse the same statements when the guard is
bypassed (defence in depth). Ordinary queries still answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tertial.cli import _connect_for, main
from tests.conftest import ledger_files
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

MONTH = "huvudbok_201107.csv"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A home with the registers and July 2011 ingested, built and published."""
    home = paths(tmp_path_factory.mktemp("query-security") / "home")
    assert main(["--home", str(home.home), "ingest", *map(str, ledger_files(MONTH))]) == 0
    assert main(["--home", str(home.home), "build"]) == 0
    assert home.published.exists() and home.published_events.exists()
    return home


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where attacks try to write, outside the home: an empty folder of our own."""
    return tmp_path_factory.mktemp("outside")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state(home: Paths) -> dict[str, str]:
    """Every file under the home with its content hash (the working database included)."""
    return {
        str(p.relative_to(home.home)): sha256(p)
        for p in sorted(home.home.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def unchanged(published: Paths, outside: Path) -> Iterator[dict[str, Path]]:
    """Asserts after the test: no file under the home changed or appeared, none outside."""
    targets = {"tmp": Path(f"/tmp/tertial-attack-{uuid.uuid4().hex}")}
    before = state(published)
    assert before["warehouse/tertial.duckdb"] and before["published/tertial.duckdb"]
    yield targets
    assert state(published) == before
    assert list(outside.iterdir()) == []
    for target in targets.values():
        assert not target.exists() and not target.with_suffix(".csv").exists()


def run(home: Paths, *argv: str, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = main(["--home", str(home.home), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_refused(code: int, out: str, err: str) -> str:
    assert code == 2, (code, out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


def query_attacks(home: Paths, outside: Path, tmp: Path) -> dict[str, str]:
    """The issue's attacks on `tertial query`, by name."""
    work, snapshot, log = home.database, home.published, home.published_events
    return {
        "attach the working database read-write": f"attach '{work}' as w",
        "attach it and forge a retraction": (
            f"attach '{work}' as w; insert into w.events.retractions "
            "select 999, 3, 'forged', now(), 'mallory', 'tertial retract 3'"
        ),
        "attach it read-only": f"attach '{work}' as w (read_only)",
        "overwrite the event log by COPY": f"copy (select 1) to '{work}'",
        "overwrite the snapshot by COPY": f"copy (select 1) to '{snapshot}'",
        "overwrite the published log by COPY": f"copy (select 1) to '{log}'",
        "COPY a mart to /tmp": f"copy (select * from fct_ledger) to '{tmp}.csv'",
        "COPY a mart outside": f"copy fct_ledger to '{outside / 'x.csv'}' (header)",
        "read_csv /etc/passwd": "select * from read_csv('/etc/passwd')",
        "read_csv_auto /etc/passwd": "select * from read_csv_auto('/etc/passwd')",
        "read_text /etc/passwd": "select * from read_text('/etc/passwd')",
        "read_blob the working database": f"select * from read_blob('{work}')",
        "glob the home": f"select * from glob('{home.home}/**')",
        "read_parquet": f"select * from read_parquet('{outside / 'x.parquet'}')",
        "read_json": "select * from read_json('/etc/passwd')",
        "a file as a table": "select * from '/etc/passwd'",
        "read_csv in a subquery": (
            "select * from fct_ledger where batch_id in "
            "(select length(column0) from read_csv('/etc/passwd'))"
        ),
        "INSTALL": "install httpfs",
        "LOAD": "load httpfs",
        "SET external access back on": "set enable_external_access = true",
        "RESET the lock": "reset lock_configuration",
        "EXPORT DATABASE": f"export database '{tmp}'",
        "a second statement that drops": "select 1; drop table marts.fct_ledger",
        "a second statement that attaches": f"select 1; attach '{work}' as w",
        "CREATE in the snapshot": "create table marts.x as select 1",
        "INSERT into a mart": "insert into fct_ledger select * from fct_ledger",
        "DELETE from meta": "delete from meta.batches",
        "DETACH": "detach tertial",
        "CHECKPOINT": "checkpoint",
        "CALL": "call checkpoint()",
        "PRAGMA that writes": f"pragma profiling_output = '{tmp}'",
        "query() runs SQL text": f"select * from query('select * from read_text(''{work}'')')",
    }


ATTACK_NAMES = list(query_attacks(paths("/h"), Path("/o"), Path("/t")))


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_query_refuses_every_attack(
    published: Paths,
    outside: Path,
    unchanged: dict[str, Path],
    name: str,
    capsys: pytest.CaptureFixture,
) -> None:
    sql = query_attacks(published, outside, unchanged["tmp"])[name]
    assert_refused(*run(published, "query", sql, capsys=capsys))


def test_an_attack_as_of_a_moment_is_refused_too(
    published: Paths, outside: Path, capsys: pytest.CaptureFixture
) -> None:
    # The as-of build (its own cache under asof/, a dbt run) comes first; then nothing.
    now = dt.datetime.now(dt.UTC).isoformat()
    sql = "select count(*) as lines, sum(amount) as amount from fct_ledger"
    code, out, err = run(published, "query", "--as-of", now, "--format", "json", sql, capsys=capsys)
    assert code == 0, err
    code, today, err = run(published, "query", "--format", "json", sql, capsys=capsys)
    assert code == 0, err
    assert json.loads(out) == json.loads(today)
    before = state(published)
    tmp = Path(f"/tmp/tertial-attack-{uuid.uuid4().hex}")
    for sql in query_attacks(published, outside, tmp).values():
        assert_refused(*run(published, "query", "--as-of", now, sql, capsys=capsys))
    assert state(published) == before
    assert not tmp.exists() and not tmp.with_suffix(".csv").exists()
    assert list(outside.iterdir()) == []


WHERE_ATTACKS = {
    "a statement after it": "1=1; attach '{work}' as w",
    "a forged retraction after it": (
        "true; attach '{work}' as w; insert into w.events.retractions select 999, 3, 'x', "
        "now(), 'x', 'x'"
    ),
    "a union that closes the parenthesis": "true) union select 1, 2 --",
    "a union in parentheses": "true) union (select 1, 2",
    "read_csv in a subquery": "batch_id in (select 1 from read_csv('/etc/passwd'))",
    "read_text as a value": "read_text('/etc/passwd') is not null",
    "exists over the log": "exists (select * from event_log.events.batches)",
    "copy": "true) to '{tmp}' (format csv",
    "empty": "",
}


@pytest.mark.parametrize("name", list(WHERE_ATTACKS))
def test_explain_where_refuses_every_attack(
    published: Paths, unchanged: dict[str, Path], name: str, capsys: pytest.CaptureFixture
) -> None:
    where = WHERE_ATTACKS[name].format(work=published.database, tmp=unchanged["tmp"])
    assert_refused(*run(published, "explain", "fct_ledger", "--where", where, capsys=capsys))


DEFENCE = [
    "attach '{work}' as w",
    "attach '{work}' as w (read_only)",
    "copy (select 1) to '{work}'",
    "copy (select 1) to '{tmp}.csv'",
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/passwd')",
    "select * from read_blob('{work}')",
    "select * from glob('/etc/*')",
    "select * from read_parquet('{tmp}.parquet')",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "reset enable_external_access",
    "set lock_configuration = false",
    "set allowed_directories = ['/']",
    "set temp_directory = '{tmp}'",
    "pragma profiling_output = '{tmp}'",
    "export database '{tmp}'",
    "create table marts.x as select 1",
    "insert into marts.fct_ledger select * from marts.fct_ledger",
    "drop table marts.fct_ledger",
]


@pytest.mark.parametrize("with_log", [False, True], ids=["query", "explain"])
def test_the_connection_refuses_them_without_the_guard(
    published: Paths, unchanged: dict[str, Path], with_log: bool
) -> None:
    """Defence in depth: what the guard would refuse, DuckDB refuses on its own."""
    with _connect_for(published, None, event_log=with_log) as con:
        for sql in DEFENCE:
            statement = sql.format(work=published.database, tmp=unchanged["tmp"])
            with pytest.raises(duckdb.Error):
                con.execute(statement)
                pytest.fail(f"not refused: {statement}")
        settings = dict(
            con.execute(
                "select name, value from duckdb_settings() "
                "where name in ('enable_external_access', 'lock_configuration')"
            ).fetchall()
        )
        assert settings == {"enable_external_access": "false", "lock_configuration": "true"}


@pytest.mark.parametrize("sql", ["", "   ", "-- nothing but a comment", "/* nor this */", ";"])
def test_an_empty_query_is_one_clean_line(
    published: Paths, unchanged: dict[str, Path], sql: str, capsys: pytest.CaptureFixture
) -> None:
    line = assert_refused(*run(published, "query", sql, capsys=capsys))
    assert "empty query" in line


def test_ordinary_queries_answer(published: Paths, capsys: pytest.CaptureFixture) -> None:
    # The expected answers, read from the snapshot by a plain read-only connection.
    with duckdb.connect(str(published.published), read_only=True) as con:
        expected_sum = con.execute(
            "select sum(amount) from marts.fct_ledger where namnd_code = '142'"
        ).fetchone()[0]
        expected_lines = con.execute("select count(*) from marts.fct_ledger").fetchone()[0]
    assert isinstance(expected_sum, Decimal) and expected_lines > 0

    joined = """
        select n.namnd_code, n.namnd_name, p.year, count(*) as lines, sum(f.amount) as amount
        from fct_ledger f
        join dim_namnd n on n.namnd_key = f.namnd_key and n.is_current
        join dim_period p using (period_key)
        join dim_konto k using (konto_key)
        group by all order by all
    """
    code, out, err = run(published, "query", "--format", "json", joined, capsys=capsys)
    assert code == 0, err
    [row] = json.loads(out)
    assert row["namnd_code"] == "142" and row["year"] == 2011
    assert row["lines"] == expected_lines
    assert Decimal(row["amount"]) == expected_sum

    code, out, err = run(
        published,
        "query",
        "--format",
        "csv",
        "select batch_id, source, file_name, status from meta.batches order by batch_id",
        capsys=capsys,
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["source"], r["status"]) for r in rows] == [
        ("organisation", "accepted"),
        ("verksamheter", "accepted"),
        ("huvudbok", "accepted"),
    ]
    assert rows[-1]["file_name"] == MONTH

    # A negative amount stays a number in CSV; only text that starts a formula is quoted.
    code, out, err = run(
        published,
        "query",
        "--format",
        "csv",
        "select min(amount) as amount, '=HYPERLINK(\"x\")' as text from fct_ledger",
        capsys=capsys,
    )
    assert code == 0, err
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["amount"].startswith("-") and Decimal(row["amount"]) < 0
    assert row["text"] == '\'=HYPERLINK("x")'

    for sql in ("describe fct_ledger", "show tables", "explain select count(*) from fct_ledger"):
        code, out, err = run(published, "query", sql, capsys=capsys)
        assert code == 0, (sql, err)
        assert out and not err


def test_explain_and_history_answer(published: Paths, capsys: pytest.CaptureFixture) -> None:
    where = "namnd_code = '142' and period = 201107"
    code, out, err = run(
        published, "explain", "fct_ledger", "--where", where, "--format", "json", capsys=capsys
    )
    assert code == 0, err
    [batch] = json.loads(out)
    assert batch["file_name"] == MONTH and batch["keys"] == "142|201107"
    assert batch["mart_rows"] > 0

    code, out, err = run(published, "explain", "fct_ledger", "--where", "period = 1", capsys=capsys)
    assert code == 0, err
    assert "(0 rows)" in out

    code, out, err = run(published, "history", "huvudbok", "142", "201107", capsys=capsys)
    assert code == 0, err
    assert MONTH in out and "current" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "--as-of", "0001-01-01T00:00:00", "select 1"],
        ["explain", "fct_ledger", "--as-of", "0001-01-01T00:00:00"],
        ["history", "huvudbok", "142", "201107", "--as-of", "0001-01-01T00:00:00"],
        ["query", "--as-of", "9999-12-31T23:59:59-05:00", "select 1"],
        ["query", "--as-of", "igår", "select 1"],
        ["query", "select nothing_at_all from fct_ledger"],
        ["query", "selec 1"],
        ["explain", "no_such_mart"],
        ["explain", "rpt_budget_followup_mnkr"],
        ["explain", "fct_ledger", "--where", "no_such_column = 1"],
        ["history", "huvudbok", "999", "209901"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_mistakes_are_one_clean_line(
    published: Paths, unchanged: dict[str, Path], argv: list[str], capsys: pytest.CaptureFixture
) -> None:
    assert_refused(*run(published, *argv, capsys=capsys))


def test_a_missing_or_broken_snapshot_says_what_to_do(
    published: Paths, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    empty = paths(tmp_path / "empty").ensure()
    for argv in (["query", "select 1"], ["explain", "fct_ledger"], ["history", "huvudbok", "1"]):
        line = assert_refused(*run(empty, *argv, capsys=capsys))
        assert "tertial build" in line, line

    broken = paths(tmp_path / "broken").ensure()
    shutil.copy(published.published_events, broken.published_events)
    broken.published.write_bytes(b"not a database, only a few bytes of text\n" * 100)
    for argv in (["query", "select 1"], ["explain", "fct_ledger"]):
        line = assert_refused(*run(broken, *argv, capsys=capsys))
        assert "tertial build" in line, line
    broken.published_events.unlink()
    broken.published_events.write_bytes(b"\0" * 8192)
    line = assert_refused(*run(broken, "history", "huvudbok", "142", "201107", capsys=capsys))
    assert "tertial build" in line, line


def test_read_commands_load_no_heavy_library(published: Paths, tmp_path: Path) -> None:
    """`query` (also `--format xlsx`), `status`, `history` and `explain` start in a fraction
    of a second: they never import pandas/NumPy (a bound SQL parameter would), pyarrow,
    Great Expectations, dbt, Dagster or Polars. One fresh process runs them all, then
    lists what it loaded."""
    script = """
import sys
from tertial.cli import main
codes = [
    main(["query", "select count(*) from fct_ledger"]),
    main(["status"]),
    main(["history", "huvudbok", "142", "201107"]),
    main(["explain", "fct_ledger", "--where", "period = 201107"]),
    main(["query", "select * from fct_ledger", "--format", "xlsx", "--out", sys.argv[1]]),
]
heavy = ("pandas", "numpy", "pyarrow", "great_expectations", "dbt", "dagster", "polars")
print("RESULT", codes, [m for m in heavy if m in sys.modules])
"""
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "svar.xlsx")],
        env={**os.environ, "TERTIAL_HOME": str(published.home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    [line] = [x for x in result.stdout.splitlines() if x.startswith("RESULT")]
    assert line == "RESULT [0, 0, 0, 0, 0] []", result.stdout[-2000:] + result.stderr[-2000:]

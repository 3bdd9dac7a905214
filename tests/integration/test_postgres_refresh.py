"""The marts in PostgreSQL: the same rows as the snapshot, swapped in atomically after a publish.

A real server (the `pg_server` fixture, what `tertial serve start` runs) and the reference
home's real snapshot; this module works in a database of its own (`tertial_refresh`), so
the other modules' `tertial` database is left alone.
"""

from __future__ import annotations

import shutil
import threading
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from tests.helpers import published_descriptions
from warehouse.comments import label, normalised
from warehouse.postgres import refresh as refresh_module
from warehouse.postgres.access import READ_ROLE, grant_board, revoke
from warehouse.postgres.refresh import RefreshFailed, refresh
from warehouse.postgres.server import LocalServer
from warehouse.settings import Paths, paths

pytestmark = pytest.mark.integration

DATABASE = "tertial_refresh"
READER, READER_PASSWORD = "refresh_test_reader", "refresh-test-reader-password"
DESCRIPTIONS = published_descriptions()
# Three answers in one statement: a mix of old and new tables would give a triple that is
# neither snapshot's (the second snapshot changes fct_ledger and dim_namnd both).
ANSWER = """
select (select count(*) from marts.fct_ledger),
       (select sum(amount) from marts.fct_ledger),
       (select count(*) from marts.fct_ledger l
        join marts.dim_namnd n on n.namnd_key = l.namnd_key
        where n.namnd_name like '%(B)')
"""

# The same triple with `dim_namnd` named (and locked) before `fct_ledger`: the swap must
# not deadlock readers whatever order they lock the tables in.
ANSWER_DIMENSION_FIRST = """
select ledger_rows, amount, renamed from (
    select (select count(*) from marts.dim_namnd n
            join marts.fct_ledger l on n.namnd_key = l.namnd_key
            where n.namnd_name like '%(B)') as renamed,
           (select count(*) from marts.fct_ledger) as ledger_rows,
           (select sum(amount) from marts.fct_ledger) as amount
) as answer
"""


@pytest.fixture(scope="module")
def dsn(pg_server: LocalServer, servicenamnden_2011: Paths) -> str:
    """The loader's DSN to this module's database, with the reference snapshot served and
    a login in `tertial_read` (created by the first refresh) to read it as a BI tool."""
    with psycopg.connect(pg_server.loader_dsn("postgres"), autocommit=True) as con:
        con.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(DATABASE)))
        con.execute(sql.SQL("create database {}").format(sql.Identifier(DATABASE)))
    loader = pg_server.loader_dsn(DATABASE)
    refresh(servicenamnden_2011.published, loader)
    with psycopg.connect(loader, autocommit=True) as con:
        con.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(READER)))
        con.execute(
            sql.SQL("create role {} login password {} in role {}").format(
                sql.Identifier(READER), sql.Literal(READER_PASSWORD), sql.Identifier(READ_ROLE)
            )
        )
    return loader


@pytest.fixture(scope="module")
def reader_dsn(pg_server: LocalServer, dsn: str) -> str:
    return pg_server.reader_dsn(READER, READER_PASSWORD, DATABASE)


@pytest.fixture(scope="module")
def changed_snapshot(servicenamnden_2011: Paths, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference snapshot with one ledger amount changed, one ledger row gone, board
    142 renamed, and Swedish comments on a table and a column."""
    copy = tmp_path_factory.mktemp("changed") / "tertial.duckdb"
    shutil.copyfile(servicenamnden_2011.published, copy)
    copy.chmod(0o644)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update marts.fct_ledger set amount = amount + 1000.01 "
            "where rowid = (select min(rowid) from marts.fct_ledger)"
        )
        con.execute(
            "delete from marts.fct_ledger where rowid = (select max(rowid) from marts.fct_ledger)"
        )
        con.execute(
            "update marts.dim_namnd set namnd_name = namnd_name || ' (B)' where namnd_code = '142'"
        )
        con.execute("comment on table marts.fct_ledger is 'Huvudbok: utfall per månad'")
        con.execute("comment on column marts.fct_ledger.amount is 'Belopp (kr), kostnad positiv'")
    return copy


def answer_of(snapshot: Path) -> tuple:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(ANSWER).fetchone()


def pg_answer(dsn: str) -> tuple:
    with psycopg.connect(dsn) as con:
        return con.execute(ANSWER).fetchone()


def loading_schemas(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as con:
        rows = con.execute(
            "select nspname from pg_namespace where nspname like '%\\_\\_loading\\_%'"
        ).fetchall()
    return [name for (name,) in rows]


# -- (a) the same rows, the same types ---------------------------------------------------


def _duckdb_text(column: str, kind: str) -> str:
    """One column as text in DuckDB, written the way `_pg_text` writes it in PostgreSQL."""
    quoted = f'"{column}"'
    if kind.endswith("[]"):
        text = f"to_json({quoted})::varchar"
    elif kind == "TIMESTAMP WITH TIME ZONE":
        text = f"epoch_us({quoted})::varchar"
    else:  # DECIMAL(18,2) '-12.50' both sides; booleans 'true'; dates ISO
        text = f"{quoted}::varchar"
    return f"coalesce({text}, '<null>')"


def _pg_text(column: str, kind: str) -> str:
    quoted = f'"{column}"'
    if kind.endswith("[]"):
        text = f"to_json({quoted})::text"
    elif kind == "TIMESTAMP WITH TIME ZONE":
        text = f"((extract(epoch from {quoted}) * 1000000)::bigint)::text"
    else:
        text = f"{quoted}::text"
    return f"coalesce({text}, '<null>')"


def _hash_sql(table: str, columns: list[tuple[str, str]], text, collate: str) -> str:
    row = "concat_ws(chr(31), " + ", ".join(text(c, k) for c, k in columns) + ")"
    return (
        f"select count(*), md5(coalesce(string_agg(r, chr(30) order by r{collate}), '')) "
        f"from (select {row} as r from {table}) as t"
    )


def test_every_table_has_the_same_rows_in_postgresql_as_in_the_snapshot(
    servicenamnden_2011: Paths, dsn: str
) -> None:
    snapshot = servicenamnden_2011.published
    with duckdb.connect(str(snapshot), read_only=True) as duck:
        columns: dict[str, list[tuple[str, str]]] = {}
        for schema, table, column, kind in duck.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where schema_name in ('marts', 'meta') order by schema_name, table_name, "
            "column_index"
        ).fetchall():
            columns.setdefault(f'"{schema}"."{table}"', []).append((column, kind))
        expected = {
            table: duck.execute(_hash_sql(table, cols, _duckdb_text, "")).fetchone()
            for table, cols in columns.items()
        }
    with psycopg.connect(dsn) as pg:
        served = {
            f'"{s}"."{t}"'
            for s, t in pg.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('marts', 'meta')"
            ).fetchall()
        }
        got = {
            table: pg.execute(_hash_sql(table, cols, _pg_text, ' collate "C"')).fetchone()
            for table, cols in columns.items()
        }
    assert served == set(columns)
    assert len(columns) > 15
    assert got == expected
    assert all(got[t][0] > 0 for t in got if t.startswith('"marts"."fct_'))


def test_types_map_exactly(dsn: str) -> None:
    with psycopg.connect(dsn) as pg:
        types = dict(
            pg.execute(
                "select table_name || '.' || column_name, "
                "format_type(atttypid, atttypmod) from information_schema.columns c "
                "join pg_attribute a on a.attrelid = (quote_ident(table_schema) || '.' || "
                "quote_ident(table_name))::regclass and a.attname = c.column_name "
                "where table_schema = 'marts'"
            ).fetchall()
        )
    assert types["fct_ledger.amount"] == "numeric(18,2)"
    assert types["fct_payroll.fte"] == "numeric(18,4)"
    assert types["rpt_budget_followup_mnkr.booked_ytd"] == "numeric(18,1)"
    assert types["dim_namnd.successor_codes"] == "text[]"
    assert types["fct_ledger.recorded_at"] == "timestamp with time zone"
    assert types["dim_namnd.valid_from"] == "date"
    assert types["dim_namnd.is_current"] == "boolean"
    assert types["fct_ledger.namnd_code"] == "text"


def test_each_board_login_sees_only_its_board_and_no_reader_writes(
    servicenamnden_2011: Paths, pg_server: LocalServer, dsn: str, reader_dsn: str
) -> None:
    """After the reference folder's run: a login of board 142 sees exactly 142's rows of
    every board-scoped mart, one of board 101 none of them, `tertial_read` every row (row-
    level security of warehouse/postgres/access.py, applied by the refresh before its swap)."""
    with duckdb.connect(str(servicenamnden_2011.published), read_only=True) as duck:
        scoped = [
            f"{schema}.{table}"
            for schema, table in duck.execute(
                "select schema_name, table_name from duckdb_columns() "
                "where schema_name = 'marts' and column_name = 'namnd_code' order by all"
            ).fetchall()
        ]
        counts = {
            table: duck.execute(
                f"select count(*), count(*) filter (where namnd_code = '142'), "
                f"count(*) filter (where namnd_code = '101') from {table}"
            ).fetchone()
            for table in scoped
        }
    assert len(scoped) >= 12 and all(c[1] > 0 for t, c in counts.items() if ".fct_" in t)
    with psycopg.connect(dsn, autocommit=True) as loader:
        logins = {"rls_board_142": grant_board(loader, "rls_board_142", ["142"]),
                  "rls_board_101": grant_board(loader, "rls_board_101", ["101"])}  # fmt: skip
    try:
        seen: dict[str, dict[str, tuple]] = {}
        for login, password in logins.items():
            assert password
            with psycopg.connect(pg_server.reader_dsn(login, password, DATABASE)) as pg:
                seen[login] = {
                    table: pg.execute(
                        f"select count(*), count(*) filter (where namnd_code = '142') from {table}"
                    ).fetchone()
                    for table in scoped
                }
                for statement in (
                    "delete from marts.fct_ledger",
                    "update marts.dim_namnd set namnd_name = 'x'",
                    "insert into marts.dim_period (period_key) values (1)",
                    "truncate marts.rpt_budget_followup",
                    "create table marts.mine (n int)",
                    "create temporary table mine (n int)",
                ):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        pg.execute(statement)
                    pg.rollback()
        with psycopg.connect(reader_dsn) as pg:
            everything = {t: pg.execute(f"select count(*) from {t}").fetchone() for t in scoped}
    finally:
        with psycopg.connect(dsn, autocommit=True) as loader:
            for login in logins:
                revoke(loader, login)
    assert seen["rls_board_142"] == {t: (c[1], c[1]) for t, c in counts.items()}
    assert seen["rls_board_101"] == {t: (c[2], 0) for t, c in counts.items()}
    assert everything == {t: (c[0],) for t, c in counts.items()}


def test_a_bi_tool_reads_the_swedish_label_of_every_column_from_postgresql(
    reader_dsn: str,
) -> None:
    """What Superset or Metabase reflect through SQLAlchemy (psycopg): every table's and
    column's comment, the same text as in the DuckDB snapshot (test_bi_sqlalchemy.py)."""
    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(reader_dsn))
    try:
        inspector = sa.inspect(engine)
        seen = set()
        for schema in ("marts", "meta"):
            for table in inspector.get_table_names(schema=schema):
                key = table if schema == "marts" else f"meta.{table}"
                description, columns = DESCRIPTIONS[key]
                assert inspector.get_table_comment(table, schema=schema)["text"] == normalised(
                    description
                )
                reflected = inspector.get_columns(table, schema=schema)
                assert [c["name"] for c in reflected] == list(columns), key
                for column in reflected:
                    assert column["comment"] == normalised(columns[column["name"]]), key
                    assert label(column["comment"]), (key, column["name"])
                seen.add(key)
        codes = {c["name"]: c for c in inspector.get_columns("dim_namnd", schema="marts")}
        amount = {c["name"]: c for c in inspector.get_columns("fct_ledger", schema="marts")}
    finally:
        engine.dispose()
    assert seen == set(DESCRIPTIONS)
    assert isinstance(codes["successor_codes"]["type"], sa.ARRAY)
    assert (amount["amount"]["type"].precision, amount["amount"]["type"].scale) == (18, 2)


def test_the_reports_figures_come_back_from_postgresql(reader_dsn: str) -> None:
    """expected.md, budget follow-up through August 2011 (mnkr), read by a reader login."""
    with psycopg.connect(reader_dsn) as pg:
        rows = pg.execute(
            "select coalesce(verksamhet_code, slag), slag, adjusted_budget, booked_ytd, "
            "forecast, deviation, previous_year_outcome from marts.rpt_budget_followup_mnkr "
            "where namnd_code = '142' and through_period = 201108 "
            "and (verksamhet_code = '240' or is_total)"
        ).fetchall()
    figures = {(code if slag != "Netto" else "Netto", slag): rest for code, slag, *rest in rows}
    D = Decimal
    assert figures["240", "Kostnader"] == [D("42.8"), D("27.2"), D("42.3"), D("0.5"), D("41.6")]
    assert figures["Netto", "Netto"] == [D("0.0"), D("2.6"), D("-2.0"), D("-2.0"), D("-13.3")]


# -- (b) readers during refreshes ----------------------------------------------------------


def test_readers_see_the_old_marts_or_the_new_never_a_mix_never_an_error(
    servicenamnden_2011: Paths, dsn: str, reader_dsn: str, changed_snapshot: Path
) -> None:
    old, new = answer_of(servicenamnden_2011.published), answer_of(changed_snapshot)
    assert old != new and new[2] > 0 and old[2] == 0
    answers: list[tuple] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read(query: str) -> None:
        try:
            # Prepared after 5 runs (psycopg's default): cached plans must follow the swap.
            with psycopg.connect(reader_dsn) as con:
                while not stop.is_set():
                    answers.append(con.execute(query).fetchone())
                    con.commit()
        except BaseException as exc:  # every error is a failure of the test
            errors.append(exc)

    readers = [
        threading.Thread(target=read, args=[query])
        for query in (ANSWER, ANSWER_DIMENSION_FIRST, ANSWER, ANSWER_DIMENSION_FIRST)
    ]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 30
        while len(answers) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        refresh(changed_snapshot, dsn)
        # The changed snapshot's Swedish comments came along.
        with psycopg.connect(dsn) as pg:
            comments = pg.execute(
                "select obj_description('marts.fct_ledger'::regclass), "
                "col_description('marts.fct_ledger'::regclass, 9)"
            ).fetchone()
        refresh(servicenamnden_2011.published, dsn)  # and back: the next tests read it
        seen = len(answers)
        while len(answers) < seen + 8 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert set(answers) <= {old, new}, set(answers) - {old, new}
    assert answers[-1] == old and new in answers and len(answers) > 20
    assert comments == ("Huvudbok: utfall per månad", "Belopp (kr), kostnad positiv")


# -- (c) a failed load ---------------------------------------------------------------------


def test_a_failed_load_leaves_the_old_marts_and_nothing_half_built(
    servicenamnden_2011: Paths, dsn: str, tmp_path: Path
) -> None:
    before = pg_answer(dsn)
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a DuckDB file" * 1000)
    with pytest.raises(RefreshFailed, match="cannot read the snapshot"):
        refresh(broken, dsn)
    # Half-way: the marts load, then meta.batches fails (PostgreSQL's text takes no NUL).
    bad = tmp_path / "bad.duckdb"
    shutil.copyfile(servicenamnden_2011.published, bad)
    bad.chmod(0o644)
    with duckdb.connect(str(bad)) as con:
        con.execute(
            "update meta.batches set reason = 'broken' || chr(0) "
            "where batch_id = (select min(batch_id) from meta.batches)"
        )
    with pytest.raises(RefreshFailed):
        refresh(bad, dsn)
    assert pg_answer(dsn) == before
    assert loading_schemas(dsn) == []


def test_a_reader_holding_the_marts_too_long_fails_the_refresh_not_the_readers(
    servicenamnden_2011: Paths, dsn: str, reader_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresh_module, "SWAP_SECONDS", 1.0)
    with psycopg.connect(reader_dsn) as long_reader:  # a BI tool's open transaction
        long_reader.execute("select count(*) from marts.fct_ledger").fetchone()
        with pytest.raises(RefreshFailed, match="kept the marts locked"):
            refresh(servicenamnden_2011.published, dsn)
        assert long_reader.execute(ANSWER).fetchone() == answer_of(servicenamnden_2011.published)
    assert loading_schemas(dsn) == []
    refresh(servicenamnden_2011.published, dsn)  # the reader gone, the next one swaps


# -- (d) after every publish -----------------------------------------------------------------


def test_a_publish_refreshes_postgresql_and_its_failure_keeps_the_snapshot(
    servicenamnden_2011: Paths, dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tertial.cli import _failure
    from warehouse.pipeline import publish_all

    home = paths(tmp_path / "home").ensure()
    shutil.copytree(servicenamnden_2011.database.parent, home.database.parent, dirs_exist_ok=True)
    said: list[str] = []
    monkeypatch.setenv(refresh_module.DSN_ENV, dsn)
    published = publish_all(home, said.append)
    with psycopg.connect(dsn) as pg:
        [(served_at,)] = pg.execute("select published_at from meta.publication").fetchall()
    assert served_at == published.published_at
    assert any(line.startswith("Refreshed PostgreSQL: 31 tables") for line in said), said
    # What it refreshed comes back with the publish (the Dagster asset's metadata).
    refreshed = published.refreshed
    assert refreshed is not None and len(refreshed.tables) == 31
    with psycopg.connect(dsn) as pg:
        served = sum(
            pg.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(*name.split(".")))
            ).fetchone()[0]  # type: ignore[index]
            for name in refreshed.tables
        )
    assert refreshed.rows == served > 0

    # A server that cannot be reached: the snapshot is published all the same.
    monkeypatch.setenv(refresh_module.DSN_ENV, f"host={tmp_path} port=1 dbname=nowhere")
    with pytest.raises(RefreshFailed, match="the snapshot is published") as failed:
        publish_all(home)
    with duckdb.connect(str(home.published), read_only=True) as con:
        [(now_published,)] = con.execute("select published_at from meta.publication").fetchall()
    assert now_published > published.published_at
    code, line = _failure(home, failed.value)
    assert code == 2 and "\n" not in line and "still serves the previous marts" in line
    assert pg_answer(dsn) == answer_of(servicenamnden_2011.published)


def test_serve_status_says_when_no_server_runs(home: Paths, capsys: pytest.CaptureFixture) -> None:
    from tertial.cli import main

    assert main(["--home", str(home.home), "serve", "status"]) == 0
    assert "PostgreSQL is not running" in capsys.readouterr().out

"""The marts in PostgreSQL, refreshed from each published snapshot and swapped in atomically.

After every publish (warehouse/pipeline.py `publish_all`) the tables of the snapshot's
`marts` and `meta` schemas are loaded into fresh schemas (`marts__loading_<n>`,
`meta__loading_<n>`) that no reader knows, then swapped in by renames in one transaction.
A dashboard's statement sees the old marts or the new, never a mix and never "relation
does not exist"; a failed load drops what it built and leaves the old schemas serving.

Why readers never see a mix: a statement resolves its tables one after the other while
it is parsed. Renames alone would let a join resolve `fct_ledger` before the commit (old)
and `dim_namnd` after (new). So the swap first takes ACCESS EXCLUSIVE locks on every old
table: a statement that already holds one of them (it is running) finishes first; one that
arrives meanwhile waits on the old table, and when the swap commits PostgreSQL sees the
catalog changed and resolves the name again, to the new table. Readers wait for the few
milliseconds of the swap, not for the load.

The locks are taken one table after another, and a reader takes its tables one after
another too, in its own order: the swap holding `dim_namnd` and waiting for `fct_ledger`
while a reader holds `fct_ledger` and waits for `dim_namnd` is a deadlock, which
PostgreSQL breaks after `deadlock_timeout` (1 s by default) by cancelling one of the two,
and that was the reader (4 of 4 readers cancelled in our test before this was fixed). So
each attempt waits at most `LOCK_TIMEOUT` (0.5 s, under the readers' 1 s) and runs its own
deadlock check after `DEADLOCK_TIMEOUT` (50 ms): the swap always gives up first, releases
what it holds, pauses and tries again (the table it waited for first: `_swap`), for up to
`SWAP_SECONDS`. A long reader (a long query, or a BI tool's open transaction that read the
marts) holds its locks until it ends: after `SWAP_SECONDS` the refresh fails with
`RefreshFailed` (the old marts keep serving, the next publish tries again). The old
schemas are dropped after the commit the same way, and left for the next refresh to drop
if a reader still holds them.

How the rows travel, measured on the 10-year benchmark's marts (19 tables, 1.14 M rows,
663 k of them in fct_ledger; 2 cores shared with other work, load average 4-9; PostgreSQL
15 on the same machine):
- DuckDB's postgres extension, `INSERT INTO pg.<schema>.<table> SELECT ... FROM snap...`
  (a binary COPY inside, written in C++ straight from DuckDB's vectors): 4.7-8.5 s for
  every table's rows, fct_ledger 1.9 s; in the bench step 6.3 s, against 9.0 s for the
  next way in the same run;
- psycopg 3 `COPY ... FROM STDIN (FORMAT csv)` of a CSV DuckDB writes first: 9.0-12.3 s
  (fct_ledger 2.5 s writing the CSV + 3.2 s COPY: the text is made, then parsed again);
- psycopg 3 binary `COPY` with `write_row`: 17.1 s for fct_ledger alone (one Python call
  per row, each value adapted in Python).
So the extension loads; `bench/steps.py` (`pg_copy`) measures the CSV `COPY` beside it
on every benchmark run. The tables are created by us first, so the types are ours (the
extension would make VARCHAR `varchar` and lists `varchar[]`): see `pg_type`. The whole
refresh (indexes, ANALYZE, comments, grants, swap included) took 8.6-12.8 s in the
bench, against a goal of 30 s.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.postgres.server import DATABASE, LocalServer, ServerError
from warehouse.settings import Paths

if TYPE_CHECKING:
    import duckdb
    import psycopg

DSN_ENV = "TERTIAL_PG_DSN"
# The schemas of the snapshot PostgreSQL serves, under the same names.
SCHEMAS = ("marts", "meta")
LOADING, OLD = "__loading_", "__old_"
# One refresh at a time per database, whichever home publishes into it: a session
# advisory lock (an arbitrary constant of ours: "tertial" in ASCII, 0x74657274).
ADVISORY_KEY = 0x74657274
# A reader queued behind an attempt waits at most this long; under the readers'
# deadlock_timeout (1 s), so the swap gives up before a reader's deadlock check runs.
LOCK_TIMEOUT = "500ms"
# The swap's own deadlock check (a superuser's setting: the local loader is one): caught
# in a cycle with a reader, the swap finds it after 50 ms and gives way, long before the
# reader's check (1 s) would cancel the reader, and sooner than its lock_timeout.
DEADLOCK_TIMEOUT = "50ms"
# A dashboard query on these marts takes milliseconds (bench: p50 on the 10-year marts);
# a reader holding them a minute is a forgotten open transaction, not a query to wait for.
SWAP_SECONDS = 60.0
RETRY_PAUSE_SECONDS = (0.02, 0.1)  # random, so two refreshes' attempts do not stay in step

Progress = Callable[[str], None]


class RefreshFailed(RuntimeError):
    """PostgreSQL was not refreshed; it still serves the marts it served before."""


@dataclass(frozen=True)
class Refreshed:
    tables: tuple[str, ...]  # schema.table, as served
    rows: int
    seconds: float
    load_seconds: float = 0.0  # of `seconds`, moving the rows (the benchmark compares it)


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL type a DuckDB column becomes: exact numbers stay exact.

    >>> [pg_type(t) for t in ("DECIMAL(18,2)", "VARCHAR[]", "TIMESTAMP WITH TIME ZONE")]
    ['numeric(18,2)', 'text[]', 'timestamptz']
    """
    if duckdb_type.endswith("[]"):
        return pg_type(duckdb_type[:-2]) + "[]"
    if decimal := re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type):
        return f"numeric({decimal[1]},{decimal[2]})"
    try:
        return _TYPES[duckdb_type]
    except KeyError:
        raise RefreshFailed(f"no PostgreSQL type for DuckDB's {duckdb_type}") from None


_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(38,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "BLOB": "bytea",
    "JSON": "json",
}


@dataclass(frozen=True)
class _Table:
    schema: str
    name: str
    comment: str | None
    columns: tuple[tuple[str, str, str | None], ...]  # name, DuckDB type, comment


def refresh(snapshot: Path, dsn: str) -> Refreshed:
    """Load the snapshot's marts and meta into PostgreSQL at `dsn` and swap them in.

    `dsn`: a libpq connection string of a role that may create schemas and roles (the
    local server's loader, `LocalServer.loader_dsn()`). Raises RefreshFailed, saying why,
    with the previous marts still served and nothing of this load left behind.
    """
    import psycopg

    started = time.perf_counter()
    suffix = f"{time.time_ns() // 1_000_000}_{os.getpid()}"
    loading = {s: f"{s}{LOADING}{suffix}" for s in SCHEMAS}
    try:
        duck = _open_snapshot(snapshot)
    except Exception as exc:
        raise RefreshFailed(f"cannot read the snapshot {snapshot}: {_line(exc)}") from exc
    try:
        tables = _tables(duck)
        with psycopg.connect(dsn, autocommit=True) as pg:
            pg.execute("select pg_advisory_lock(%s)", [ADVISORY_KEY])
            _remove_leftovers(pg)
            try:
                _create(pg, tables, loading)
                loading_started = time.perf_counter()
                rows = _load(duck, dsn, tables, loading)
                load_seconds = time.perf_counter() - loading_started
                _describe(pg, tables, loading)
                for schema in loading.values():
                    _prepare(pg, schema)
                _swap(pg, tables, loading, suffix)
            except BaseException:
                _drop_quietly(pg, loading.values())
                raise
            _drop_old(pg, [f"{s}{OLD}{suffix}" for s in SCHEMAS])
    except RefreshFailed:
        raise
    except Exception as exc:
        raise RefreshFailed(_line(exc)) from exc
    finally:
        duck.close()
    names = tuple(f"{t.schema}.{t.name}" for t in tables)
    return Refreshed(names, rows, time.perf_counter() - started, load_seconds)


# -- the steps ---------------------------------------------------------------------------


def _open_snapshot(snapshot: Path) -> duckdb.DuckDBPyConnection:
    from warehouse.connection import duckdb_connect
    from warehouse.extensions import extension_path
    from warehouse.publish import attach_read_only

    if not snapshot.is_file():
        raise FileNotFoundError(f"no such file: {snapshot}")
    duck = duckdb_connect(":memory:", extensions=[extension_path("postgres")])
    try:
        attach_read_only(duck, snapshot, "snap")
    except BaseException:
        duck.close()
        raise
    return duck


def _tables(duck: duckdb.DuckDBPyConnection) -> list[_Table]:
    """Every table of the published schemas, with its columns, types and comments."""
    found = duck.execute(
        """
        select schema_name, table_name, comment
        from duckdb_tables()
        where database_name = 'snap' and schema_name in (select unnest(?))
        order by schema_name, table_name
        """,
        [list(SCHEMAS)],
    ).fetchall()
    if not any(schema == "marts" for schema, _, _ in found):
        raise RefreshFailed("the snapshot has no marts: run `tertial build`")
    columns: dict[tuple[str, str], list[tuple[str, str, str | None]]] = {}
    for schema, table, column, kind, comment in duck.execute(
        """
        select schema_name, table_name, column_name, data_type, comment
        from duckdb_columns()
        where database_name = 'snap' and schema_name in (select unnest(?))
        order by schema_name, table_name, column_index
        """,
        [list(SCHEMAS)],
    ).fetchall():
        columns.setdefault((schema, table), []).append((column, kind, comment))
    return [
        _Table(schema, table, comment or None, tuple(columns[schema, table]))
        for schema, table, comment in found
    ]


def _remove_leftovers(pg: psycopg.Connection) -> None:
    """Drop what a killed refresh left: its loading schemas (we hold the advisory lock, so
    no other refresh is loading), and old schemas a long reader kept from being dropped."""
    leftovers = [
        name
        for (name,) in pg.execute(
            "select nspname from pg_namespace where nspname ~ %s order by 1",
            [f"^({'|'.join(SCHEMAS)})({LOADING}|{OLD})[0-9_]+$"],
        ).fetchall()
    ]
    _drop_quietly(pg, [n for n in leftovers if LOADING in n])
    _drop_old(pg, [n for n in leftovers if OLD in n])


def _create(pg: psycopg.Connection, tables: list[_Table], loading: dict[str, str]) -> None:
    from psycopg import sql

    with pg.transaction():
        for schema in loading.values():
            pg.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        for table in tables:
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type(kind)))
                for name, kind, _ in table.columns
            )
            pg.execute(
                sql.SQL("create table {}.{} ({})").format(
                    sql.Identifier(loading[table.schema]), sql.Identifier(table.name), columns
                )
            )


def _load(
    duck: duckdb.DuckDBPyConnection, dsn: str, tables: list[_Table], loading: dict[str, str]
) -> int:
    """Copy every table's rows through DuckDB's postgres extension; the rows copied."""
    # ATTACH takes no bind parameter: the connection string is quoted as a literal.
    literal = dsn.replace("'", "''")
    duck.execute(f"attach '{literal}' as pg (type postgres)")
    try:
        rows = 0
        for table in tables:
            # Identifiers come from the snapshot's catalog and our own names, quoted.
            target = f'pg."{loading[table.schema]}"."{table.name}"'
            source = f'snap."{table.schema}"."{table.name}"'
            names = ", ".join(f'"{name}"' for name, _, _ in table.columns)
            [(count,)] = duck.execute(
                f"insert into {target} ({names}) select {names} from {source}"
            ).fetchall()
            rows += count
        return rows
    finally:
        with contextlib.suppress(Exception):  # the load's own error is the one to report
            duck.execute("detach pg")


def _describe(pg: psycopg.Connection, tables: list[_Table], loading: dict[str, str]) -> None:
    """The snapshot's table and column comments (the Swedish labels BI tools show), an
    index on `namnd_code` where a table has one, and fresh planner statistics.

    The index: a board's dashboard and a board login's row-level security both filter on
    `namnd_code`; without it PostgreSQL reads the whole table (bench, 10 years: one
    board's budget follow-up p50 50 ms by a scan of 135 k rows, DuckDB 3 ms). ANALYZE:
    autovacuum's would come a minute later, and until then the planner guesses.
    """
    from psycopg import sql

    statements = []
    for table in tables:
        target = sql.SQL("{}.{}").format(
            sql.Identifier(loading[table.schema]), sql.Identifier(table.name)
        )
        if table.comment:
            statements.append(
                sql.SQL("comment on table {} is {}").format(target, sql.Literal(table.comment))
            )
        for name, _, comment in table.columns:
            if comment:
                statements.append(
                    sql.SQL("comment on column {}.{} is {}").format(
                        target, sql.Identifier(name), sql.Literal(comment)
                    )
                )
        if any(name == "namnd_code" for name, _, _ in table.columns):
            statements.append(sql.SQL("create index on {} (namnd_code)").format(target))
        statements.append(sql.SQL("analyze {}").format(target))
    for statement in statements:  # ANALYZE cannot run inside a multi-statement string
        pg.execute(statement)


def _prepare(pg: psycopg.Connection, schema: str) -> None:
    """Who may read the new schema, set before readers can see it (the swap): the roles,
    grants and row-level security of warehouse/postgres/access.py. They are the tables'
    own, so they move with them when the schema is renamed to `marts`/`meta`."""
    from warehouse.postgres.access import secure_schema

    secure_schema(pg, schema)


def _swap(
    pg: psycopg.Connection, tables: list[_Table], loading: dict[str, str], suffix: str
) -> None:
    """Rename the old schemas away and the loading ones in, in one transaction.

    The old tables are locked first (why: the module's docstring), one by one. An attempt
    that cannot lock a table within LOCK_TIMEOUT, or finds itself in a deadlock with a
    reader, gives way; the next attempt locks that table first, so the swap comes to take
    its locks in the order the readers take theirs (a cycle needs two orders). Measured
    with 4 readers in a tight loop on the reference marts, one swap: in alphabetical order
    with 500 ms attempts, 6-7.5 s; facts first with the 50 ms deadlock check, 0.01 s for
    readers naming `fct_ledger` first but 15.5 s for readers naming `dim_namnd` first;
    with the failed table moved to the front, 0.01-0.16 s for both. It is tried for
    SWAP_SECONDS in all.
    """
    from psycopg import errors, sql

    deadline = time.monotonic() + SWAP_SECONDS
    superuser = pg.execute("select current_setting('is_superuser') = 'on'").fetchone()[0]
    # Facts and reports first: a dashboard names its fact table first and joins the
    # dimensions to it, so its locks usually come in this order too.
    order = [
        (schema, table)
        for schema, table in pg.execute(
            "select n.nspname, c.relname from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = any(%s) and c.relkind in ('r', 'v', 'm', 'p') "
            "order by c.relname !~ '^(fct|rpt)_', 1, 2",
            [list(loading)],
        ).fetchall()
    ]
    while True:
        waiting_for = None
        try:
            with pg.transaction():
                pg.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
                if superuser:
                    pg.execute(
                        sql.SQL("set local deadlock_timeout = {}").format(
                            sql.Literal(DEADLOCK_TIMEOUT)
                        )
                    )
                for schema, table in order:
                    waiting_for = (schema, table)
                    pg.execute(
                        sql.SQL("lock table {}.{} in access exclusive mode").format(
                            sql.Identifier(schema), sql.Identifier(table)
                        )
                    )
                waiting_for = None
                for schema, new in loading.items():
                    exists = pg.execute(
                        "select 1 from pg_namespace where nspname = %s", [schema]
                    ).fetchone()
                    if exists:
                        pg.execute(
                            sql.SQL("alter schema {} rename to {}").format(
                                sql.Identifier(schema), sql.Identifier(f"{schema}{OLD}{suffix}")
                            )
                        )
                    pg.execute(
                        sql.SQL("alter schema {} rename to {}").format(
                            sql.Identifier(new), sql.Identifier(schema)
                        )
                    )
            return
        except (errors.LockNotAvailable, errors.DeadlockDetected):
            if time.monotonic() >= deadline:
                raise RefreshFailed(
                    f"a reader kept the marts locked for {SWAP_SECONDS:.0f}s (a long query, "
                    "or a BI tool's open transaction): the next publish tries again"
                ) from None
            if waiting_for is not None:
                order.remove(waiting_for)
                order.insert(0, waiting_for)
            time.sleep(random.uniform(*RETRY_PAUSE_SECONDS))


def _drop_old(pg: psycopg.Connection, schemas: list[str]) -> list[str]:
    """Drop old schemas, 10 attempts each; one a reader still holds stays for next time."""
    from psycopg import errors, sql

    left = []
    for schema in schemas:
        for attempt in range(1, 11):
            try:
                with pg.transaction():
                    pg.execute(
                        sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT))
                    )
                    pg.execute(
                        sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema))
                    )
                break
            except (errors.LockNotAvailable, errors.DeadlockDetected):
                if attempt == 10:
                    left.append(schema)
                else:
                    time.sleep(random.uniform(*RETRY_PAUSE_SECONDS))
    return left


def _drop_quietly(pg: psycopg.Connection, schemas) -> None:
    """Drop half-built schemas after a failure, raising nothing over that failure."""
    from psycopg import sql

    for schema in schemas:
        try:
            pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        except Exception:  # the load's own error is the one to report
            continue


def _line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# -- after a publish -------------------------------------------------------------------


def target_of(home: Paths) -> tuple[str, str] | None:
    """Where a publish of `home` refreshes PostgreSQL: (dsn, what to call it), or None.

    `TERTIAL_PG_DSN` when set; otherwise the home's local server (`tertial serve start`)
    when it runs, through its loader socket on the port it runs on (its postmaster.pid:
    TERTIAL_PG_PORT may differ in this shell from when it was started).
    """
    dsn = os.environ.get(DSN_ENV, "").strip()
    if dsn:
        return dsn, DSN_ENV
    if not (home.home / "postgres" / "data" / "postmaster.pid").exists():
        return None  # no server ever started here, or stopped: nothing to ask
    try:
        server = LocalServer.of(home)
        if not server.running():
            return None
        port = _running_port(server)
    except (ServerError, OSError) as exc:
        raise RefreshFailed(f"cannot tell whether the local server runs: {_line(exc)}") from exc
    if port != server.port:
        server = LocalServer(server.folder, port, server.listen, server.bin_dir)
    return server.loader_dsn(), f"the local server (port {server.port}, database {DATABASE})"


def _running_port(server: LocalServer) -> int:
    """The port of the running postmaster: the 4th line of its postmaster.pid."""
    lines = (server.data / "postmaster.pid").read_text(encoding="utf-8").splitlines()
    return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else server.port


def refresh_after_publish(home: Paths, snapshot: Path, progress: Progress) -> Refreshed | None:
    """The publish's last step: refresh PostgreSQL when there is one to refresh."""
    target = target_of(home)
    if target is None:
        return None
    dsn, name = target
    progress(f"Refreshing PostgreSQL ({name}) ...")
    try:
        done = refresh(snapshot, dsn)
    except RefreshFailed as exc:
        raise RefreshFailed(
            f"the snapshot is published, but PostgreSQL ({name}) was not refreshed and still "
            f"serves the previous marts: {exc}"
        ) from exc
    progress(
        f"Refreshed PostgreSQL: {len(done.tables)} tables, {done.rows:,} rows, swapped in "
        f"({done.seconds:.1f}s)"
    )
    return done

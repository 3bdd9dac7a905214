"""One benchmark step per process: `python -m bench.steps <step> ...`.

Each step runs in a fresh process so that its peak memory is its own (the runner polls
the process and its children, dbt included) and prints one JSON line last: the seconds
of the work itself, timed inside the process, without the interpreter's start and the
imports (Great Expectations alone imports for several seconds on a busy machine).

The figures with a target on a whole process (an ingest and `tertial query` against
their floors, `tertial run` with nothing new) do not go through here: the runner times
the real `tertial` command and a bare `python -c` with DuckDB alone (bench/run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from bench.queries import Query, read_queries
from warehouse.connection import duckdb_connect
from warehouse.extensions import extension_path
from warehouse.settings import paths

Step = Callable[[argparse.Namespace], dict]


def encodings_extension() -> Path:
    """The DuckDB `encodings` extension shipped by the `duckdb-extension-encodings` package.

    DuckDB's CSV reader knows only UTF-8, UTF-16 and Latin-1 by itself; the ledger is
    Windows-1252 (`CP1252` to the extension), so the baseline needs it to read what the
    loader reads.
    """
    return extension_path("encodings")


def _literal(text: str) -> str:
    """A path as a SQL string literal (ATTACH and read_csv take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _warm_duckdb() -> None:
    """Open and query one in-memory database, so its lazy imports are not timed.

    The first connection of a process imports numpy and pandas for DuckDB's Python
    integration: two thirds of a 1-year publish's own time (py-spy), paid once per
    process, not per publish.
    """
    con = duckdb.connect()
    con.execute("select 1").fetchall()
    con.close()


def ingest_step(args: argparse.Namespace) -> dict:
    """Parse, expectations and append: the loader, exactly as `tertial ingest` runs it."""
    from warehouse.ingest import ingest

    home = paths(args.home).ensure()
    started = time.perf_counter()
    results = ingest(home, [Path(f) for f in args.files])
    seconds = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    return {
        "seconds": seconds,
        "files": len(results),
        "rows": sum(r.rows for r in results if r.status == "accepted"),
        "statuses": statuses,
        "rejected": [f"{r.path.name}: {r.reason}" for r in results if r.status == "rejected"],
    }


def _into_new_database(
    database: Path, prepare: list[str], select: str, *, extensions: list[Path] | None = None
) -> dict:
    """Time `create table copied as <select>` (and its checkpoint) in a new database file.

    The floors of the benchmark are DuckDB writing the same rows to disk by itself, with
    the settings the warehouse's own connections get (warehouse.connection: the memory
    limit): `extensions` are loaded and `prepare` (attachments) runs before the clock
    starts.
    """
    database.unlink(missing_ok=True)
    con = duckdb_connect(database, extensions=extensions or [])
    try:
        for statement in prepare:
            con.execute(statement)
        started = time.perf_counter()
        con.execute(f"create table copied as {select}")
        con.execute("checkpoint")
        seconds = time.perf_counter() - started
        [(rows,)] = con.execute("select count(*) from copied").fetchall()
    finally:
        con.close()
        database.unlink(missing_ok=True)
    return {"seconds": seconds, "rows": rows}


def read_csv_step(args: argparse.Namespace) -> dict:
    """The old baseline of an ingest (issue 7), in-process: DuckDB's `read_csv` of the same
    Windows-1252 file through the `encodings` extension, into a table.

    Kept beside the floor of issue 14 for comparison only: the extension's CP1252 path
    alone costs ~3× DuckDB's UTF-8 read, so a ratio against it flatters the loader.
    """
    return _into_new_database(
        Path(args.database),
        [],
        f"select * from read_csv({_literal(args.file)}, delim = ';', header = true, "
        "encoding = 'CP1252', decimal_separator = ',')",
        extensions=[encodings_extension()],
    )


def to_utf8_step(args: argparse.Namespace) -> dict:
    """The probe's rows as UTF-8 (same lines, same CRLF), for the floor to read: setup.

    Streamed in 1 MiB pieces, as the decoding of a loader would be.
    """
    started = time.perf_counter()
    target = Path(args.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(args.source, encoding="cp1252", newline="") as source,
        open(target, "w", encoding="utf-8", newline="") as out,
    ):
        shutil.copyfileobj(source, out, 1 << 20)
    return {"seconds": time.perf_counter() - started, "bytes": target.stat().st_size}


def build_step(args: argparse.Namespace) -> dict:
    """`dbt build` on the working database (incremental, or `--full-refresh`).

    `--nightly`: the build `tertial run` makes after new batches, chosen and timed as
    there (warehouse/selection.py: the models downstream of what changed, the nightly's
    data tests); the choice itself is part of the time.
    """
    from warehouse.build import build
    from warehouse.selection import nightly_plan

    home = paths(args.home)
    started = time.perf_counter()
    if args.nightly:
        selection = nightly_plan(home)
        result = build(home, tests="nightly", select=selection.select)
    else:
        result = build(home, full_refresh=args.full_refresh)
    return {"seconds": time.perf_counter() - started, "nodes": len(result.nodes)}


def copy_log_step(args: argparse.Namespace) -> dict:
    """The floor of a replay: DuckDB copying the whole ledger log once into a new file."""
    working = paths(args.home).database
    return _into_new_database(
        Path(args.database),
        [f"attach {_literal(str(working))} as work (read_only)"],
        "select * from work.events.huvudbok",
    )


def publish_step(args: argparse.Namespace) -> dict:
    """Make the new state visible to readers, as the nightly job does (`publish_all`).

    Two files are replaced atomically: the read-only copy of the event log (cloned, then
    the new events appended) and the marts snapshot (copied, closed, chmod, renamed).
    """
    from warehouse.pipeline import publish_all

    home = paths(args.home)
    _warm_duckdb()
    started = time.perf_counter()
    published = publish_all(home)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "snapshot_seconds": published.seconds,
        "log_seconds": seconds - published.seconds,
        "tables": len(published.tables),
        "bytes": home.published.stat().st_size,
        "log_bytes": home.published_events.stat().st_size,
    }


def copy_file_step(args: argparse.Namespace) -> dict:
    """The floor of a publish: copying the published files' bytes to new files, synced."""
    target = Path(args.target)
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for source in map(Path, args.sources):
        copy = target / source.name
        shutil.copyfile(source, copy)
        with open(copy, "rb") as handle:
            os.fsync(handle.fileno())
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return {"seconds": seconds}


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile by linear interpolation (numpy's default).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    >>> percentile([10.0], 0.95)
    10.0
    """
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _timings(con, query: Query, repeat: int) -> dict:
    """p50/p95 of `query` on `con`: a DuckDB connection, or a psycopg one (same calls)."""
    con.execute(query.sql).fetchall()  # warm: the first run reads the file from disk
    seconds = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(con.execute(query.sql).fetchall())
        seconds.append(time.perf_counter() - started)
    return {
        "name": query.name,
        "scope": query.scope,
        "rows": rows,
        "p50_ms": 1000 * percentile(seconds, 0.5),
        "p95_ms": 1000 * percentile(seconds, 0.95),
        "mean_ms": 1000 * statistics.fmean(seconds),
    }


def queries_step(args: argparse.Namespace) -> dict:
    """Each analyst query `repeat` times on the published snapshot, after one warm-up."""
    from warehouse.publish import connect_published

    home = paths(args.home)
    queries = read_queries(Path(args.queries))
    started = time.perf_counter()
    with connect_published(home.published) as con:
        results = [_timings(con, q, args.repeat) for q in queries]
        # The floor: one scan of the fact table, nothing joined.
        floor = Query("baseline: count(*) of fct_ledger", "city", "select count(*) from fct_ledger")
        baseline = _timings(con, floor, args.repeat)
    return {
        "seconds": time.perf_counter() - started,
        "repeat": args.repeat,
        "queries": results,
        "baseline": baseline,
    }


def pg_refresh_step(args: argparse.Namespace) -> dict:
    """The published marts into PostgreSQL, as every publish does when a server runs."""
    from warehouse.postgres.refresh import refresh

    _warm_duckdb()
    done = refresh(paths(args.home).published, args.dsn)
    return {
        "seconds": done.seconds,
        "load_seconds": done.load_seconds,
        "tables": len(done.tables),
        "rows": done.rows,
    }


def pg_copy_step(args: argparse.Namespace) -> dict:
    """The other way to load (issue 15 asked to measure both): DuckDB writes each table as
    CSV, psycopg 3 streams it with `COPY ... FROM STDIN`, into a scratch schema dropped
    afterwards. The same tables and types as the refresh; no comments, grants or swap."""
    import tempfile

    import psycopg
    from psycopg import sql

    from warehouse.postgres.refresh import SCHEMAS, pg_type

    _warm_duckdb()
    snapshot = paths(args.home).published
    started = time.perf_counter()
    rows = 0
    with (
        duckdb_connect(snapshot, read_only=True) as duck,
        psycopg.connect(args.dsn, autocommit=True) as pg,
        tempfile.TemporaryDirectory() as folder,
    ):
        pg.execute("drop schema if exists bench_copy cascade")
        pg.execute("create schema bench_copy")
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, kind in duck.execute(
            "select schema_name || '_' || table_name, column_name, data_type "
            "from duckdb_columns() where schema_name in (select unnest(?)) "
            "order by schema_name, table_name, column_index",
            [list(SCHEMAS)],
        ).fetchall():
            columns.setdefault(table, []).append((column, kind))
        try:
            for table, cols in columns.items():
                schema, _, name = table.partition("_")
                pg.execute(
                    sql.SQL("create table bench_copy.{} ({})").format(
                        sql.Identifier(table),
                        sql.SQL(", ").join(
                            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(pg_type(k)))
                            for c, k in cols
                        ),
                    )
                )
                csv = Path(folder) / f"{table}.csv"
                duck.execute(
                    f"copy (select {', '.join(_csv_column(c, k) for c, k in cols)} "
                    f'from "{schema}"."{name}") to {_literal(str(csv))} (format csv, header false)'
                )
                with (
                    pg.cursor() as cursor,
                    cursor.copy(
                        sql.SQL("copy bench_copy.{} from stdin (format csv)").format(
                            sql.Identifier(table)
                        )
                    ) as copy,
                    csv.open("rb") as handle,
                ):
                    while block := handle.read(1 << 20):
                        copy.write(block)
                [(count,)] = duck.execute(f'select count(*) from "{schema}"."{name}"').fetchall()
                rows += count
                csv.unlink()
        finally:
            pg.execute("drop schema if exists bench_copy cascade")
    return {"seconds": time.perf_counter() - started, "tables": len(columns), "rows": rows}


def _csv_column(column: str, kind: str) -> str:
    """A column as DuckDB writes it for PostgreSQL's CSV COPY: lists as array literals."""
    if not kind.endswith("[]"):
        return f'"{column}"'
    element = (
        "case when e is null then 'NULL' else "
        "'\"' || replace(replace(e, '\\', '\\\\'), '\"', '\\\"') || '\"' end"
    )
    return (
        f"'{{' || array_to_string(list_transform(\"{column}\", e -> {element}), ',') || '}}' "
        f'as "{column}"'
    )


# Dashboard-style queries, the same SQL on both engines (`marts.` qualified, no
# DuckDB-only syntax); `{board}` is the board with the most ledger rows.
DASHBOARD_QUERIES = (
    Query(
        "budget follow-up of one board, latest report (mnkr)",
        "board",
        "select verksamhet_code, slag, adjusted_budget, booked_ytd, forecast, deviation "
        "from marts.rpt_budget_followup_mnkr where namnd_code = '{board}' and through_period "
        "= (select max(through_period) from marts.rpt_budget_followup_mnkr) "
        "order by slag, verksamhet_code",
    ),
    Query(
        "one board's net amount per month, every year",
        "board",
        "select p.year, p.month, sum(f.amount) from marts.fct_ledger f "
        "join marts.dim_period p on p.period_key = f.period_key "
        "where f.namnd_code = '{board}' group by p.year, p.month order by 1, 2",
    ),
    Query(
        "amount by board and year, the whole ledger",
        "city",
        "select f.namnd_code, p.year, sum(f.amount) from marts.fct_ledger f "
        "join marts.dim_period p on p.period_key = f.period_key "
        "group by f.namnd_code, p.year order by 1, 2",
    ),
)


def pg_queries_step(args: argparse.Namespace) -> dict:
    """Each dashboard query `repeat` times on PostgreSQL and on the DuckDB snapshot."""
    import psycopg

    from warehouse.publish import connect_published

    started = time.perf_counter()
    with connect_published(paths(args.home).published) as duck:
        [(board,)] = duck.execute(
            "select namnd_code from marts.fct_ledger group by 1 order by count(*) desc, 1 limit 1"
        ).fetchall()
        queries = [
            Query(q.name, q.scope, q.sql.replace("{board}", board)) for q in DASHBOARD_QUERIES
        ]
        on_duckdb = [_timings(duck, q, args.repeat) for q in queries]
    with psycopg.connect(args.dsn) as pg:
        on_postgres = [_timings(pg, q, args.repeat) for q in queries]
    return {
        "seconds": time.perf_counter() - started,
        "repeat": args.repeat,
        "board": board,
        "queries": [
            {**d, "duckdb_p50_ms": d["p50_ms"], "postgres_p50_ms": p["p50_ms"],
             "postgres_p95_ms": p["p95_ms"], "postgres_rows": p["rows"]}
            for d, p in zip(on_duckdb, on_postgres, strict=True)
        ],
    }  # fmt: skip


def lake_commits_step(args: argparse.Namespace) -> dict:
    """One-row commits of `loader.head` on the lake of TERTIAL_CATALOG, as every event
    commit makes (warehouse/lake.py); a conflict with another process runs again."""
    from warehouse.lake import in_transaction, is_conflict
    from warehouse.store import EventStore

    gave_up = 0
    with EventStore(paths(args.home).ensure().database) as store:
        con = store.con
        started = time.perf_counter()
        for _ in range(args.count):
            try:
                in_transaction(
                    con,
                    lambda: con.execute("update loader.head set batch_id = batch_id"),
                    retry=True,
                )
            except Exception as exc:
                # Still conflicting after every retry (warehouse/lake.py RETRIES): counted.
                # Four processes doing nothing but commits starve one another; a loader
                # commits once a file, seconds apart.
                if not is_conflict(exc):
                    raise
                gave_up += 1
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "commits": args.count - gave_up, "gave_up": gave_up}


STEPS: dict[str, Step] = {
    "ingest": ingest_step,
    "read_csv": read_csv_step,
    "to_utf8": to_utf8_step,
    "build": build_step,
    "copy_log": copy_log_step,
    "publish": publish_step,
    "copy_file": copy_file_step,
    "queries": queries_step,
    "pg_refresh": pg_refresh_step,
    "pg_copy": pg_copy_step,
    "pg_queries": pg_queries_step,
    "lake_commits": lake_commits_step,
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(description="one benchmark step")
    steps = root.add_subparsers(dest="step", required=True)
    ingest = steps.add_parser("ingest")
    ingest.add_argument("--home", required=True)
    ingest.add_argument("files", nargs="+")
    read_csv = steps.add_parser("read_csv")
    read_csv.add_argument("file")
    read_csv.add_argument("database")
    to_utf8 = steps.add_parser("to_utf8")
    to_utf8.add_argument("source", help="a Windows-1252 file")
    to_utf8.add_argument("target")
    build = steps.add_parser("build")
    build.add_argument("--home", required=True)
    build.add_argument("--full-refresh", action="store_true")
    build.add_argument("--nightly", action="store_true", help="as `tertial run` builds")
    copy_log = steps.add_parser("copy_log")
    copy_log.add_argument("--home", required=True)
    copy_log.add_argument("database")
    publish = steps.add_parser("publish")
    publish.add_argument("--home", required=True)
    copy_file = steps.add_parser("copy_file")
    copy_file.add_argument("target", help="a new folder, removed afterwards")
    copy_file.add_argument("sources", nargs="+")
    queries = steps.add_parser("queries")
    queries.add_argument("--home", required=True)
    queries.add_argument("--queries", required=True)
    queries.add_argument("--repeat", type=int, default=20)
    for name in ("pg_refresh", "pg_copy", "pg_queries"):
        step = steps.add_parser(name)
        step.add_argument("--home", required=True)
        step.add_argument("--dsn", required=True, help="libpq DSN of the loader")
        if name == "pg_queries":
            step.add_argument("--repeat", type=int, default=20)
    lake_commits = steps.add_parser("lake_commits")
    lake_commits.add_argument("--home", required=True)
    lake_commits.add_argument("--count", type=int, default=200)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result = STEPS[args.step](args)
    print(json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

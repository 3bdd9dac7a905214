"""`tertial`: the command line of the warehouse (the stable interface of users and tests).

tertial ingest PATH...   load files or folders, one line per file
tertial build            dbt build (models + tests), then publish the snapshot
tertial run              the nightly job: ingest landing/, build, publish
tertial demo             write the demo city into landing/ and run
tertial query "SQL"      read-only SQL against the published snapshot (--as-of T: as then)
tertial batches          every batch in the event log
tertial retract ID       take a batch (or a retraction) out of the current state
tertial retractions      every retraction, and whether it is in effect
tertial replay           drop every projection, rebuild it from the log, publish
tertial history SOURCE KEY   every delivery of a supersession key and what became of it
tertial explain MART     the batches and files behind rows of a mart
tertial status           the published snapshot: when, batches, freshness per source
tertial docs             dbt docs and data-quality docs as static HTML
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tertial import __version__
from tertial.output import FORMATS, render
from tertial.settings import Paths, paths

EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2

EXAMPLE_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "Net cost per board in the latest year (kronor), the five largest",
        """
select n.namnd_name, p.year,
       -- signed as booked: costs positive, revenues negative, so the sum is the net cost
       sum(f.amount) filter (where k.followup_slag in ('Kostnader', 'Intäkter')) as net_cost
from fct_ledger f
-- dim_namnd keeps every version of a board: is_current gives one row, today's name
join dim_namnd n on n.namnd_key = f.namnd_key and n.is_current
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where p.year = (select max(period) // 100 from fct_ledger)
group by all
order by net_cost desc
limit 5
""",
    ),
    (
        "Servicenämnden (142): booked costs and revenues per activity through T2 (Jan-Aug)",
        """
select v.verksamhet_code, v.verksamhet_name, k.followup_slag as slag,
       sum(f.amount * k.followup_sign) as booked_ytd
from fct_ledger f
join dim_verksamhet v using (verksamhet_key)
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where f.namnd_code = '142' and k.followup_slag in ('Kostnader', 'Intäkter')
  and p.year = (select max(period) // 100 from fct_ledger) and p.month <= 8
group by all
order by slag, v.verksamhet_code
""",
    ),
    (
        "What the event log holds: batches per source and status",
        """
select source, status, count(*) as batches, sum(row_count) as rows
from meta.batches
group by all
order by all
""",
    ),
)


def _say(message: str) -> None:
    print(message, flush=True)


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def cmd_ingest(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.ingest import ingest, summary

    home.ensure()
    started = time.perf_counter()
    results = ingest(home, [Path(p) for p in args.paths], progress=_say)
    _say(f"{summary(results)} in {time.perf_counter() - started:.1f}s")
    return EXIT_REJECTED if any(r.status == "rejected" for r in results) else EXIT_OK


def cmd_build(home: Paths, args: argparse.Namespace) -> int:
    from tertial.pipeline import build_and_publish

    home.ensure()
    build_and_publish(home, _say)
    return EXIT_OK


def cmd_run(home: Paths, args: argparse.Namespace) -> int:
    from tertial.pipeline import run

    result = run(home, _say)
    for rejected in result.rejected:
        _say(f"REJECTED {rejected.path.name}: {rejected.reason} (report: {rejected.report})")
    return EXIT_REJECTED if result.rejected else EXIT_OK


def cmd_demo(home: Paths, args: argparse.Namespace) -> int:
    from tertial.demo import write_demo_city
    from tertial.pipeline import run
    from warehouse.publish import connect_published

    home.ensure()
    _say(f"Writing the demo city into {home.landing} ...")
    city = write_demo_city(
        home.landing, years=tuple(args.years), rows_per_board_month=args.rows_per_board_month
    )
    _say(f"  {len(city.files)} files, {city.boards} boards, {city.ledger_rows:,} ledger rows")
    result = run(home, _say)
    _say("")
    _say(f"The demo's rejected file(s), as intended: {len(result.rejected)}")
    for rejected in result.rejected:
        _say(f"  {rejected.path.name}: {rejected.reason}")
        _say(f"  report: {rejected.report}")
    _say("")
    _say(f"Published database (read-only): {result.published.path}")
    _say('Query it:  tertial query "select * from fct_ledger limit 5"')
    _say(f"      or:  duckdb -readonly {result.published.path}")
    with connect_published(home.published) as con:
        for title, sql in EXAMPLE_QUERIES:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            _say("")
            _say(f"-- {title}")
            _say(sql.strip())
            _say(render(columns, cursor.fetchall()))
    return EXIT_OK


def _connect_for(home: Paths, as_of: str | None):
    """The published snapshot, or the warehouse as it stood at `as_of` (built if needed)."""
    from warehouse.asof import connect_as_of, parse_as_of
    from warehouse.publish import connect_published

    if as_of is None:
        return connect_published(home.published)
    return connect_as_of(home, parse_as_of(as_of), progress=_note)


def _note(message: str) -> None:
    """Progress of an as-of build, on stderr so that stdout stays the answer (csv, json)."""
    print(message, file=sys.stderr, flush=True)


def cmd_query(home: Paths, args: argparse.Namespace) -> int:
    import duckdb

    with _connect_for(home, args.as_of) as con:
        try:
            cursor = con.execute(args.sql)
        except duckdb.Error as exc:
            _error(str(exc))
            return EXIT_FAILED
        columns = [d[0] for d in cursor.description] if cursor.description else []
        _say(render(columns, cursor.fetchall(), args.format))
    return EXIT_OK


def _has_warehouse(home: Paths) -> bool:
    """Whether the working database exists; says what to do when it does not."""
    if not home.database.exists():
        _error(f"no warehouse at {home.database} yet: ingest something first")
    return home.database.exists()


def cmd_batches(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.store import EventStore

    if not _has_warehouse(home):
        return EXIT_FAILED
    with EventStore(home.database) as store:
        frame = store.batches().select(
            "batch_id",
            "source",
            "file_name",
            "sha256",
            "recorded_at",
            "status",
            "row_count",
            "reason",
        )
    _say(render(frame.columns, frame.rows(), args.format))
    return EXIT_OK


def cmd_retract(home: Paths, args: argparse.Namespace) -> int:
    import getpass
    import shlex
    import socket

    from warehouse.store import EventStore

    if not _has_warehouse(home):
        return EXIT_FAILED
    with EventStore(home.database) as store:
        retraction_id = store.retract(
            args.id,
            args.reason,
            recorded_by=f"{getpass.getuser()}@{socket.gethostname()}",
            command=shlex.join(["tertial", *sys.argv[1:]]),
        )
    _say(f"retraction {retraction_id} recorded: {args.id} is out of the current state")
    _say("It reaches the published marts with the next build: `tertial build`.")
    return EXIT_OK


def cmd_retractions(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.retractions import resolve
    from warehouse.store import connect

    if not _has_warehouse(home):
        return EXIT_FAILED
    con = connect(home.database, read_only=True)
    try:
        frame = con.execute(
            """
            select r.retraction_id, r.target_id,
                   coalesce(b.file_name, 'retraction ' || r.target_id) as target,
                   r.reason, r.recorded_at, r.recorded_by, r.command
            from events.retractions as r
            left join events.batches as b on b.batch_id = r.target_id
            order by r.retraction_id
            """
        ).fetchall()
    finally:
        con.close()
    effective = resolve((row[0], row[1]) for row in frame).effective
    columns = [
        "retraction_id",
        "target_id",
        "target",
        "reason",
        "recorded_at",
        "recorded_by",
        "in_effect",
        "command",
    ]
    rows = [(*row[:6], row[0] in effective, row[6]) for row in frame]
    _say(render(columns, rows, args.format))
    return EXIT_OK


def cmd_replay(home: Paths, args: argparse.Namespace) -> int:
    from tertial.pipeline import replay

    if not _has_warehouse(home):
        return EXIT_FAILED
    replay(home, _say)
    return EXIT_OK


def cmd_history(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.asof import parse_as_of
    from warehouse.lineage import key_history

    if not home.published_events.exists():
        _error(f"no published event log at {home.published_events}: run `tertial build` first")
        return EXIT_FAILED
    as_of = parse_as_of(args.as_of) if args.as_of else None
    try:
        table = key_history(home.published_events, args.source, "|".join(args.key), as_of)
    except LookupError as exc:
        _error(str(exc.args[0]))
        return EXIT_FAILED
    _say(render(table.columns, table.rows, args.format))
    return EXIT_OK


def cmd_explain(home: Paths, args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.lineage import explain

    with _connect_for(home, args.as_of) as con:
        try:
            table = explain(con, home.published_events, args.mart, args.where)
        except LookupError as exc:
            _error(str(exc.args[0]))
            return EXIT_FAILED
        except duckdb.Error as exc:
            _error(str(exc))
            return EXIT_FAILED
    _say(render(table.columns, table.rows, args.format))
    return EXIT_OK


def _add_as_of(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "--as-of",
        metavar="T",
        help=f"{what} (ISO 8601; Stockholm time unless an offset is given; a date alone "
        "is the end of that day)",
    )


def cmd_status(home: Paths, args: argparse.Namespace) -> int:
    from tertial.status import status

    report = status(home.published)
    if args.format == "table":
        _say(report.header())
    _say(render(report.columns, report.freshness, args.format))
    return EXIT_OK


def cmd_docs(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.build import BuildFailed
    from warehouse.docs import build_docs

    home.ensure()
    try:
        docs = build_docs(home, _say)
    except BuildFailed as exc:
        # dbt docs reads the working database: it fails while a load or build holds it.
        _error(f"dbt docs generate failed: {exc}")
        return EXIT_FAILED
    _say(f"dbt docs ({len(docs.marts)} marts): {docs.dbt_index}")
    _say(f"Data quality: {docs.validation_pages} validation page(s)")
    _say(f"Open: {docs.index.as_uri()}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="tertial", description=__doc__.split("\n")[0])
    root.add_argument("--version", action="version", version=f"tertial {__version__}")
    root.add_argument(
        "--home", help="TERTIAL_HOME for this command (default: $TERTIAL_HOME or var/)"
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="load files or folders, one batch per file")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.set_defaults(handler=cmd_ingest)

    build = commands.add_parser("build", help="dbt build (models + tests), then publish")
    build.set_defaults(handler=cmd_build)

    run = commands.add_parser("run", help="the nightly job: ingest landing/, build, publish")
    run.set_defaults(handler=cmd_run)

    demo = commands.add_parser("demo", help="write the demo city into landing/ and run")
    demo.add_argument(
        "--years",
        type=int,
        nargs="+",
        default=[2022, 2023, 2024],
        help="years of monthly ledger files (default: 2022 2023 2024)",
    )
    demo.add_argument(
        "--rows-per-board-month",
        type=int,
        default=400,
        help="ledger lines per board and month (default: 400)",
    )
    demo.set_defaults(handler=cmd_demo)

    query = commands.add_parser("query", help="read-only SQL against the published snapshot")
    query.add_argument("sql")
    query.add_argument("--format", choices=FORMATS, default="table")
    _add_as_of(query, "answer as the warehouse would have at T")
    query.set_defaults(handler=cmd_query)

    batches = commands.add_parser("batches", help="every batch in the event log")
    batches.add_argument("--format", choices=FORMATS, default="table")
    batches.set_defaults(handler=cmd_batches)

    retract = commands.add_parser(
        "retract", help="take a batch (or a retraction) out of the current state"
    )
    retract.add_argument("id", type=int, metavar="ID", help="a batch_id or a retraction_id")
    retract.add_argument("--reason", required=True, help="why (kept in the log)")
    retract.set_defaults(handler=cmd_retract)

    retractions = commands.add_parser("retractions", help="every retraction, in effect or not")
    retractions.add_argument("--format", choices=FORMATS, default="table")
    retractions.set_defaults(handler=cmd_retractions)

    replay = commands.add_parser(
        "replay", help="drop every projection, rebuild it from the event log, publish"
    )
    replay.set_defaults(handler=cmd_replay)

    history = commands.add_parser(
        "history", help="every delivery of a supersession key and what became of it"
    )
    history.add_argument("source", help="huvudbok, budget, lon, ...")
    history.add_argument(
        "key", nargs="+", help="the key, e.g. `142 201106` or `142|201106` (huvudbok)"
    )
    _add_as_of(history, "the deliveries as they stood at T")
    history.add_argument("--format", choices=FORMATS, default="table")
    history.set_defaults(handler=cmd_history)

    explain = commands.add_parser("explain", help="the batches and files behind rows of a mart")
    explain.add_argument("mart", help="a mart with a batch_id column, e.g. fct_ledger")
    explain.add_argument(
        "--where", default="true", help="SQL condition on the mart's columns (default: all)"
    )
    _add_as_of(explain, "the rows as they stood at T")
    explain.add_argument("--format", choices=FORMATS, default="table")
    explain.set_defaults(handler=cmd_explain)
    status = commands.add_parser(
        "status", help="the published snapshot: when, batches, freshness per source and board"
    )
    status.add_argument(
        "--format", choices=FORMATS, default="table", help="csv/json: the freshness rows only"
    )
    status.set_defaults(handler=cmd_status)

    docs = commands.add_parser(
        "docs", help="dbt docs and Great Expectations data docs as static HTML in docs/"
    )
    docs.set_defaults(handler=cmd_docs)
    return root


def main(argv: list[str] | None = None) -> int:
    from warehouse.asof import AsOfError
    from warehouse.build import BuildFailed
    from warehouse.retractions import RetractionRefused
    from warehouse.store import WarehouseBusy

    args = parser().parse_args(argv)
    home = paths(args.home)
    try:
        return args.handler(home, args)
    except BuildFailed as exc:
        _error(f"build failed, nothing was published: {exc}")
        return EXIT_FAILED
    except (WarehouseBusy, FileNotFoundError, AsOfError, RetractionRefused) as exc:
        _error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted: no half-loaded batch is left behind (each file is one transaction)")
        return 130


if __name__ == "__main__":
    sys.exit(main())

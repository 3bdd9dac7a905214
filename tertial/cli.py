"""`tertial`: the command line of the warehouse (the stable interface of users and tests).

tertial ingest PATH...   load files or folders, one line per file
tertial build            dbt build (models + tests), then publish the snapshot (always)
tertial run              the nightly job: ingest landing/, build and publish if anything
                         changed (no new event since the publish: no dbt, one line)
tertial demo             write the demo city into landing/ and run
tertial query "SQL"      read-only SQL against the published snapshot (--as-of T: as then)
tertial batches          every batch in the event log
tertial retract ID       take a batch (or a retraction) out of the current state (says
                         what first, asks on a terminal; --yes for scripts)
tertial retractions      every retraction, and whether it is in effect
tertial replay           drop every projection, rebuild it from the log, publish
tertial history SOURCE KEY   every delivery of a supersession key and what became of it
tertial explain MART     the batches and files behind rows of a mart
tertial status           the published snapshot: when, batches, rejected files, freshness
                         per source (--verbose: per board)
tertial docs             dbt docs and data-quality docs as static HTML
tertial access           board logins of the PostgreSQL copy: grant, revoke, list
tertial serve start|stop|status   the local PostgreSQL server BI tools connect to

Exit codes: 0 all good, 1 a file was rejected, 2 the build failed (or another error,
said in one line on stderr), 3 another run holds the run lock of this TERTIAL_HOME.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tertial import __version__
from tertial.output import FORMATS, render
from warehouse.settings import Paths, paths

EXIT_OK, EXIT_REJECTED, EXIT_FAILED, EXIT_BUSY = 0, 1, 2, 3
EXIT_INTERRUPTED = 130

EXIT_CODES = """\
exit codes:
  0    all good
  1    a file was rejected (quarantined with a report); the rest was loaded,
       built and published
  2    the build failed (nothing was published), or another error: one line on
       stderr says what to do
  3    busy: another run holds the run lock of this TERTIAL_HOME (one writer at
       a time: run, build, ingest, retract, replay, demo, docs); nothing was done
  130  interrupted (Ctrl-C)"""

# What each writing command can end with (its --help); readers end 0, 2 or 3.
WRITER_EXITS = """\
exit codes: 0 all good, 1 a file was rejected, 2 the build failed or another error
(one line on stderr), 3 another run holds the run lock (nothing was done)"""

# Readers of the published snapshot: no lock, so never busy.
READER_EXITS = """\
exit codes: 0 answered, 2 refused or failed (one line on stderr says why and what to
do: nothing published yet, not a read, no such mart, source or key)"""

# Readers of the working database (opened read-only): busy while a run writes it.
LOG_READER_EXITS = """\
exit codes: 0 answered, 2 failed (one line on stderr: e.g. nothing ingested yet),
3 busy: a run is writing the working database; run it again when it has finished"""

SERVER_EXITS = """\
exit codes: 0 done, 2 failed (one line on stderr says why: e.g. no server running,
PostgreSQL refused)"""

RETRACT_EXITS = """\
exit codes: 0 retracted, or answered no (nothing done); 2 refused (no such id, already
retracted, not accepted) or no --yes without a terminal (nothing done);
3 another run holds the run lock (nothing was done)"""


def _say(message: str) -> None:
    print(message, flush=True)


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def _run_lock(home: Paths, *, shared: bool = False):
    """The run lock of this home (warehouse/lock.py), held for a whole writing command.

    Taken before the heavy imports (Great Expectations, dbt): a second run is told it
    is busy at once. `shared`: a loader on the DuckLake catalog.
    """
    from warehouse.lock import command_line, run_lock

    return run_lock(home.home, command_line(), shared=shared)


def _tell_dagster(home: Paths, command: str, **done) -> None:
    """Report what this run materialised to the Dagster instance (`$DAGSTER_HOME`), so its
    UI shows CLI loads too (warehouse/dagster_events.py). After the run lock is released;
    nothing materialised, no Dagster instance set up: nothing is imported. A failure is
    one warning line on stderr, never the run's exit code."""
    if not (done.get("files") or done.get("build") or done.get("published")):
        return
    from warehouse.dagster_events import report_cli_run

    report_cli_run(
        home, f"tertial {command}", warn=lambda line: _note(_masked(line)), progress=_say, **done
    )


def cmd_ingest(home: Paths, args: argparse.Namespace) -> int:
    home.ensure()
    from warehouse.lake import configured_lake

    # On the lake the loaders of one home load at once (warehouse/lock.py): shared.
    with _run_lock(home, shared=configured_lake() is not None):
        from warehouse.ingest import ingest, summary

        started = time.perf_counter()
        results = ingest(home, [Path(p) for p in args.paths], progress=_say)
        _say(f"{summary(results)} in {time.perf_counter() - started:.1f}s")
    _tell_dagster(home, "ingest", files=results)
    return EXIT_REJECTED if any(r.status == "rejected" for r in results) else EXIT_OK


def cmd_build(home: Paths, args: argparse.Namespace) -> int:
    home.ensure()
    with _run_lock(home):
        from warehouse.pipeline import build_and_publish

        built, published = build_and_publish(
            home, _say, tests="full" if args.full_tests else "data"
        )
    _tell_dagster(home, "build", build=built, published=published)
    return EXIT_OK


def cmd_run(home: Paths, args: argparse.Namespace) -> int:
    home.ensure()
    with _run_lock(home):
        from warehouse.pipeline import run

        result = run(home, _say)
    _tell_dagster(home, "run", files=result.files, build=result.build, published=result.published)
    for rejected in result.rejected:
        _say(f"REJECTED {rejected.name}: {rejected.reason} (report: {rejected.report})")
    return EXIT_REJECTED if result.rejected else EXIT_OK


def cmd_demo(home: Paths, args: argparse.Namespace) -> int:
    home.ensure()
    with _run_lock(home):  # its files into landing/ too: no other run takes them half
        from demo import write_demo_city
        from sources.registry import COMPANION_SUFFIXES
        from warehouse.examples import demo_examples
        from warehouse.pipeline import run
        from warehouse.publish import connect_published

        _say(f"Writing the demo city into {home.landing} ...")
        city = write_demo_city(
            home.landing, years=tuple(args.years), rows_per_board_month=args.rows_per_board_month
        )
        # A control file (.ctl) is read with its ledger, not loaded as a batch of its own:
        # counted apart, the export count is what the ingest line then reports (153 of 162).
        controls = sum(1 for f in city.files if f.suffix.lower() in COMPANION_SUFFIXES)
        beside = f" and {controls} control files (.ctl, read with their ledger)" if controls else ""
        _say(
            f"  {len(city.files) - controls} export files{beside}: {city.boards} boards, "
            f"{city.ledger_rows:,} ledger rows"
        )
        # The demo wrote every file itself a moment ago: nothing is still being uploaded.
        result = run(home, _say, settle_seconds=0)
    _tell_dagster(home, "demo", files=result.files, build=result.build, published=result.published)
    _say("")
    _say(f"The demo's rejected file(s), as intended: {len(result.rejected)}")
    for rejected in result.rejected:
        _say(f"  {rejected.name}: {rejected.reason}")
        _say(f"  report: {rejected.report}")
    _say("")
    _say(f"Published database (read-only): {home.published}")
    _say('Query it:  tertial query "select * from fct_ledger limit 5"')
    _say(f"      or:  duckdb -readonly {home.published}")
    # The queries of warehouse/examples.sql marked `-- demo: yes`, with their answers.
    with connect_published(home.published) as con:
        for example in demo_examples():
            cursor = con.execute(example.sql)
            columns = [d[0] for d in cursor.description]
            _say("")
            _say(f"-- {example.name}")
            _say(example.sql)
            _say(render(columns, cursor.fetchall()))
    return EXIT_OK


def _connect_for(home: Paths, as_of: str | None, *, event_log: bool = False):
    """The published snapshot, or the warehouse as it stood at `as_of` (built if needed).

    Opened for analysts' SQL (warehouse.readonly): read-only and, once what it needs is
    attached (the published copy of the event log when `event_log`, and always for an
    as-of build, whose views read it), with external access off and the configuration
    locked: no ATTACH, COPY, file-reading function or SET gets past it.
    """
    from warehouse.asof import EVENT_LOG_ALIAS, connect_as_of, parse_as_of
    from warehouse.readonly import connect

    if as_of is None:
        attach = {EVENT_LOG_ALIAS: home.published_events} if event_log else None
        return connect(home.published, attach=attach)
    return connect_as_of(home, parse_as_of(as_of), progress=_note)


def _reading(command) -> int:
    """Run a reading command (query, explain, history): a refused statement, a missing or
    broken published file, a moment out of range or a failing query is one line on
    stderr and exit 2, never a traceback."""
    import duckdb

    from warehouse.asof import AsOfError
    from warehouse.readonly import QueryRefused, SnapshotUnavailable, one_line

    try:
        return command()
    except (KeyError, IndexError):
        raise  # a bug, not an answer: main() says so and keeps the details
    except (QueryRefused, SnapshotUnavailable, AsOfError, LookupError, duckdb.Error) as exc:
        _error(one_line(exc))  # LookupError: no such mart, key or column
        return EXIT_FAILED


def _note(message: str) -> None:
    """Progress of an as-of build, on stderr so that stdout stays the answer (csv, json)."""
    print(message, file=sys.stderr, flush=True)


def cmd_query(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.readonly import check_statement

    if (args.format == "xlsx") != (args.out is not None):
        _error("--format xlsx writes a workbook: give both, --format xlsx --out FILE.xlsx")
        return EXIT_FAILED

    def query() -> int:
        sql = check_statement(args.sql)  # one read of the marts, or refused in one line
        if args.format == "xlsx":
            return _query_workbook(home, args, sql)
        with _connect_for(home, args.as_of) as con:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchall()
        _say(render(columns, rows, args.format))
        return EXIT_OK

    return _reading(query)


def _query_workbook(home: Paths, args: argparse.Namespace, sql: str) -> int:
    """`tertial query --format xlsx --out FILE`: the answer as a workbook, Swedish headers.

    The SQL runs in the same locked connection as every query; this process writes the
    file (warehouse/workbook.py). An existing file is replaced only with --force.
    """
    from warehouse.workbook import WorkbookRefused, write_workbook

    out = Path(args.out)
    try:
        with _connect_for(home, args.as_of) as con:
            rows = write_workbook(con, sql, out, force=args.force)
    except (WorkbookRefused, OSError) as exc:
        _error(str(exc))
        return EXIT_FAILED
    _say(f"Wrote {rows:,} rows to {out}")
    return EXIT_OK


def _has_warehouse(home: Paths) -> bool:
    """Whether the working database exists; says what to do when it does not."""
    if not home.database.exists():
        _error(f"no warehouse at {home.database} yet: ingest something first")
    return home.database.exists()


def cmd_batches(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.store import connect

    if not _has_warehouse(home):
        return EXIT_FAILED
    # A reader: opened read-only, it never takes the run lock nor writes the log.
    con = connect(home.database, read_only=True)
    try:
        cursor = con.execute(
            """
            select batch_id, source, file_name, sha256, recorded_at, status, row_count, reason
            from events.batches
            order by batch_id
            """
        )
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    _say(render(columns, rows, args.format))
    return EXIT_OK


def cmd_retract(home: Paths, args: argparse.Namespace) -> int:
    import getpass
    import shlex
    import socket

    if not _has_warehouse(home):
        return EXIT_FAILED
    if not args.reason.strip():
        _error('not retracted: say why with --reason "...", it is kept in the log')
        return EXIT_FAILED
    from sources._common.personnummer import mask
    from warehouse.retractions import effect
    from warehouse.store import connect

    # Busy (a nightly run): said at once, before the question rather than after it.
    with _run_lock(home):
        pass
    # What it would do, said before anything is written, from a read-only look at the log
    # (no run lock held while someone reads the question); the store checks again when
    # it writes, so a retraction recorded meanwhile cannot slip past.
    con = connect(home.database, read_only=True)
    try:
        change = effect(con, args.id)
    finally:
        con.close()
    _say(f"Retracting {change.target} would:")
    for verb, deliveries in (("take out", change.out), ("bring back", change.back)):
        for delivery in deliveries:
            _say(f"  {verb} {delivery.named()}, source {delivery.source}")
            _say(f"    keys: {delivery.keys_text()}")
            for line in change.then.get(delivery.batch_id, ()):
                _say(f"    then: {line}")
    if not (change.out or change.back):
        _say("  change no batch (only which retractions are in effect)")
    if not args.yes:
        if not sys.stdin.isatty():
            _error(
                f"not retracted: stdin is not a terminal, so nobody can confirm; add --yes "
                f"to retract {change.target} without the question"
            )
            return EXIT_FAILED
        try:
            answer = input("Retract it? [y/N] ")
        except (EOFError, KeyboardInterrupt):
            answer = ""
            _say("")
        if answer.strip().lower() not in ("y", "yes", "j", "ja"):
            _say("Not retracted: nothing was changed.")
            return EXIT_OK
    with _run_lock(home):
        from warehouse.store import EventStore

        store = EventStore(home.database)
        # The log is published and read by everyone: never a personnummer in it.
        try:
            retraction_id = store.retract(
                args.id,
                mask(args.reason),
                recorded_by=f"{getpass.getuser()}@{socket.gethostname()}",
                command=mask(shlex.join(["tertial", *sys.argv[1:]])),
            )
        finally:
            store.close()
    done = [f"{d.named()} is out of the current state" for d in change.out]
    done += [f"{d.named()} is back" for d in change.back]
    _say(f"Retraction {retraction_id} recorded: {'; '.join(done) or 'no batch changed'}.")
    _say(
        "It reaches the published marts with the next `tertial run` (or `tertial build`); "
        f'`tertial retract {retraction_id} --reason "..."` undoes it.'
    )
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
    if not _has_warehouse(home):
        return EXIT_FAILED
    with _run_lock(home):
        from warehouse.pipeline import replay

        built, published = replay(home, _say)
    _tell_dagster(home, "replay", build=built, published=published)
    return EXIT_OK


def cmd_migrate(home: Paths, args: argparse.Namespace) -> int:
    if not _has_warehouse(home):
        return EXIT_FAILED
    from warehouse.lake import CATALOG_ENV, configured_lake

    lake = configured_lake()
    if lake is None:
        _error(
            f"set {CATALOG_ENV} to the DuckLake catalog to migrate into (docs/ducklake.md), "
            "e.g. ducklake:postgres:dbname=tertial_lake host=127.0.0.1"
        )
        return EXIT_FAILED
    with _run_lock(home):
        from warehouse.build import build
        from warehouse.migrate import migrate_to_lake

        def build_on_lake() -> None:
            # `tertial build`'s own build, which on the lake is `dbt build --target lake`
            # and records what it was built from, so the next nightly knows.
            _say(build(home).summary())

        migrated = migrate_to_lake(home, lake, _say, build=None if args.no_build else build_on_lake)
    batches = migrated.rows.get("batches", 0)
    _say(
        f"Migrated {batches} batches to {lake.catalog} in {migrated.seconds:.1f}s; "
        f"the loaders use it with {CATALOG_ENV} set (TERTIAL_DATA_PATH {lake.data_path})."
    )
    return EXIT_OK


def cmd_history(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.asof import parse_as_of
    from warehouse.lineage import key_history

    def history() -> int:
        as_of = parse_as_of(args.as_of) if args.as_of else None
        # Opened like analysts' SQL (warehouse.readonly); says "run `tertial build` first"
        # when there is no published log yet.
        table = key_history(home.published_events, args.source, "|".join(args.key), as_of)
        _say(render(table.columns, table.rows, args.format))
        return EXIT_OK

    return _reading(history)


def cmd_explain(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.asof import EVENT_LOG_ALIAS
    from warehouse.lineage import explain
    from warehouse.readonly import check_condition

    def explained() -> int:
        check_condition(args.where)  # refused in one line before anything is opened
        with _connect_for(home, args.as_of, event_log=True) as con:
            # --where is parsed as one condition and checked, never pasted into SQL.
            table = explain(con, args.mart, args.where, EVENT_LOG_ALIAS)
        _say(render(table.columns, table.rows, args.format))
        return EXIT_OK

    return _reading(explained)


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
    if args.format != "table":  # for scripts: the per-board rows, complete
        _say(render(report.columns, report.freshness, args.format))
        return EXIT_OK
    _say(report.header())
    for line in report.rejected_lines(home.quarantine):
        _say(line)
    _say("Freshness per source (boards behind: their newest period is older):")
    _say(render(*report.summary()))
    if args.verbose:
        _say("Freshness per source and board (meta_freshness):")
        _say(render(report.columns, report.freshness))
    else:
        _say("Per board: tertial status --verbose")
    return EXIT_OK


def cmd_docs(home: Paths, args: argparse.Namespace) -> int:
    from warehouse.build import BuildFailed

    home.ensure()
    try:
        # dbt docs opens the working database (for writing, as dbt does): a writer.
        with _run_lock(home):
            from warehouse.docs import build_docs

            docs = build_docs(home, _say)
    except BuildFailed as exc:
        _error(f"dbt docs generate failed: {exc}")
        return EXIT_FAILED
    _say(f"dbt docs ({len(docs.marts)} marts): {docs.dbt_index}")
    _say(
        f"Data quality: {docs.validation_pages} validation page(s), "
        f"{docs.rejected_files} rejected file(s)"
    )
    _say(f"Open (works offline): {docs.index.as_uri()}")
    return EXIT_OK


def cmd_access(home: Paths, args: argparse.Namespace) -> int:
    """Board logins and row-level security of the PostgreSQL copy (warehouse/postgres/access.py)."""
    import os

    import psycopg

    from warehouse.postgres import access
    from warehouse.postgres.server import LocalServer, ServerError

    dsn = os.environ.get("TERTIAL_PG_DSN")
    try:
        server = LocalServer.of(home)
        if not dsn and not server.running():
            _error(
                f"no PostgreSQL server is running for {home.home} (start it with `make serve`) "
                "and TERTIAL_PG_DSN is not set"
            )
            return EXIT_FAILED
        conn = psycopg.connect(dsn or server.loader_dsn())
    except (ServerError, psycopg.OperationalError) as exc:
        _error(f"cannot connect to PostgreSQL: {_first_line(exc)}")
        return EXIT_FAILED
    try:
        with conn:
            if args.action == "list":
                logins = access.list_logins(conn)
                rows = [(x.login, x.boards_text, x.created) for x in logins]
                _say(render(["login", "boards", "created"], rows, args.format))
            elif args.action == "revoke":
                access.revoke(conn, args.login, args.namnd)
                _say(f"{args.login}: board {args.namnd} revoked" if args.namnd else
                     f"{args.login}: login dropped")  # fmt: skip
            else:
                if args.all:
                    password = access.grant_read(conn, args.login)
                    what = "every board (tertial_read)"
                else:
                    password = access.grant_board(conn, args.login, args.namnd)
                    what = "board " + ", ".join(sorted(set(args.namnd)))
                _say(f"{args.login}: granted {what}")
                if password is not None:
                    # A socket folder is no address a BI tool can use: the server's TCP one.
                    host = conn.info.host
                    if host.startswith("/"):
                        reader = server.reader_dsn(args.login, "-")
                        host = psycopg.conninfo.conninfo_to_dict(reader)["host"]
                    _say(f"  host: {host}")
                    _say(f"  port: {conn.info.port}")
                    _say(f"  database: {conn.info.dbname}")
                    _say(f"  login: {args.login}")
                    _say(f"  password: {password}")
                    _say("The password is shown only this once (PostgreSQL keeps a SCRAM hash).")
    except access.AccessError as exc:
        _error(str(exc))
        return EXIT_FAILED
    except psycopg.Error as exc:  # e.g. TERTIAL_PG_DSN names a user that is no superuser
        _error(f"PostgreSQL refused: {_first_line(exc)}")
        return EXIT_FAILED
    return EXIT_OK


def cmd_serve(home: Paths, args: argparse.Namespace) -> int:
    """The home's PostgreSQL server (warehouse/postgres/server.py): the BI tools' endpoint.

    `start` also loads the published snapshot; from then on every publish of this home
    refreshes it (warehouse/pipeline.py `publish_all`) while it runs.
    """
    from warehouse.postgres.server import DATABASE, LocalServer, ServerError

    try:
        server = LocalServer.of(home)
        if args.action == "stop":
            was = server.running()
            server.stop()
            _say("PostgreSQL stopped" if was else f"PostgreSQL was not running ({server.folder})")
            return EXIT_OK
        if args.action == "status":
            if not server.running():
                _say(f"PostgreSQL is not running ({server.folder}): `tertial serve start`")
                return EXIT_OK
            _say(_serving(server, DATABASE))
            _say(_served_snapshot(server))
            return EXIT_OK
        home.ensure()
        server.start()
    except ServerError as exc:
        _error(str(exc))
        return EXIT_FAILED
    _say(_serving(server, DATABASE))
    if home.published.exists():
        from warehouse.lock import RunBusy
        from warehouse.postgres.refresh import refresh

        try:
            # Under the run lock: a publish finishing meanwhile would otherwise be
            # followed by this load of the snapshot before it.
            with _run_lock(home):
                _say(f"Loading the published snapshot {home.published} ...")
                done = refresh(home.published, server.loader_dsn())
        except RunBusy:
            _say("A run is in progress: it loads PostgreSQL when it publishes")
        else:
            _say(f"Loaded {len(done.tables)} tables, {done.rows:,} rows ({done.seconds:.1f}s)")
    else:
        _say(f"Nothing published yet in {home.home}: `tertial run` publishes and loads it")
    _say(
        "A login for a board: `tertial access grant --namnd CODE --login NAME` (its password "
        'is printed once); BI tools: the README\'s section "BI tools"'
    )
    return EXIT_OK


def _serving(server, database: str) -> str:
    host = "127.0.0.1" if server.listen in ("*", "0.0.0.0", "") else server.listen.split(",")[0]
    return (
        f"PostgreSQL is running: host {host}, port {server.port}, database {database} "
        f"(listening on {server.listen}; cluster in {server.folder})"
    )


def _served_snapshot(server) -> str:
    """Which publication PostgreSQL serves: meta.publication as loaded."""
    import psycopg

    try:
        with psycopg.connect(server.loader_dsn(), connect_timeout=10) as con:
            row = con.execute("select published_at from meta.publication").fetchone()
    except psycopg.Error:
        return "No snapshot loaded yet: `tertial run` (or `tertial serve start`) loads it"
    return f"Serves the snapshot published at {row[0]:%Y-%m-%d %H:%M:%S %Z}"


def _help(summary: str, details: str, examples: str, exits: str = "") -> dict:
    """A sub-command's help: `summary` in the list of commands and as the first line of
    its --help, then `details`, examples that work on the demo city of `tertial demo`
    (years 2022-2024, boards such as 142), and its exit codes."""
    lines = "\n".join(f"  {line}" if line else "" for line in examples.strip("\n").split("\n"))
    import textwrap

    return {
        "help": summary,
        # One paragraph, wrapped here: the raw formatter keeps the examples' lines as written.
        "description": f"{summary}.\n\n" + textwrap.fill(" ".join(details.split()), 79),
        "epilog": f"examples:\n{lines}\n\n{exits or READER_EXITS}",
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


def _add_format(command: argparse.ArgumentParser, what: str = "the rows") -> None:
    command.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help=f"{what} as an aligned table (default), CSV (header first; text that would "
        "start a formula gets a leading ') or JSON (a list of objects; amounts as exact text)",
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="tertial",
        description=__doc__.split("\n")[0],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--version", action="version", version=f"tertial {__version__}")
    root.add_argument(
        "--home", help="TERTIAL_HOME for this command (default: $TERTIAL_HOME or var/)"
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
        **_help(
            "load files or folders, one batch per file",
            "Each file is checked and appended to the event log, one line per file says how:\n"
            "accepted, duplicate (the same bytes again), waiting (a control file's data file\n"
            "is not there yet) or rejected (quarantined with a report; the rest still loads).\n"
            "Nothing is built: `tertial build` (or `tertial run`) publishes what was loaded.",
            """
tertial ingest exports/huvudbok_202501.csv exports/huvudbok_202501.ctl
tertial ingest exports/             # every file under it; registers load first
tertial build                       # then build and publish what was loaded""",
            WRITER_EXITS,
        ),
    )
    ingest.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="an export file (huvudbok_202501.csv, lon_202501.csv, budget_2025_1.csv, ...) "
        "or a folder, read recursively; the file name says which source it is",
    )
    ingest.set_defaults(handler=cmd_ingest)

    build = commands.add_parser(
        "build",
        **_help(
            "dbt build (models + tests), then publish; always, even with nothing new",
            "Every model and every data test, then the snapshot is published.\n"
            "It always builds everything, even when nothing changed since the last publish\n"
            "(`tertial run` skips the build then, or builds only what changed). A failed\n"
            "build publishes nothing: the previous snapshot stays as it was.",
            """
tertial build
tertial build --full-tests          # dbt's unit tests too""",
            WRITER_EXITS,
        ),
    )
    build.add_argument(
        "--full-tests",
        action="store_true",
        help="run dbt's unit tests too (the data tests always run)",
    )
    build.set_defaults(handler=cmd_build)

    run = commands.add_parser(
        "run",
        **_help(
            "the nightly job: ingest landing/, then build and publish if anything changed",
            "It takes what landed in $TERTIAL_HOME/landing/. With no new batch (accepted or\n"
            "rejected) and no retraction since the\n"
            "published snapshot was built, and the same dbt project, it runs no dbt and\n"
            "publishes nothing: one line says so. New batches only: it builds the models\n"
            "downstream of the event tables they wrote, with their data tests (not those on\n"
            "the pure renaming views); a retraction or a changed project builds everything.\n"
            "`tertial build` always builds everything.",
            """
cp exports/huvudbok_202501.csv "$TERTIAL_HOME/landing/" && tertial run
tertial run                         # again: "Nothing new since the snapshot ...\"""",
            WRITER_EXITS,
        ),
    )
    run.set_defaults(handler=cmd_run)

    demo = commands.add_parser(
        "demo",
        **_help(
            "write the demo city into landing/ and run",
            "The demo city: 28 boards, every source, 2022-2024 by default. After the run it\n"
            "shows example queries with their answers. One of its files is meant to be rejected.",
            """
tertial demo
tertial demo --years 2024 --rows-per-board-month 50    # a smaller, quicker city""",
            WRITER_EXITS,
        ),
    )
    demo.add_argument(
        "--years",
        type=int,
        nargs="+",
        default=[2022, 2023, 2024],
        metavar="YEAR",
        help="years of monthly ledger files (default: 2022 2023 2024)",
    )
    demo.add_argument(
        "--rows-per-board-month",
        type=int,
        default=400,
        metavar="N",
        help="ledger lines per board and month, on average (default: 400; at least 10)",
    )
    demo.set_defaults(handler=cmd_demo)

    query = commands.add_parser(
        "query",
        **_help(
            "read-only SQL against the published snapshot",
            "One statement in DuckDB SQL on the marts and meta.batches; the answer as a\n"
            "table, CSV, JSON or a workbook. --as-of answers as the warehouse would have at\n"
            "a past moment (it builds that state first, once per moment).",
            """
tertial query "select namnd_code, sum(amount) as amount from fct_ledger where period between 202401 and 202412 group by 1 order by 1"
tertial query --format xlsx --out uppfoljning.xlsx "select * from rpt_budget_followup where namnd_code = '142' and year = 2024"
tertial query --format csv "select * from meta_freshness" > freshness.csv""",  # noqa: E501
            READER_EXITS,
        ),
    )
    query.add_argument(
        "sql",
        metavar="SQL",
        help="one SELECT (WITH, FROM, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN of one, on the "
        "marts and meta.batches, in quotes; anything else (ATTACH, COPY, SET, INSTALL/LOAD, "
        "writes, file-reading functions, a second statement) is refused",
    )
    query.add_argument(
        "--format",
        choices=(*FORMATS, "xlsx"),
        default="table",
        help="table (default); csv: text cells starting with = + - @ are prefixed with ' "
        "for spreadsheets; json: a list of objects, amounts as exact text; xlsx: a workbook "
        "(--out FILE), numbers and dates as Excel's, Swedish headers",
    )
    query.add_argument("--out", metavar="FILE", help="the workbook to write (--format xlsx)")
    query.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    _add_as_of(query, "answer as the warehouse would have at T")
    query.set_defaults(handler=cmd_query)

    batches = commands.add_parser(
        "batches",
        **_help(
            "every batch in the event log",
            "Accepted and rejected: id, source, file, sha256, recorded time, status, rows "
            "and, for a rejected file, why. Its id is what "
            "`tertial retract` and `tertial explain` name.",
            """
tertial batches
tertial batches --format csv > batches.csv""",
            LOG_READER_EXITS,
        ),
    )
    _add_format(batches)
    batches.set_defaults(handler=cmd_batches)

    retract = commands.add_parser(
        "retract",
        **_help(
            "take a batch (or a retraction) out of the current state",
            "Take a batch out of the current state by appending a retraction event (the\n"
            "batch stays in the log); retracting a retraction brings back what it took out.\n"
            "It first says what would change (file, source, keys, rows) and asks on a\n"
            "terminal; --yes for scripts. It reaches the marts at the next run or build.",
            """
tertial history huvudbok 142 202206        # the June 2022 ledger of 142 and its correction
tertial retract 18 --reason "rättelsen var fel"     # asks; 18: the demo's correction
tertial retract 18 --reason "rättelsen var fel" --yes   # from a script: no question
tertial retract 153 --reason "ångrad" --yes         # retract the retraction: 18 is back""",
            RETRACT_EXITS,
        ),
    )
    retract.add_argument(
        "id",
        type=int,
        metavar="ID",
        help="a batch_id (`tertial batches`) or a retraction_id (`tertial retractions`)",
    )
    retract.add_argument(
        "--reason", required=True, help="why, kept in the log for everyone to read"
    )
    retract.add_argument(
        "--yes",
        action="store_true",
        help="do not ask for confirmation (required when stdin is not a terminal)",
    )
    retract.set_defaults(handler=cmd_retract)

    retractions = commands.add_parser(
        "retractions",
        **_help(
            "every retraction, in effect or not",
            "Its target, reason, when, by whom, with which command, and whether it is in\n"
            "effect (a retraction that was retracted is not).",
            """
tertial retractions
tertial retractions --format json""",
            LOG_READER_EXITS,
        ),
    )
    _add_format(retractions)
    retractions.set_defaults(handler=cmd_retractions)

    replay = commands.add_parser(
        "replay",
        **_help(
            "drop every projection, rebuild it from the event log, publish",
            "Every dbt schema is dropped (never the event log) and rebuilt from the log with\n"
            "a full refresh, then published: the marts come out identical.",
            """
tertial replay""",
            WRITER_EXITS,
        ),
    )
    replay.set_defaults(handler=cmd_replay)

    migrate = commands.add_parser(
        "migrate",
        **_help(
            "copy the embedded event log into the DuckLake catalog of TERTIAL_CATALOG",
            "Every batch, rejection, retraction and key is copied with its ids and recorded_at,\n"
            "in one transaction on the lake, and verified by the content hash of every event\n"
            "table before it commits; the lake must hold no event yet. Then the dbt project\n"
            "is built on the lake and every mart compared with the working database's (they\n"
            "must be built through the newest event: `tertial build` first). The embedded\n"
            "file is only read (docs/ducklake.md).",
            """
tertial migrate --to ducklake              # TERTIAL_CATALOG set: docs/ducklake.md
tertial migrate --to ducklake --no-build   # the events only""",
            WRITER_EXITS,
        ),
    )
    migrate.add_argument(
        "--to", choices=["ducklake"], required=True, help="the backend to copy the log into"
    )
    migrate.add_argument(
        "--no-build",
        action="store_true",
        help="copy and verify the event log only; build and compare no mart",
    )
    migrate.set_defaults(handler=cmd_migrate)

    history = commands.add_parser(
        "history",
        **_help(
            "every delivery of a supersession key and what became of it",
            "A key is what a later delivery replaces whole: a board's month of huvudbok, a\n"
            "forecast, ... Each accepted delivery of it, oldest first: batch, file, recorded\n"
            "time, rows, sha256 and\n"
            "whether it is current, superseded by a later delivery or retracted.",
            """
tertial history huvudbok 142 202206        # the month's ledger and its correction
tertial history prognos 142 2022 T2""",
            READER_EXITS,
        ),
    )
    history.add_argument(
        "source",
        metavar="SOURCE",
        help="the source: huvudbok, lon, sjukfranvaro, prognos, budget, indikatorer, "
        "medarbetarenkat, verksamheter, organisation",
    )
    history.add_argument(
        "key",
        nargs="+",
        metavar="KEY",
        help="the key's parts, e.g. `142 202206` or `142|202206` (huvudbok: board, month); "
        "an unknown source or key lists what there is",
    )
    _add_as_of(history, "the deliveries as they stood at T")
    _add_format(history)
    history.set_defaults(handler=cmd_history)

    explain = commands.add_parser(
        "explain",
        **_help(
            "the batches and files behind rows of a mart",
            "For a fact (a mart with a batch_id column), per batch behind the chosen rows:\n"
            "source, file, recorded time, rows contributed, supersession keys and\n"
            "the earlier deliveries each superseded.",
            """
tertial explain fct_ledger --where "namnd_code = '142' and period = 202206"
tertial explain fct_forecast --where "namnd_code = '142'" --format csv""",
            READER_EXITS,
        ),
    )
    explain.add_argument(
        "mart",
        metavar="MART",
        help="a mart with a batch_id column: a fact (fct_ledger, fct_budget, fct_forecast, "
        "fct_payroll, ...), meta_freshness or rpt_indicators",
    )
    explain.add_argument(
        "--where",
        default="true",
        metavar="COND",
        help="one SQL condition on the mart's columns, e.g. \"namnd_code = '142' and "
        'period = 202206" (default: all rows); no `;`, subquery or table function',
    )
    _add_as_of(explain, "the rows as they stood at T")
    _add_format(explain)
    explain.set_defaults(handler=cmd_explain)

    status = commands.add_parser(
        "status",
        **_help(
            "the published snapshot: when, batches, rejected files, freshness per source",
            "The rejected files are named with their reason (at most 10, the newest first);\n"
            "freshness is summed up per source, --verbose adds every board. It reads only "
            "the snapshot, so it answers during a nightly load.",
            """
tertial status
tertial status --verbose                   # the newest period of every board and source
tertial status --format json               # the per-board rows, for a script""",
            READER_EXITS,
        ),
    )
    status.add_argument(
        "--verbose",
        action="store_true",
        help="add the freshness table per source and board (meta_freshness)",
    )
    status.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="csv/json: the per-board freshness rows only (meta_freshness), for scripts",
    )
    status.set_defaults(handler=cmd_status)

    docs = commands.add_parser(
        "docs",
        **_help(
            "dbt docs and Great Expectations data docs as static HTML in docs/",
            "Written under $TERTIAL_HOME/docs/, with an index.html linking both.",
            """
tertial docs""",
            WRITER_EXITS,
        ),
    )
    docs.set_defaults(handler=cmd_docs)

    access = commands.add_parser(
        "access",
        **_help(
            "board logins of the PostgreSQL copy: grant, revoke, list",
            "The PostgreSQL copy of the marts: TERTIAL_PG_DSN, else the home's local\n"
            "server (`tertial serve start`). A board login reads only its boards' rows (row-level\n"
            "security on namnd_code); --all: every row (role tertial_read). A new login's\n"
            "password is printed once.",
            """
tertial access grant --namnd 142 --login sn_analys
tertial access list""",
            SERVER_EXITS,
        ),
    )
    actions = access.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="grant, revoke or list"
    )
    grant = actions.add_parser(
        "grant",
        **_help(
            "create a login or add a board to it",
            "Create a login that reads only its boards' rows, or add a board to it; a new\n"
            "login's password is printed once.",
            """
tertial access grant --namnd 142 --login sn_analys
tertial access grant --namnd 140 --namnd 141 --login aldre
tertial access grant --all --login controller""",
            SERVER_EXITS,
        ),
    )
    grant.add_argument("--login", required=True, help="lowercase name, e.g. sn_analys")
    scope = grant.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--namnd", action="append", metavar="CODE", help="a board code (repeat for more)"
    )
    scope.add_argument("--all", action="store_true", help="every board (role tertial_read)")
    revoke = actions.add_parser(
        "revoke",
        **_help(
            "take a board from a login, or drop the login",
            "Take one board from a login, or drop the login altogether.",
            """
tertial access revoke --login sn_analys --namnd 142
tertial access revoke --login sn_analys""",
            SERVER_EXITS,
        ),
    )
    revoke.add_argument("--login", required=True, help="the login, as granted")
    revoke.add_argument("--namnd", metavar="CODE", help="only this board (default: the login)")
    listing = actions.add_parser(
        "list",
        **_help(
            "every login, its boards (or all), created",
            "Every login of the PostgreSQL copy: its boards (or all) and when it was created.",
            """
tertial access list""",
            SERVER_EXITS,
        ),
    )
    _add_format(listing, "the logins")
    access.set_defaults(handler=cmd_access)

    serve = commands.add_parser(
        "serve",
        **_help(
            "the local PostgreSQL server BI tools connect to: start, stop, status",
            "start: run PostgreSQL 15 "
            "under $TERTIAL_HOME/postgres (port $TERTIAL_PG_PORT, default 5433; address\n"
            "$TERTIAL_PG_LISTEN, default 127.0.0.1), create the database `tertial` and load\n"
            "the published snapshot; every later publish refreshes it while it runs.\n"
            "stop: shut it down. status: whether it runs and which snapshot it serves.",
            """
tertial serve start
tertial serve status""",
            SERVER_EXITS,
        ),
    )
    serve.add_argument(
        "action",
        choices=("start", "stop", "status"),
        metavar="ACTION",
        help="start, stop or status",
    )
    serve.set_defaults(handler=cmd_serve)

    report = commands.add_parser(
        "report",
        help="a board's tertial or year-end report from the marts: HTML, PDF, Excel",
        description="Write a board's tertial or year-end report from the marts.\n\n"
        "The report (T1, T2 or VB of a year) comes from the published snapshot, or as it\n"
        "could have been written at --as-of T: one self-contained HTML file, an A4 PDF\n"
        "(headless Chromium) and an Excel workbook of its tables.",
        epilog="examples:\n"
        "  tertial report --namnd 142 --report T2 --year 2023\n"
        "  tertial report --all --report VB --year 2023 --out reports/\n"
        "  tertial report --namnd 140 --report T1 --year 2024 --format html xlsx\n\n"
        "exit codes: 0 written, 2 no such board or report (one line on stderr says what\n"
        "to do), or a format could not be written (the others were)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    boards = report.add_mutually_exclusive_group(required=True)
    boards.add_argument("--namnd", metavar="CODE", help="the board's code, e.g. 142")
    boards.add_argument("--all", action="store_true", help="every board with figures")
    report.add_argument(
        "--report",
        required=True,
        choices=("T1", "T2", "VB"),
        help="T1 (through April), T2 (through August), VB (the year)",
    )
    report.add_argument("--year", required=True, type=int, help="the report's year")
    report.add_argument(
        "--out", metavar="DIR", help="folder to write into (default: reports/ under TERTIAL_HOME)"
    )
    report.add_argument(
        "--format",
        nargs="+",
        choices=("html", "pdf", "xlsx"),
        default=["html", "pdf", "xlsx"],
        help="what to write (default: all)",
    )
    _add_as_of(report, "the report as it could have been written at T")
    report.set_defaults(handler=cmd_report)
    return root


def cmd_report(home: Paths, args: argparse.Namespace) -> int:
    """`tertial report`: one board's report, or every board's (--all), into --out."""
    from warehouse.report import ReportUnavailable, write_report
    from warehouse.report.figures import boards_with_figures

    out = Path(args.out) if args.out else home.reports

    def write() -> int:
        exit_code = EXIT_OK
        with _connect_for(home, args.as_of) as con:
            codes = boards_with_figures(con, args.report, args.year) if args.all else [args.namnd]
            if not codes:
                _error(
                    f"no board has figures for {args.report} {args.year}: load and build "
                    "its files first"
                )
                return EXIT_FAILED
            for code in codes:
                try:
                    written = write_report(con, code, args.report, args.year, out, args.format)
                except ReportUnavailable as exc:
                    _error(str(exc))
                    exit_code = EXIT_FAILED
                    continue
                files = ", ".join(str(f) for f in written.files.values())
                _say(f"{written.report.namnd_name} ({code}) {written.report.title}: {files}")
                for problem in written.problems:
                    _error(problem)
                    exit_code = EXIT_FAILED
        return exit_code

    return _reading(write)


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends as one line on stderr and an exit code.

    A traceback never reaches the terminal: an unexpected error is said in one line and
    its details are written (personnummer masked) to a log file under the home.
    """
    args = parser().parse_args(argv)
    home = paths(args.home)
    try:
        return args.handler(home, args)
    except KeyboardInterrupt:
        _error("interrupted: no half-loaded batch is left behind (each file is one transaction)")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `tertial batches | head`: the reader has what it wanted. Python would complain
        # again flushing stdout at exit, so stdout goes nowhere from here on.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        code, message = _failure(home, exc)
        _error(_masked(message))
        return code


def _failure(home: Paths, exc: Exception) -> tuple[int, str]:
    """The exit code and the one line that say what went wrong and what to do."""
    if _is(exc, "warehouse.lock.RunBusy") or _is(exc, "warehouse.store.WarehouseBusy"):
        return EXIT_BUSY, str(exc)
    if _is(exc, "warehouse.build.BuildFailed"):
        return EXIT_FAILED, f"build failed, nothing was published: {exc}"
    if _is(exc, "duckdb.Error") and "could not set lock" in _first_line(exc).lower():
        return EXIT_BUSY, (
            f"busy: a database is in use by another process ({_first_line(exc)}); "
            "run this again when it has finished"
        )
    full = _disk_full(exc)
    if full is not None:
        return EXIT_FAILED, (
            f"the disk is full ({full}): free space on the disk of {home.home} and run the "
            "command again; nothing half-written was kept (a file is loaded in one "
            "transaction, a snapshot is replaced only when complete)"
        )
    for ours in (
        "warehouse.store.WarehouseDamaged",
        "warehouse.asof.AsOfError",
        "warehouse.retractions.RetractionRefused",
        "warehouse.postgres.refresh.RefreshFailed",
        "warehouse.migrate.MigrationRefused",
        "warehouse.lake.LakeConfigurationError",
    ):
        if _is(exc, ours):
            return EXIT_FAILED, str(exc)
    if isinstance(exc, OSError) and exc.filename is None and exc.errno is None:
        return EXIT_FAILED, str(exc)  # ours, worded for the user ("no such file or folder")
    if isinstance(exc, OSError) and exc.filename is not None:
        where = Path(exc.filename)
        what = f"{exc.strerror or type(exc).__name__}: {where}"
        if where == home.home or home.home in where.parents or where in home.home.parents:
            return EXIT_FAILED, (
                f"cannot use TERTIAL_HOME {home.home} ({what}): it must be a folder this "
                "user can write; set TERTIAL_HOME (or --home) to one"
            )
        return EXIT_FAILED, what
    if _is(exc, "duckdb.Error") and _first_line(exc).lower().startswith("io error"):
        return EXIT_FAILED, f"{_first_line(exc)} (details in {_log_details(home, exc)})"
    return EXIT_FAILED, (
        f"unexpected error: {type(exc).__name__}: {_first_line(exc)} "
        f"(details in {_log_details(home, exc)})"
    )


def _is(exc: BaseException, qualified: str) -> bool:
    """isinstance(exc, module.Class), without importing the module: one not imported
    raised nothing (and a busy exit need not wait for Great Expectations to import)."""
    module, _, name = qualified.rpartition(".")
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(exc, cls)


def _disk_full(exc: BaseException) -> str | None:
    """The one-line text of a 'no space left' (or quota) error in `exc`'s chain, if any."""
    import errno

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"{current.strerror}: {current.filename}" if current.filename else str(current)
        text = _first_line(current)
        if "no space left on device" in text.lower() or "disk quota exceeded" in text.lower():
            return text
        current = current.__cause__ or current.__context__
    return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _masked(text: str) -> str:
    """What reaches the terminal or a log never shows a personnummer."""
    from sources._common.personnummer import mask

    return mask(text)


def _log_details(home: Paths, exc: BaseException) -> str:
    """Write `exc`'s traceback (masked) to a log file; return where, or why it could not."""
    import datetime as dt
    import os
    import tempfile
    import traceback

    from warehouse.lock import command_line

    now = dt.datetime.now(dt.UTC)
    text = _masked(
        f"{now.isoformat()} tertial {__version__}: {command_line()}\n"
        f"TERTIAL_HOME={home.home}\n\n" + "".join(traceback.format_exception(exc))
    )
    name = f"tertial-{now:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    for folder in (home.home / "logs", Path(tempfile.gettempdir()) / "tertial-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        except OSError:
            continue
        return str(folder / name)
    return "no log: nothing could be written, not even to the temporary folder"


def entry() -> None:
    """The `tertial` command: `main`, then exit without Python's last garbage collection.

    At exit Python collects every object the process made, Great Expectations',
    SQLAlchemy's and pydantic's thousands of classes and schemas included: 0.45-0.6 s
    after an ingest had finished (of a 5.7 s ingest of a 1 M-line month, issue 14's probe,
    paired runs). `gc.freeze()` moves them out of the collector's reach: reference counting
    still frees every object and every `atexit` handler still runs (nothing is skipped,
    unlike `os._exit`), only the final cycle search is not made. Not in `main`, which the
    tests and the benchmark call in-process and which must leave the collector as it was.
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()

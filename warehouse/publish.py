"""Publish the finished marts as a read-only snapshot for analysts and BI tools.

DuckDB allows one writing process or many reading ones per file, never both. So
readers never open the working database: the build writes a brand-new file, closes it,
makes it read-only and renames it over `published/tertial.duckdb` in one atomic step.
A reader mid-query keeps the old file (its open handle survives the rename); every new
connection gets the new snapshot.

`replace_from` is that write-then-rename for both published files (the snapshot here,
the event log's copy in published_log.py); `write_meta` writes `meta.batches` and
`meta.publication` for the snapshot and for every as-of build (asof.py).

Comments: every published table and column carries its description as a DuckDB comment,
its Swedish label first (`Nämnd (kod). The register's code.`; warehouse/comments.py):
the marts' from the dbt YAML (`comment_from_manifest`: the descriptions of the build's
manifest), meta's from META_COMMENTS.
Whoever serves the snapshot elsewhere (the PostgreSQL refresh) reads them straight from
it, one line each, and repeats them as `COMMENT ON`:

    select schema_name, table_name, comment from duckdb_tables() where comment is not null
    select schema_name, table_name, column_name, comment from duckdb_columns()
        where comment is not null

`warehouse.comments.label(comment)` gives the label alone (a column header).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse.comments import described, existing_columns, write_comments
from warehouse.connection import duckdb_connect
from warehouse.crashpoints import crash_point

T = TypeVar("T")

# The schemas readers get. `events` stays behind: the log is the loader's, and at city
# scale (120 M ledger lines) copying it would make every publish cost the whole history.
PUBLISHED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class Published:
    path: Path
    tables: tuple[str, ...]
    seconds: float
    published_at: dt.datetime


@dataclass(frozen=True)
class BuildRecord:
    """What the last full, successful dbt build of the working database was built from.

    Recorded by warehouse/freshness.py; the publish writes it into `meta.publication`.
    """

    through_event_id: int
    fingerprint: str


def publish(
    working: Path,
    target: Path,
    built: BuildRecord | None = None,
    manifest: Path | None = None,
) -> Published:
    """Copy the marts of `working` into a new file and atomically replace `target`.

    `built`: what the working marts were built from (warehouse/freshness.py), written to
    `meta.publication` for the nightly run to compare with; None when unknown.
    `manifest`: dbt's manifest of the build, whose descriptions become the marts' comments.
    Whatever stops it (a full disk, a damaged working database, an interrupt) the old
    snapshot stays as it was and the temporary file and its WAL are removed.
    """
    started = time.perf_counter()
    published_at = dt.datetime.now(dt.UTC)

    def copy_marts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
        tables = con.execute(
            """
            select table_schema, table_name
            from information_schema.tables
            where table_catalog = 'work' and table_schema in (select unnest(?))
            order by all
            """,
            [list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f'create schema if not exists "{schema}"')
        for number, (schema, table) in enumerate(tables):
            # Identifiers come from the catalog of our own database, quoted.
            con.execute(
                f'create table "{schema}"."{table}" as select * from work."{schema}"."{table}"'
            )
            if number == 0:
                crash_point("during_snapshot_copy")
        if manifest is not None:
            comment_from_manifest(con, manifest, tables)
        write_meta(
            con,
            "work",
            published_at=published_at,
            through_event_id=built.through_event_id if built else None,
            build_fingerprint=built.fingerprint if built else None,
        )
        return tables

    tables = replace_from(working, target, copy_marts, before_replace="during_publish")
    names = tuple(f"{s}.{t}" for s, t in tables)
    return Published(target, names, time.perf_counter() - started, published_at)


def comment_from_manifest(
    con: duckdb.DuckDBPyConnection, manifest: Path, tables: Iterable[tuple[str, str]]
) -> None:
    """Every table of `tables` and its columns commented with its dbt description.

    From the manifest the build wrote (every dbt command writes the project's whole
    manifest); none when there is none yet.
    """
    if not manifest.exists():
        return
    described_tables, described_columns = described(
        json.loads(manifest.read_text(encoding="utf-8")), tables
    )
    write_comments(con, described_tables, existing_columns(con, described_columns))


# meta's tables are written here, not by dbt: their descriptions, Swedish label first as
# in the marts (warehouse/comments.py).
META_COMMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "batches": (
        "Leveranser: every delivered file the warehouse received, accepted or rejected "
        "(the event log's events.batches; in an as-of answer up to its cut).",
        {
            "batch_id": "Leverans. The batch's number; the marts' batch_id points here.",
            "source": "Källa. The source (huvudbok, budget, prognos, lon, sjukfranvaro, ...).",
            "file_name": "Fil. The delivered file's name.",
            "sha256": "Kontrollsumma (SHA-256). Of the file's bytes: the same bytes are "
            "loaded once.",
            "recorded_at": "Registrerad. When the warehouse received the file (transaction time).",
            "status": "Status. accepted or rejected (a retraction is its own event, not a status).",
            "row_count": "Antal rader. Rows the file delivered.",
            "reason": "Orsak. Why the file was rejected (a summary); null when accepted.",
        },
    ),
    "publication": (
        "Publicering: one row, what this database answers for and what it was built from.",
        {
            "published_at": "Publicerad. When this database was written.",
            "as_of": "Avser tidpunkt. The moment an as-of answer is for; null in the nightly "
            "snapshot, which answers for now.",
            "cut_recorded_at": "Brytpunkt (registrerad). When the newest event counted by an "
            "as-of answer was recorded; null in the nightly snapshot.",
            "through_batch_id": "T.o.m. leverans. The newest batch counted (the cut's event "
            "id in an as-of answer).",
            "through_event_id": "T.o.m. händelse. The newest event (batch or retraction) "
            "the dbt build saw.",
            "build_fingerprint": "Byggversion. The dbt project's fingerprint the marts were "
            "built with; null in an as-of answer or when unknown.",
        },
    ),
}


def write_meta(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    *,
    published_at: dt.datetime,
    as_of: dt.datetime | None = None,
    through_id: int | None = None,
    cut_recorded_at: dt.datetime | None = None,
    through_event_id: int | None = None,
    build_fingerprint: str | None = None,
) -> None:
    """`meta.batches` and `meta.publication` of a database built from the log `catalog`.

    The published snapshot (`through_id` None) lists every batch of the log; an as-of
    build (warehouse/asof.py) the batches up to its cut, the newest event recorded by
    `as_of` (`through_id`, recorded at `cut_recorded_at`). `meta.publication` is one row:
    `published_at` (when this database was written), `as_of` and `cut_recorded_at`
    (null in the published snapshot, which answers for now), `through_batch_id`
    (the newest batch counted; the cut's event id in an as-of build), and what the marts
    were built from (warehouse/freshness.py): `through_event_id`, the newest event (batch
    or retraction) the dbt build saw (the cut's event id in an as-of build), and
    `build_fingerprint`, the dbt project's (null in an as-of build, or when unknown).
    """
    where = "" if through_id is None else f"where batch_id <= {through_id:d}"
    con.execute("create schema if not exists meta")
    # `catalog` is one of our fixed aliases.
    con.execute(
        f"""
        create or replace table meta.batches as
        select batch_id, source, file_name, sha256, recorded_at, status, row_count, reason
        from "{catalog}".events.batches
        {where}
        """
    )
    con.execute(
        f"""
        create or replace table meta.publication as
        select ?::timestamptz as published_at,
               ?::timestamptz as as_of,
               ?::timestamptz as cut_recorded_at,
               coalesce(?::bigint, (select max(batch_id) from "{catalog}".events.batches))
                   as through_batch_id,
               coalesce(?::bigint, ?::bigint) as through_event_id,
               ?::varchar as build_fingerprint
        """,
        [
            published_at,
            as_of,
            cut_recorded_at,
            through_id,
            through_id,
            through_event_id,
            build_fingerprint,
        ],
    )
    write_comments(
        con,
        [("meta", table, comment) for table, (comment, _) in META_COMMENTS.items()],
        [
            ("meta", table, column, comment)
            for table, (_, columns) in META_COMMENTS.items()
            for column, comment in columns.items()
        ],
    )


def replace_from(
    working: Path,
    target: Path,
    write: Callable[[duckdb.DuckDBPyConnection], T],
    *,
    start_from_target: bool = False,
    before_replace: str | None = None,
) -> T:
    """Write a new `target` from `working` and put it in place in one atomic step.

    Both publishes (the marts snapshot here, the event log's copy in published_log.py)
    are this: a temporary file beside `target` (`.<name>.<pid>.tmp`; a clone of
    `target` when `start_from_target` and it exists), opened with the warehouse's
    settings, the working log attached read-only as `work` (`attach_working`: the file
    `working`, or the DuckLake catalog when one is configured), `write(con)` fills it, then
    detach, checkpoint, close, read-only and rename over `target`. `before_replace` is
    the crash point (warehouse/crashpoints.py) between the written file and its rename.

    Whatever stops it (a full disk, a damaged working database, an interrupt) the old
    `target` stays as it was and the temporary file and its WAL are removed; what a
    killed one left behind (a dead process's temporary) is removed first.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    remove_temporary(temporary)
    try:
        if start_from_target and target.exists():
            _clone(target, temporary)
            os.chmod(temporary, 0o644)
        con = duckdb_connect(temporary)
        try:
            attach_working(con, working, "work")
            result = write(con)
            con.execute("detach work")
            con.execute("checkpoint")
        except BaseException:
            close_quietly(con)
            raise
        con.close()
        if before_replace:
            crash_point(before_replace)
        replace_read_only(temporary, target)
    except BaseException:
        remove_temporary(temporary)
        raise
    return result


def attach_working(con: duckdb.DuckDBPyConnection, working: Path, alias: str) -> None:
    """The working event log and marts, read-only, as `alias`: the file `working`, or on
    the DuckLake catalog (`TERTIAL_CATALOG`, issue 18) the catalog, where the loaders
    append and `dbt build --target lake` writes the marts (warehouse/build.py). Both
    publishes read the same names from either (`work.events.*`, `work.marts.*`)."""
    from warehouse.lake import configured_lake

    lake = configured_lake()
    if lake is None:
        attach_read_only(con, working, alias)
    else:
        lake.attach(con, alias, read_only=True)


def attach_read_only(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """Attach a database file read-only under `alias` (one of our fixed names)."""
    # ATTACH takes no bind parameter; the path is our own setting, quoted as a literal.
    literal = str(path).replace("'", "''")
    con.execute(f"attach if not exists '{literal}' as {alias} (read_only)")


def _clone(source: Path, target: Path) -> None:
    """Copy a file, sharing its blocks where the file system can (reflink)."""
    with source.open("rb") as src, target.open("wb") as dst:
        size = os.fstat(src.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                step = os.copy_file_range(src.fileno(), dst.fileno(), size - copied)
                if step == 0:
                    break
                copied += step
        except OSError:
            copied = 0
        if copied != size:
            src.seek(0)
            dst.seek(0)
            dst.truncate()
            shutil.copyfileobj(src, dst, 1 << 24)
        dst.flush()
        os.fsync(dst.fileno())


def remove_stale_temporaries(target: Path) -> None:
    """Remove what a killed publish left behind: `.<name>.<pid>.tmp` of a dead process
    and the write-ahead log DuckDB kept beside it (`.<name>.<pid>.tmp.wal`)."""
    prefix = f".{target.name}."
    for stale in target.parent.glob(f"{prefix}*.tmp*"):
        pid, _, rest = stale.name.removeprefix(prefix).partition(".")
        if rest in ("tmp", "tmp.wal") and pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection after a failure without raising over that failure."""
    with contextlib.suppress(duckdb.Error):
        con.close()


def remove_temporary(temporary: Path) -> None:
    """Remove a temporary database file and the write-ahead log DuckDB keeps beside it."""
    for path in (temporary, temporary.with_name(temporary.name + ".wal")):
        path.unlink(missing_ok=True)


def replace_read_only(temporary: Path, target: Path) -> None:
    """Make a finished file read-only and put it in `target`'s place in one atomic step.

    Readers must not be able to write to what they read (0444). The bytes reach the disk
    before the name points at them, and the rename reaches the disk before we report
    success: a crash or power cut leaves the old file or the new one, never a part.
    """
    os.chmod(temporary, 0o444)
    _fsync(temporary)
    os.replace(temporary, target)
    _fsync(target.parent)


def _fsync(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect_published(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the snapshot, with the marts on the search path.

    Opened for analysts' SQL (warehouse.readonly): no file beside the snapshot, no
    setting changed; SnapshotUnavailable (a FileNotFoundError) when it is missing or
    broken, saying to run `tertial build`.
    """
    from warehouse.readonly import connect

    return connect(path)

"""Publish the finished marts as a read-only snapshot for analysts and BI tools.

DuckDB allows one writing process or many reading ones per file, never both. So
readers never open the working database: the build writes a brand-new file, closes it,
makes it read-only and renames it over `published/tertial.duckdb` in one atomic step.
A reader mid-query keeps the old file (its open handle survives the rename); every new
connection gets the new snapshot.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.crashpoints import crash_point
from warehouse.settings import duckdb_config

# The schemas readers get. `events` stays behind: the log is the loader's, and at city
# scale (120 M ledger lines) copying it would make every publish cost the whole history.
PUBLISHED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class Published:
    path: Path
    tables: tuple[str, ...]
    seconds: float
    published_at: dt.datetime


def publish(working: Path, target: Path) -> Published:
    """Copy the marts of `working` into a new file and atomically replace `target`.

    Whatever stops it (a full disk, a damaged working database, an interrupt) the old
    snapshot stays as it was and the temporary file and its WAL are removed.
    """
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    remove_temporary(temporary)
    published_at = dt.datetime.now(dt.UTC)
    try:
        tables = _write_snapshot(working, temporary, published_at)
        crash_point("during_publish")
        replace_read_only(temporary, target)
    except BaseException:
        remove_temporary(temporary)
        raise
    names = tuple(f"{s}.{t}" for s, t in tables)
    return Published(target, names, time.perf_counter() - started, published_at)


def _write_snapshot(
    working: Path, temporary: Path, published_at: dt.datetime
) -> list[tuple[str, str]]:
    """Write the marts and `meta` of `working` into the new file `temporary`, closed."""
    con = duckdb.connect(str(temporary), config=duckdb_config())
    try:
        # ATTACH takes no bind parameter; the path is our own setting, quoted as a literal.
        literal = str(working).replace("'", "''")
        con.execute(f"attach '{literal}' as work (read_only)")
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
        con.execute("create schema if not exists meta")
        con.execute(
            """
            create table meta.batches as
            select batch_id, source, file_name, sha256, recorded_at, status, row_count, reason
            from work.events.batches
            """
        )
        con.execute(
            "create table meta.publication as select ?::timestamptz as published_at, "
            "(select max(batch_id) from work.events.batches) as through_batch_id",
            [published_at],
        )
        con.execute("detach work")
        con.execute("checkpoint")
    except BaseException:
        close_quietly(con)
        raise
    con.close()
    return tables


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

"""Publish a read-only copy of the event log, appended incrementally, replaced atomically.

As-of builds (`tertial query --as-of`), `tertial history` and `tertial explain` need the
log, and analysts must never open the working database (DuckDB: one writer or many
readers, so a reader would block the nightly load or be blocked by it). They read
`published/event_log.duckdb` instead.

At city scale the log holds ~120 M ledger lines, so a publish never re-reads it: the
previous copy is cloned (copy_file_range: a reflink on XFS/btrfs, a kernel-side copy
elsewhere), only the events with an id above the copy's newest are appended, and the
clone is renamed over the copy in one step, like the marts snapshot. Batches and
retractions share one id sequence and one writer appends them one transaction at a
time, so "id above the copy's newest" is exactly "not copied yet".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.crashpoints import crash_point
from warehouse.publish import attach_read_only, replace_from
from warehouse.schema import schema_sql

__all__ = ["PublishedLog", "attach_read_only", "publish_event_log"]

# The id column of every event table: a retraction's own id, every other row's batch.
ID_COLUMN = {"retractions": "retraction_id"}


@dataclass(frozen=True)
class PublishedLog:
    path: Path
    appended: dict[str, int]  # rows appended per table
    through_id: int
    seconds: float


def through_id(con: duckdb.DuckDBPyConnection, catalog: str = "") -> int:
    """The newest event id (batch or retraction) in a log; 0 for an empty one."""
    prefix = f'"{catalog}".' if catalog else ""
    row = con.execute(
        f"""
        select greatest(
            coalesce((select max(batch_id) from {prefix}events.batches), 0),
            coalesce((select max(retraction_id) from {prefix}events.retractions), 0)
        )
        """
    ).fetchone()
    return int(row[0]) if row else 0


def publish_event_log(working: Path, target: Path, *, rebuild: bool = False) -> PublishedLog:
    """Append the events `target` lacks from `working`, then replace `target` atomically.

    `rebuild` starts from an empty copy (tertial replay): the whole log is copied.
    Whatever stops it (a full disk, a damaged working database, an interrupt), the old
    copy stands (warehouse.publish.replace_from).
    """
    started = time.perf_counter()
    appended, newest = replace_from(
        working, target, _append_new_events, start_from_target=not rebuild
    )
    return PublishedLog(target, appended, newest, time.perf_counter() - started)


def _append_new_events(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], int]:
    """Into the new copy (the old one cloned, or empty): the events of `work` it lacks."""
    appended: dict[str, int] = {}
    con.execute(schema_sql())
    watermark = through_id(con)
    tables = [
        name
        for (name,) in con.execute(
            """
            select table_name from information_schema.tables
            where table_catalog = 'work' and table_schema = 'events'
            order by table_name
            """
        ).fetchall()
    ]
    con.execute("begin transaction")
    for table in tables:
        # Identifiers come from the catalog of our own database, quoted.
        con.execute(
            f'create table if not exists events."{table}" as '
            f'select * from work.events."{table}" limit 0'
        )
        id_column = ID_COLUMN.get(table, "batch_id")
        cursor = con.execute(
            f'insert into events."{table}" by name '
            f'select * from work.events."{table}" where "{id_column}" > ?',
            [watermark],
        )
        appended[table] = int((cursor.fetchone() or [0])[0])
    crash_point("during_log_publish")
    con.execute("commit")
    return appended, through_id(con)

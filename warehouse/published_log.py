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

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.crashpoints import crash_point
from warehouse.publish import close_quietly, remove_temporary, replace_read_only
from warehouse.schema import schema_sql
from warehouse.settings import duckdb_config

# The id column of every event table: a retraction's own id, every other row's batch.
ID_COLUMN = {"retractions": "retraction_id"}


@dataclass(frozen=True)
class PublishedLog:
    path: Path
    appended: dict[str, int]  # rows appended per table
    through_id: int
    seconds: float


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


def attach_read_only(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """Attach a database file read-only under `alias` (one of our fixed names)."""
    # ATTACH takes no bind parameter; the path is our own setting, quoted as a literal.
    literal = str(path).replace("'", "''")
    con.execute(f"attach if not exists '{literal}' as {alias} (read_only)")


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
    """
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    remove_temporary(temporary)
    try:
        appended, newest = _append_new_events(working, target, temporary, rebuild=rebuild)
        replace_read_only(temporary, target)
    except BaseException:
        # A full disk, a damaged working database, an interrupt: the old copy stands.
        remove_temporary(temporary)
        raise
    return PublishedLog(target, appended, newest, time.perf_counter() - started)


def _append_new_events(
    working: Path, target: Path, temporary: Path, *, rebuild: bool
) -> tuple[dict[str, int], int]:
    """Write the new copy into `temporary` (closed): the old copy plus the new events."""
    if target.exists() and not rebuild:
        _clone(target, temporary)
        os.chmod(temporary, 0o644)
    appended: dict[str, int] = {}
    con = duckdb.connect(str(temporary), config=duckdb_config())
    try:
        con.execute(schema_sql())
        attach_read_only(con, working, "work")
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
        newest = through_id(con)
        con.execute("detach work")
        con.execute("checkpoint")
    except BaseException:
        close_quietly(con)
        raise
    con.close()
    return appended, newest

"""The event log in DuckDB: batches and their rows, appended once and never changed.

A file is one batch and one transaction: the batch row, its supersession keys and all
its data rows are committed together or not at all. A crash (or SIGKILL) before COMMIT
leaves nothing behind, because DuckDB rolls back a transaction whose commit never
reached the write-ahead log; running the load again then finishes the job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from sources._common.batch import ParsedBatch, Reference
from tertial.settings import SCHEMA_SQL, duckdb_config
from warehouse.crashpoints import crash_point
from warehouse.retractions import RetractionRefused, refusal, resolve

# Tables a batch may write to: identifiers only ever come from this list.
EVENT_TABLES = (
    "huvudbok",
    "organisation",
    "verksamheter",
    "budget",
    "prognos",
    "lon",
    "sjukfranvaro",
    "medarbetarenkat",
    "indikatorer",
)


class WarehouseBusy(RuntimeError):
    """Another process holds the working database (one writer at a time)."""


@dataclass(frozen=True)
class BatchMeta:
    """What the warehouse records about a delivered file."""

    source: str
    file_name: str
    file_path: str
    sha256: str
    file_bytes: int
    encoding: str | None
    row_count: int


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the working database, with a clear message when another process has it."""
    try:
        return duckdb.connect(str(path), read_only=read_only, config=duckdb_config())
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"the working database {path} is in use by another load or build "
                "(DuckDB allows one writer); try again when it has finished"
            ) from exc
        raise


class EventStore:
    """Append-only access to `events.*` in the working database."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.con = connect(path)
        self.con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def accepted_batch_with(self, sha256: str) -> int | None:
        """The accepted batch that already holds these exact bytes, if any."""
        row = self.con.execute(
            "select min(batch_id) from events.batches where sha256 = ? and status = 'accepted'",
            [sha256],
        ).fetchone()
        return row[0] if row else None

    def rejected_batch_with(self, sha256: str, reason: str) -> int | None:
        """The rejection already recorded for these bytes with this reason, if any."""
        row = self.con.execute(
            """
            select min(batch_id) from events.batches
            where sha256 = ? and status = 'rejected' and reason = ?
            """,
            [sha256, reason],
        ).fetchone()
        return row[0] if row else None

    def reference(self) -> Reference:
        """Codes a new file is resolved against: the register and current activities."""
        # A retracted register delivery no longer vouches for a code.
        pairs = self.con.execute("select retraction_id, target_id from events.retractions")
        retracted = list(resolve(pairs.fetchall()).retracted_by)
        codes = self.con.execute(
            """
            select distinct o.kod
            from events.organisation as o
            join events.batches as b using (batch_id)
            where b.status = 'accepted' and b.batch_id not in (select unnest(?::bigint[]))
            """,
            [retracted],
        ).fetchall()
        pairs = self.con.execute(
            """
            with newest as (
                select key as namnd, max(batch_id) as batch_id
                from events.supersession_keys
                where source = 'verksamheter' and batch_id not in (select unnest(?::bigint[]))
                group by key
            )
            select distinct v.namnd, v.verksamhet
            from events.verksamheter as v
            join newest as n on v.batch_id = n.batch_id and v.namnd = n.namnd
            """,
            [retracted],
        ).fetchall()
        return Reference(
            namnd_codes=frozenset(code for (code,) in codes),
            verksamheter=frozenset((n, v) for n, v in pairs),
        )

    def batches(self) -> pl.DataFrame:
        return self.con.execute(
            """
            select batch_id, source, file_name, sha256, recorded_at, status, row_count,
                   encoding, reason, report_path, file_path
            from events.batches
            order by batch_id
            """
        ).pl()

    # -- writing -------------------------------------------------------------------------

    def append(self, meta: BatchMeta, parsed: ParsedBatch, keys: pl.DataFrame) -> int:
        """Append an accepted batch: batch row, keys and data rows in one transaction.

        A file may feed several event tables (a SIE file: ledger lines and budget rows);
        they are all written in this one transaction, so a crash leaves none of them.
        `keys` carries per key the table (`source`) whose current state it decides.
        """
        tables = {
            table: rows
            for table, rows in parsed.event_tables.items()
            if rows.height or table == parsed.source
        }
        unknown = [t for t in tables if t not in EVENT_TABLES]
        if unknown:
            raise ValueError(f"no event table for {', '.join(map(repr, unknown))}")
        con = self.con
        # Views over the Polars frames (no copy): a ledger month is ~1 M rows.
        views = {table: f"batch_rows_{number}" for number, table in enumerate(tables)}
        for table, view in views.items():
            con.register(view, tables[table])
        con.register("batch_keys", keys)
        con.execute("begin transaction")
        try:
            batch_id = self._insert_batch(meta, status="accepted")
            for table, view in views.items():
                columns = ", ".join(c for c in tables[table].columns if c != "extra")
                # Identifiers: `table` is one of EVENT_TABLES (checked above), `view` ours,
                # the columns the parser's own; every value is bound.
                con.execute(
                    f"""
                    insert into events.{table} (batch_id, {columns}, extra)
                    select ?, {columns}, cast(extra as json) from {view}
                    """,
                    [batch_id],
                )
            con.execute(
                """
                insert into events.supersession_keys (batch_id, source, key, row_count)
                select ?, source, key, row_count from batch_keys
                """,
                [batch_id],
            )
            crash_point("before_commit")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            for view in views.values():
                con.unregister(view)
            con.unregister("batch_keys")
        return batch_id

    def record_rejection(self, meta: BatchMeta, reason: str, report_path: str) -> int:
        """Record that a file was rejected; none of its rows enter the log."""
        self.con.execute("begin transaction")
        try:
            batch_id = self._insert_batch(
                meta, status="rejected", reason=reason, report_path=report_path
            )
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        return batch_id

    def retract(self, target_id: int, reason: str, *, recorded_by: str, command: str) -> int:
        """Append a retraction of a batch (or of a retraction) and return its id.

        Checked and written in one transaction, so two retractions of the same batch can
        never both pass the check (warehouse/retractions.py says what is refused).
        """
        if not reason.strip():
            raise RetractionRefused("a retraction needs a reason (--reason)")
        con = self.con
        con.execute("begin transaction")
        try:
            status = dict(con.execute("select batch_id, status from events.batches").fetchall())
            pairs = con.execute(
                "select retraction_id, target_id from events.retractions"
            ).fetchall()
            why = refusal(target_id, status, pairs)
            if why is not None:
                raise RetractionRefused(why)
            row = con.execute(
                """
                insert into events.retractions
                    (retraction_id, target_id, reason, recorded_at, recorded_by, command)
                values (nextval('events.batch_id_seq'), ?, ?, ?, ?, ?)
                returning retraction_id
                """,
                [target_id, reason.strip(), self._next_recorded_at(), recorded_by, command],
            ).fetchone()
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        assert row is not None
        return int(row[0])

    def _insert_batch(
        self,
        meta: BatchMeta,
        *,
        status: str,
        reason: str | None = None,
        report_path: str | None = None,
    ) -> int:
        recorded_at = self._next_recorded_at()
        params: list[Any] = [
            meta.source,
            meta.file_name,
            meta.file_path,
            meta.sha256,
            meta.file_bytes,
            meta.encoding,
            recorded_at,
            status,
            meta.row_count,
            reason,
            report_path,
        ]
        row = self.con.execute(
            """
            insert into events.batches (
                batch_id, source, file_name, file_path, sha256, file_bytes, encoding,
                recorded_at, status, row_count, reason, report_path
            )
            values (nextval('events.batch_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            returning batch_id
            """,
            params,
        ).fetchone()
        assert row is not None
        return int(row[0])

    def _next_recorded_at(self) -> dt.datetime:
        """Transaction time: now, but strictly after every event (batch or retraction).

        Two loads within the clock's resolution, or a clock stepped back by NTP, must
        still order batches exactly as they were appended: as-of queries rely on it.
        """
        now = dt.datetime.now(dt.UTC)
        row = self.con.execute(
            "select greatest((select max(recorded_at) from events.batches), "
            "(select max(recorded_at) from events.retractions))"
        ).fetchone()
        latest = row[0] if row else None
        if latest is not None:
            latest = latest.astimezone(dt.UTC)
            if now <= latest:
                now = latest + dt.timedelta(microseconds=1)
        return now

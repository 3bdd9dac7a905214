"""The event log in DuckDB: batches and their rows, appended once and never changed.

The log lives in the working database (the default), or in a DuckLake catalog when
`TERTIAL_CATALOG` says so (warehouse/lake.py: the same tables, several writers).

A file is one batch and one transaction: the batch row, its supersession keys and all
its data rows are committed together or not at all. A crash (or SIGKILL) before COMMIT
leaves nothing behind, because DuckDB rolls back a transaction whose commit never
reached the write-ahead log; running the load again then finishes the job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from sources import registry
from sources._common.arrow import arrow_chunks
from sources._common.batch import ParsedBatch, Reference
from sources._common.personnummer import mask
from warehouse.connection import duckdb_connect
from warehouse.crashpoints import crash_point
from warehouse.lake import HEAD_SQL, Lake, configured_lake, in_transaction, lake_schema_sql
from warehouse.readonly import sql_literal
from warehouse.retractions import RetractionRefused, refusal, resolve
from warehouse.schema import schema_sql

_SHA256 = re.compile(r"[0-9a-f]{64}")


class WarehouseBusy(RuntimeError):
    """Another process holds the working database (one writer at a time)."""


class WarehouseDamaged(RuntimeError):
    """The working database exists but DuckDB cannot open it: damaged or not a database."""


class DuplicateBatch(Exception):
    """The same bytes were accepted meanwhile, by a concurrent loader (on the lake): the
    append wrote nothing; `batch_id` is the batch that holds them."""

    def __init__(self, batch_id: int) -> None:
        super().__init__(f"same bytes as batch {batch_id}")
        self.batch_id = batch_id


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
    """Open the working database, with a clear message when another process has it or
    when it cannot be opened at all."""
    try:
        return duckdb_connect(path, read_only=read_only)
    except duckdb.Error as exc:
        text = str(exc)
        if "could not set lock" in text.lower() or "conflicting lock" in text.lower():
            raise WarehouseBusy(
                f"busy: the working database {path} is in use by another load or build "
                "(DuckDB allows one writer); run this again when it has finished"
            ) from exc
        if "no space left" in text.lower() or not path.is_file():
            raise  # the disk, or the folder: the command line says what to do about it
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        raise WarehouseDamaged(
            f"the working database {path} cannot be opened ({first}): it is damaged or "
            "not a DuckDB file, and nothing was written to it; move it aside (keep it), "
            "restore the working database from the last backup, then run `tertial replay`"
        ) from exc


def event_log_connect(database: Path) -> tuple[duckdb.DuckDBPyConnection, Lake | None]:
    """The one way to open the event log of the configured backend (warehouse/lake.py):
    the working database `database`, or the DuckLake catalog of `TERTIAL_CATALOG`.
    Returns the connection and the lake (None for the embedded file)."""
    lake = configured_lake()
    if lake is None:
        return connect(database), None
    return lake.connect(), lake


class EventStore:
    """Append-only access to `events.*` in the working database, or on the lake."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.con, self.lake = event_log_connect(path)
        try:
            # The log's schema (idempotent): a new database, or one from before a table
            # (a source's table is generated from its contract: warehouse/schema.py).
            if self.lake is None:
                self.con.execute(schema_sql())
            else:
                # One transaction, retried: two loaders starting on a new lake both
                # create the tables, and DuckLake refuses the second create of a name.
                sql = lake_schema_sql(schema_sql()) + HEAD_SQL
                in_transaction(self.con, lambda: self.con.execute(sql), retry=True)
        except BaseException:
            self.con.close()  # a full disk or an interrupt: never leave the file open
            raise

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def accepted_batch_with(self, sha256: str) -> int | None:
        """The accepted batch that already holds these exact bytes, if any.

        The hash is written into the query (64 hex digits, checked), not bound: binding a
        Python value makes DuckDB's client import numpy, pandas and pyarrow first, 0.2-0.3 s
        on this machine. This is every file's first query; a duplicate needs nothing else,
        and for a new file the import then happens with Great Expectations' in its thread
        (warehouse/ingest.py), while the file is parsed, instead of before.
        """
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
        row = self.con.execute(
            "select min(batch_id) from events.batches "
            f"where sha256 = '{sha256}' and status = 'accepted'"
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
        """Codes a new file is resolved against: the register, current activities, and
        when each code is valid (see `Reference`).

        The board's ends and the activities' spans are read from the (small) registers on
        every file; the activities the ledger, budget and forecast use are read only when
        a new activity register asks (`Reference.activities_in_use`).
        """
        # A retracted register delivery no longer vouches for a code.
        pairs = self.con.execute("select retraction_id, target_id from events.retractions")
        retracted = list(resolve(pairs.fetchall()).retracted_by)
        # The ids as a literal list, not a bound parameter: DuckDB's Python client imports
        # pandas at a process's first query with parameters (0.35-0.45 s on the main
        # thread of every ingest; Great Expectations' import thread needs it anyway).
        out = sql_literal(retracted)
        codes = self.con.execute(
            f"""
            select distinct o.kod
            from events.organisation as o
            join events.batches as b using (batch_id)
            where b.status = 'accepted' and b.batch_id not in (select unnest({out}))
            """
        ).fetchall()
        # A code ends where its newest dated events are all endings (the way dim_namnd
        # decides is_active: on one date a Skapad or Namnbyte outweighs an ending).
        ends = self.con.execute(
            f"""
            with events as (
                select distinct o.kod, o.datum, o.handelse
                from events.organisation as o
                join events.batches as b using (batch_id)
                where b.status = 'accepted' and b.batch_id not in (select unnest({out}))
            ),
            newest as (
                select kod, max(datum) as datum from events group by kod
            )
            select e.kod, e.datum, string_agg(distinct e.handelse, ', ' order by e.handelse)
            from events as e
            join newest as n on e.kod = n.kod and e.datum = n.datum
            group by e.kod, e.datum
            having bool_and(e.handelse in ('Nedlagd', 'Sammanslagen', 'Delad'))
            """
        ).fetchall()
        activities = self.con.execute(
            f"""
            with newest as (
                select key as namnd, max(batch_id) as batch_id
                from events.supersession_keys
                where source = 'verksamheter' and batch_id not in (select unnest({out}))
                group by key
            )
            select
                v.namnd,
                v.verksamhet,
                case when count(*) = count(v.giltig_fran) then min(v.giltig_fran) end,
                case when count(*) = count(v.giltig_till) then max(v.giltig_till) end
            from events.verksamheter as v
            join newest as n on v.batch_id = n.batch_id and v.namnd = n.namnd
            group by v.namnd, v.verksamhet
            """
        ).fetchall()
        return Reference(
            namnd_codes=frozenset(code for (code,) in codes),
            verksamheter=frozenset((n, v) for n, v, _, _ in activities),
            namnd_ends={code: (day, event) for code, day, event in ends},
            verksamhet_spans={(n, v): (lo, hi) for n, v, lo, hi in activities},
            activities_in_use=lambda namnds: self._activities_in_use(namnds, retracted),
        )

    def _activities_in_use(
        self, namnds: Sequence[str], retracted: list[int]
    ) -> frozenset[tuple[str, str]]:
        """(Nämnd, Verksamhet) pairs of the boards' current ledger, budget and forecast.

        Current: per supersession key the newest delivery that is not retracted, as
        int_deliveries_ranked decides (a SIE file's lines are keyed as `huvudbok` and its
        period budget as `budget`). Only the boards asked for are read: the ledger's
        zone maps skip nothing here (every month's batch holds every board), so this
        scans `events.huvudbok`'s four key columns once, which is why it runs only when
        a new activity register is checked.
        """
        if not namnds:
            return frozenset()
        rows = self.con.execute(
            """
            with ranked as (
                select
                    source, key, batch_id,
                    row_number() over (partition by source, key order by batch_id desc) as rank
                from events.supersession_keys
                where source in ('huvudbok', 'budget', 'prognos')
                    and batch_id not in (select unnest(?::bigint[]))
            ),
            current as (select source, key, batch_id from ranked where rank = 1),
            ledger_keys as (
                select
                    batch_id,
                    split_part(key, '|', 1) as namnd,
                    cast(split_part(key, '|', 2) as integer) as period
                from current
                where source = 'huvudbok' and split_part(key, '|', 1) in (select unnest(?))
            )
            select distinct h.namnd, h.verksamhet
            from events.huvudbok as h
            join ledger_keys as k
                on h.batch_id = k.batch_id and h.namnd = k.namnd and h.period = k.period
            union
            select distinct b.namnd, b.verksamhet
            from events.budget as b
            join current as c
                on c.source = 'budget' and b.batch_id = c.batch_id and b.beslut = c.key
            where b.namnd in (select unnest(?))
            union
            select distinct p.namnd, p.verksamhet
            from events.prognos as p
            join current as c
                on c.source = 'prognos' and p.batch_id = c.batch_id
                and c.key = concat_ws('|', p.namnd, p.ar, p.prognostillfalle)
            where p.namnd in (select unnest(?))
            """,
            [retracted, list(namnds), list(namnds), list(namnds)],
        ).fetchall()
        # Verksamhet -1 (Okänd) is the warehouse's own code for lines booked on no
        # activity (SIE files without objects): no register lists it, so it never
        # counts as an activity a re-delivered register dropped.
        return frozenset((n, v) for n, v in rows if v != "-1")

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
        # Tables a batch may write to: identifiers only ever come from the registry.
        unknown = [t for t in tables if t not in registry.event_tables()]
        if unknown:
            raise ValueError(f"no event table for {', '.join(map(repr, unknown))}")
        con = self.con
        # Views over the Polars frames (no copy): a ledger month is ~1 M rows.
        views = {table: f"batch_rows_{number}" for number, table in enumerate(tables)}
        for table, view in views.items():
            con.register(view, arrow_chunks(tables[table]))
        con.register("batch_keys", keys)

        def write() -> int:
            if self.lake is not None:
                # A concurrent loader may have accepted the same bytes since the caller
                # asked (`accepted_batch_with`): this transaction reads the log as of its
                # start, and a commit in between makes it conflict and run again.
                existing = self.accepted_batch_with(meta.sha256)
                if existing is not None:
                    raise DuplicateBatch(existing)
            batch_id = self._insert_batch(meta, status="accepted")
            for table, view in views.items():
                columns = ", ".join(c for c in tables[table].columns if c != "extra")
                # Identifiers: `table` is an event table (checked above), `view` ours,
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
            return batch_id

        try:
            return in_transaction(
                con,
                write,
                retry=self.lake is not None,
                before_commit=lambda: crash_point("before_commit"),
            )
        finally:
            for view in views.values():
                con.unregister(view)
            con.unregister("batch_keys")

    def record_rejection(self, meta: BatchMeta, reason: str, report_path: str) -> int:
        """Record that a file was rejected; none of its rows enter the log.

        On the lake the caller's `rejected_batch_with` may be stale (a concurrent loader
        rejected the same bytes meanwhile): asked again inside the transaction, that
        rejection is returned and nothing written, as on the embedded file.
        """

        def write() -> int:
            if self.lake is not None:
                existing = self.rejected_batch_with(meta.sha256, reason)
                if existing is not None:
                    return existing
            return self._insert_batch(
                meta, status="rejected", reason=reason, report_path=report_path
            )

        return in_transaction(self.con, write, retry=self.lake is not None)

    def retract(self, target_id: int, reason: str, *, recorded_by: str, command: str) -> int:
        """Append a retraction of a batch (or of a retraction) and return its id.

        Checked and written in one transaction, so two retractions of the same batch can
        never both pass the check (warehouse/retractions.py says what is refused).
        """
        if not reason.strip():
            raise RetractionRefused("a retraction needs a reason (--reason)")
        con = self.con

        def write() -> int:
            status = dict(con.execute("select batch_id, status from events.batches").fetchall())
            pairs = con.execute(
                "select retraction_id, target_id from events.retractions"
            ).fetchall()
            why = refusal(target_id, status, pairs)
            if why is not None:
                raise RetractionRefused(why)
            lake_id = self._next_lake_id()
            row = con.execute(
                f"""
                insert into events.retractions
                    (retraction_id, target_id, reason, recorded_at, recorded_by, command)
                values ({_id_sql(lake_id)}, ?, ?, ?, ?, ?)
                {_returning("retraction_id", lake_id)}
                """,
                [target_id, reason.strip(), self._next_recorded_at(), recorded_by, command],
            ).fetchone()
            if lake_id is not None:
                return lake_id
            assert row is not None
            return int(row[0])

        return in_transaction(con, write, retry=self.lake is not None)

    def _insert_batch(
        self,
        meta: BatchMeta,
        *,
        status: str,
        reason: str | None = None,
        report_path: str | None = None,
    ) -> int:
        recorded_at = self._next_recorded_at()
        # No personnummer in the log, ever: a file named for one, or rejected for one,
        # is recorded with it masked (`19121212-****`); only the quarantined file keeps it.
        params: list[Any] = [
            meta.source,
            mask(meta.file_name),
            mask(meta.file_path),
            meta.sha256,
            meta.file_bytes,
            meta.encoding,
            recorded_at,
            status,
            meta.row_count,
            None if reason is None else mask(reason),
            None if report_path is None else mask(report_path),
        ]
        lake_id = self._next_lake_id()
        row = self.con.execute(
            f"""
            insert into events.batches (
                batch_id, source, file_name, file_path, sha256, file_bytes, encoding,
                recorded_at, status, row_count, reason, report_path
            )
            values ({_id_sql(lake_id)}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            {_returning("batch_id", lake_id)}
            """,
            params,
        ).fetchone()
        if lake_id is not None:
            return lake_id
        assert row is not None
        return int(row[0])

    def _next_lake_id(self) -> int | None:
        """On the lake, the next event id (batches and retractions share one id space);
        None on the embedded file, whose sequence gives it in the insert.

        The lake has no sequence: the one row of `loader.head` is moved on. The update
        also makes any two concurrent event writes conflict, so ids are given in commit
        order (warehouse/lake.py).
        """
        if self.lake is None:
            return None
        self.con.execute("update loader.head set batch_id = batch_id + 1")
        row = self.con.execute("select batch_id from loader.head").fetchone()
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


def _id_sql(lake_id: int | None) -> str:
    """The id in an event's insert: the lake's (an int of ours) or the file's sequence."""
    return "nextval('events.batch_id_seq')" if lake_id is None else str(int(lake_id))


def _returning(column: str, lake_id: int | None) -> str:
    """DuckLake takes no RETURNING ("not yet supported for insertion into DuckLake
    table"); the embedded file returns the id its sequence gave."""
    return f"returning {column}" if lake_id is None else ""

""" "As of" any moment: the whole dbt project built over the log as it stood then.

`tertial query --as-of T` answers exactly as the warehouse would have at T: only events
(batches, retractions) recorded by T count. dbt does the cutting (TERTIAL_AS_OF, applied
in int_batches_accepted and int_retractions_resolved: macros/as_of.sql), so every mart
honours it, report marts included, with no code of its own.

The build runs on the published, read-only copy of the log (target `asof` in
profiles.yml attaches it), into a scratch database of its own under
`$TERTIAL_HOME/asof/<cut>/`: an analyst never opens the working database, never waits
for a load and never holds up one.

The cache is keyed by the cut: the newest event recorded by T. The events up to it never
change (the log is append-only) and every later event is recorded later than it, so a
cached build is final. A new event recorded before T (a T in the log's future) moves T's
cut, and with it to a new build.

Every build of a home reuses dbt's parse of the one before (kept as
$TERTIAL_HOME/asof/partial_parse.msgpack, warehouse/saved_parse.py): the moment
reaches dbt as an environment variable, and the database as the same relative path
from the build's own folder, so nothing dbt's partial parsing keys on changes between
two cuts.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from warehouse.build import manifest_path, run_dbt
from warehouse.connection import duckdb_connect
from warehouse.publish import attach_read_only, comment_from_manifest, write_meta
from warehouse.readonly import connect
from warehouse.saved_parse import PARSE_FILE, seed, share
from warehouse.settings import Paths

Progress = Callable[[str], None]

# A timestamp without an offset is the city's wall-clock time.
CITY_TIME = ZoneInfo("Europe/Stockholm")
EVENT_LOG_ALIAS = "event_log"  # the alias profiles.yml's `asof` target attaches


class AsOfError(ValueError):
    """The moment cannot be read, or there is no published log to cut."""


def parse_as_of(text: str) -> dt.datetime:
    """A moment as given on the command line, as an aware UTC datetime.

    ISO 8601: `2011-09-15T10:00:00`, `2011-09-15 10:00`, with an optional offset or `Z`.
    A date alone means the end of that day. Without an offset the time is Stockholm's.

    >>> parse_as_of("2011-09-15T10:00:00").isoformat()
    '2011-09-15T08:00:00+00:00'
    >>> parse_as_of("2011-09-15T10:00:00Z").isoformat()
    '2011-09-15T10:00:00+00:00'
    >>> parse_as_of("2011-12-31").isoformat()
    '2011-12-31T22:59:59.999999+00:00'
    """
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime.combine(day, dt.time.max)
        else:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise AsOfError(
            f"--as-of {text!r} is not a moment: use e.g. 2011-09-15T10:00:00 (Stockholm "
            "time), 2011-09-15T08:00:00Z or 2011-09-15"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CITY_TIME)
    try:
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise AsOfError(
            f"--as-of {text!r} is out of range: give a moment between the years 0001 and "
            "9999 in UTC, e.g. 2011-09-15T10:00:00"
        ) from None


@dataclass(frozen=True)
class Cut:
    """Which events a moment sees: all with an id up to `through_id`."""

    as_of: dt.datetime
    through_id: int  # newest event id recorded by as_of (0: none)
    recorded_at: dt.datetime | None  # its transaction time

    @property
    def moment(self) -> dt.datetime:
        """The moment dbt cuts at: the newest event's time, or as_of when there is none."""
        return self.recorded_at or self.as_of

    @property
    def name(self) -> str:
        """Folder name of the cut's cached build."""
        return f"{self.moment:%Y%m%dT%H%M%S%fZ}-{self.through_id}"

    def dbt_var(self) -> str:
        """The moment for dbt (TERTIAL_AS_OF), to the microsecond, with its offset."""
        return self.moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def cut_of(log: Path, as_of: dt.datetime) -> Cut:
    """The cut of `as_of` in the published log: the newest event recorded by then."""
    con = connect(log, search_path=None, what="published event log")
    try:
        row = con.execute(
            """
            select event_id, recorded_at from (
                select batch_id as event_id, recorded_at from events.batches
                union all
                select retraction_id, recorded_at from events.retractions
            )
            where recorded_at <= ?
            order by event_id desc
            limit 1
            """,
            [as_of],
        ).fetchone()
    finally:
        con.close()
    if row is None:
        return Cut(as_of, 0, None)
    return Cut(as_of, int(row[0]), row[1].astimezone(dt.UTC))


def as_of_database(paths: Paths, as_of: dt.datetime, progress: Progress | None = None) -> Path:
    """The database that answers as of `as_of`, built (and cached) when needed."""
    log = paths.published_events
    if not log.exists():
        raise FileNotFoundError(
            f"no published event log at {log}: run `tertial build` first "
            "(as-of queries read the published copy, never the working database)"
        )
    cut = cut_of(log, as_of)
    final = paths.asof / cut.name
    if Paths(final).database.exists():
        return Paths(final).database
    if progress:
        progress(
            f"Building the warehouse as of {cut.moment.isoformat()} "
            f"(events through {cut.through_id}) into {final} ..."
        )
    # Built beside the cache under a name of our own, then renamed into place: two
    # analysts asking for the same cut never see each other's half-built database.
    scratch = Paths(paths.asof / f".{cut.name}.{os.getpid()}.tmp")
    shutil.rmtree(scratch.home, ignore_errors=True)
    scratch.ensure()
    try:
        # This home's parse of its last cut first, else this machine's (run_dbt).
        parse = paths.asof / PARSE_FILE
        seed(scratch.dbt_target, parse)
        # The models only; their tests passed in the nightly build of these same events.
        # Every path relative to the build's folder (dbt runs in it: warehouse/build.py
        # `dbt_env`), the moment an environment variable: the same profile for every cut
        # and every home, as the profile's paths are part of what a saved parse is
        # valid for.
        run_dbt(
            scratch,
            "build",
            "--target",
            "asof",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            progress=progress,
            env={
                "TERTIAL_EVENTS_PATH": os.path.relpath(log, scratch.home),
                "TERTIAL_AS_OF": cut.dbt_var(),
            },
        )
        share(scratch.dbt_target, parse)
        _add_meta(scratch.database, log, cut, manifest_path(scratch))
        try:
            scratch.home.rename(final)
        except OSError:
            if not Paths(final).database.exists():
                raise
            shutil.rmtree(scratch.home, ignore_errors=True)  # another build won the race
    except BaseException:
        shutil.rmtree(scratch.home, ignore_errors=True)
        raise
    return Paths(final).database


def _add_meta(database: Path, log: Path, cut: Cut, manifest: Path) -> None:
    """`meta.batches` and `meta.publication` as in the published snapshot, for the cut,
    and the marts' comments from the build's manifest, as the publish writes them."""
    con = duckdb_connect(database)
    try:
        marts = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
        comment_from_manifest(con, manifest, marts)
        attach_read_only(con, log, EVENT_LOG_ALIAS)
        write_meta(
            con,
            EVENT_LOG_ALIAS,
            published_at=dt.datetime.now(dt.UTC),
            as_of=cut.as_of,
            through_id=cut.through_id,
            cut_recorded_at=cut.recorded_at,
        )
        con.execute(f"detach {EVENT_LOG_ALIAS}")
    finally:
        con.close()


def connect_as_of(
    paths: Paths, as_of: dt.datetime, progress: Progress | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection answering as of `as_of`, marts first on the search path.

    Opened for analysts' SQL like the published snapshot (warehouse.readonly): external
    access off and the configuration locked once the log's copy is attached.

    The log's copy is attached too: the staging and intermediate views of the as-of
    database read it (their cut is compiled into them, so a newer copy answers the same).
    """
    database = as_of_database(paths, as_of, progress)
    return connect(
        database,
        attach={EVENT_LOG_ALIAS: paths.published_events},
        what="as-of build",
        remedy=f"delete {database.parent} (a cache) and ask again",
    )

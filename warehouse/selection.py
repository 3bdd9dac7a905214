"""What the nightly build builds: only the models downstream of what changed.

When the nightly run builds at all (warehouse/freshness.py: something is new since the
published snapshot), the working marts are usually the snapshot's build of the log up to
some event, by this very project: each successful build records that (`built_from`).
Then only the marts whose inputs changed need building again:

- an event table (`events.<table>`, one per source) that received rows or supersession
  keys after that event: `source:events.<table>+`, the models downstream of it. A SIE
  batch writes `huvudbok` and `budget`; its keys say which (`supersession_keys.source`),
  and so do its rows. A delivery with no rows still supersedes its keys: the keys count.
- the models over every source's batches, keys and current deliveries (tag
  `every_source` in dbt_project.yml: the log's views of them and the meta marts),
  whenever any batch, accepted or rejected, arrived;
- the tests of the log's own tables (`source:events.batches`, `supersession_keys`);
- after a retraction (or the retraction of a retraction), the tables the batch at the
  bottom of its chain wrote, as if that batch had just arrived or gone, and
  `int_retractions_resolved`, the table every source's accepted batches read, with the
  tests of `events.retractions`.

This is sound because the rest of the project reads `events.batches` and
`events.supersession_keys` only per source: every current-state model takes the winning
deliveries of its own source (`current_deliveries('<source>')`, the `current_rows`
macro) and lies downstream of that source's table; an accepted batch of another source
adds nothing it reads. A retraction likewise changes the accepted batches of the
retracted batch's own sources only: the other sources' current deliveries, and every
table built from them, stay row for row what they were. Views need no rebuilding for
new rows (they read the tables they name when queried); what a selective build
re-creates are the tables and the incremental sum of the ledger (whose post-hook takes
out the months of a retracted delivery, as in a whole build).
tests/integration/test_nothing_new.py checks that the marts of a selective build equal
those of a full build of the same events.

Anything else builds everything, as before: no build record of the working marts (a
build failed or was killed, or a replay dropped them), a changed project fingerprint, a
log that ends before the recorded event, an event table dbt does not know, nothing new
since the record (the run died between build and publish), or a log that cannot be read.

`plan` is pure; `observe_changes` reads the log and the manifest for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from warehouse.freshness import (
    built_from,
    connect_working_log,
    project_fingerprint,
    working_newest_event,
)
from warehouse.publish import BuildRecord
from warehouse.settings import Paths

EVENTS_SOURCE = "events"  # the dbt source of the event log (_events__sources.yml)
# The log's own tables, written with every batch: not a source's data.
LOG_TABLES = frozenset({"batches", "retractions", "supersession_keys"})
# Models over every source's batches, keys and current deliveries (dbt_project.yml).
EVERY_SOURCE_TAG = "every_source"
# After a retraction: the resolved retractions (a table every source's accepted batches
# read) and the tests of the retractions' own table.
RETRACTIONS = ("int_retractions_resolved", f"source:{EVENTS_SOURCE}.retractions")


@dataclass(frozen=True)
class Changes:
    """What the event log holds after the event the working marts were built through.

    None where it is unknown (no build record, an unreadable log or manifest).
    """

    built: BuildRecord | None  # what the working marts were built from
    newest_event: int | None  # of the working log
    fingerprint: str  # of the project as it is now
    batches: int | None  # new batches, accepted or rejected
    retractions: int | None  # new retractions
    tables: frozenset[str] | None  # event tables that received rows or keys
    known_tables: frozenset[str] | None  # the event tables dbt declares as sources
    # Event tables of the batches new retractions take out (or put back): rows or keys.
    retracted: frozenset[str] | None = frozenset()


@dataclass(frozen=True)
class Plan:
    """The nightly build's dbt selection (empty: everything) and one line saying why."""

    select: tuple[str, ...]
    reason: str

    @property
    def full(self) -> bool:
        return not self.select


def plan(changes: Changes) -> Plan:
    """Build the models downstream of the tables that changed, or everything when unsure.

    >>> from warehouse.publish import BuildRecord
    >>> tables = frozenset({"huvudbok", "budget", "lon"})
    >>> changes = Changes(BuildRecord(7, "f"), 9, "f", 2, 0, frozenset({"huvudbok"}), tables)
    >>> plan(changes).select
    ('source:events.huvudbok+', 'tag:every_source', 'source:events.batches', \
'source:events.supersession_keys')
    >>> retraction = Changes(BuildRecord(7, "f"), 9, "f", 0, 1, frozenset(), tables,
    ...     frozenset({"lon"}))
    >>> plan(retraction).select
    ('source:events.lon+', 'tag:every_source', 'source:events.batches', \
'source:events.supersession_keys', 'int_retractions_resolved', 'source:events.retractions')
    >>> plan(retraction).reason
    "1 retraction (of a batch in lon) since the working marts were built (events through 7): \
building the models downstream of it and those over every source's deliveries, with their \
data tests."
    """
    built = changes.built
    if built is None:
        return Plan((), "The working marts' last build is not on record: building everything.")
    if built.fingerprint != changes.fingerprint:
        return Plan(
            (),
            "The dbt project (or dbt, DuckDB, the publish code) changed since the working "
            "marts were built: building everything.",
        )
    since = f"since the working marts were built (events through {built.through_event_id})"
    if changes.newest_event is None or changes.batches is None or changes.retractions is None:
        return Plan((), "The working event log cannot be read: building everything.")
    if changes.newest_event < built.through_event_id:
        return Plan(
            (),
            f"The working log ends at event {changes.newest_event}, before the working marts' "
            f"build (events through {built.through_event_id}): building everything.",
        )
    if changes.retractions and changes.retracted is None:
        return Plan(
            (), "Which batches the new retractions touch cannot be read: building everything."
        )
    if not changes.batches and not changes.retractions:
        return Plan((), f"No new batch {since}, yet no snapshot of them: building everything.")
    if changes.tables is None or changes.known_tables is None:
        return Plan((), "Which event tables changed cannot be read: building everything.")
    retracted = changes.retracted or frozenset()
    unknown = sorted((changes.tables | retracted) - changes.known_tables)
    if unknown:
        return Plan(
            (),
            f"New events in {', '.join(unknown)}, which the dbt project does not declare: "
            "building everything.",
        )
    tables = sorted(changes.tables | retracted)
    select = (
        *(f"source:{EVENTS_SOURCE}.{table}+" for table in tables),
        f"tag:{EVERY_SOURCE_TAG}",
        *(f"source:{EVENTS_SOURCE}.{table}" for table in ("batches", "supersession_keys")),
        *(RETRACTIONS if changes.retractions else ()),
    )
    what = _what_is_new(changes.batches or 0, changes.tables, changes.retractions, retracted)
    if tables:
        downstream = "it" if len(tables) == 1 else "them"
        return Plan(
            select,
            f"{what} {since}: building the models downstream of {downstream} and those over "
            "every source's deliveries, with their data tests.",
        )
    return Plan(
        select,
        f"{what} {since}, none with data: building the models over every source's deliveries "
        "and the log's tests only.",
    )


def _what_is_new(
    batches: int, tables: frozenset[str], retractions: int, retracted: frozenset[str]
) -> str:
    """'2 new batches in lon and 1 retraction (of a batch in huvudbok)', for the plan's line.

    >>> _what_is_new(1, frozenset({"lon"}), 0, frozenset())
    '1 new batch in lon'
    >>> _what_is_new(2, frozenset(), 2, frozenset({"budget", "huvudbok"}))
    '2 new batches and 2 retractions (of batches in budget, huvudbok)'
    >>> _what_is_new(0, frozenset(), 1, frozenset())
    '1 retraction (of a batch with no data)'
    """
    parts = []
    if batches:
        parts.append("1 new batch" if batches == 1 else f"{batches} new batches")
        if tables:
            parts[-1] += f" in {', '.join(sorted(tables))}"
    if retractions:
        of = "a batch" if retractions == 1 else "batches"
        where = f"in {', '.join(sorted(retracted))}" if retracted else "with no data"
        count = "1 retraction" if retractions == 1 else f"{retractions} retractions"
        parts.append(f"{count} (of {of} {where})")
    return " and ".join(parts)


def observe_changes(paths: Paths) -> Changes:
    """Read what `plan` needs: the working marts' record, the log after it, the manifest."""
    built = built_from(paths)
    newest = working_newest_event(paths)
    batches = retractions = tables = retracted = None
    if built is not None and newest is not None:
        batches, retractions, tables, retracted = _since(paths, built.through_event_id)
    return Changes(
        built=built,
        newest_event=newest,
        fingerprint=project_fingerprint(),
        batches=batches,
        retractions=retractions,
        tables=tables,
        known_tables=_declared_tables(paths),
        retracted=retracted,
    )


def nightly_plan(paths: Paths) -> Plan:
    """`plan(observe_changes(paths))`: what the nightly build builds, and why."""
    return plan(observe_changes(paths))


Since = tuple[int | None, int | None, frozenset[str] | None, frozenset[str] | None]


def _since(paths: Paths, through: int) -> Since:
    """After `through`: new batches, new retractions, the event tables with new rows or
    keys, and the event tables of the batches the new retractions take out or put back."""
    # The event id as a literal, not a parameter: DuckDB's Python client imports pandas
    # at a process's first query with parameters, 0.44 s of a 10.3 s nightly build
    # (py -X importtime, 2026-12-06). An int from our own record: nothing to quote.
    through = int(through)
    try:
        con = connect_working_log(paths)
    except duckdb.Error:
        return None, None, None, None
    try:
        [(batches,)] = con.execute(
            f"select count(*) from events.batches where batch_id > {through}"
        ).fetchall()
        [(retractions,)] = con.execute(
            f"select count(*) from events.retractions where retraction_id > {through}"
        ).fetchall()
        keyed = {
            source
            for (source,) in con.execute(
                f"select distinct source from events.supersession_keys where batch_id > {through}"
            ).fetchall()
        }
        # Every source's table has batch_id, its rows inserted in batch order: a look past
        # `through` reads the zone maps of the newest row groups only.
        candidates = [
            table
            for (table,) in con.execute(
                "select table_name from information_schema.columns where table_schema = "
                "'events' and column_name = 'batch_id' and table_catalog = current_database()"
            ).fetchall()
            if table not in LOG_TABLES
        ]
        written = {
            table
            for table in candidates
            if con.execute(
                f'select exists (select 1 from events."{table}" where batch_id > {through})'
            ).fetchone()[0]
        }
        retracted = _retracted_tables(con, through, candidates) if retractions else frozenset()
    except duckdb.Error:
        return None, None, None, None
    finally:
        con.close()
    return batches, retractions, frozenset(keyed | written), retracted


def _retracted_tables(
    con: duckdb.DuckDBPyConnection, through: int, candidates: list[str]
) -> frozenset[str]:
    """The event tables (keys' sources, tables with rows) of the batches at the bottom of
    the chains of the retractions after `through`: a retraction targets a batch or an
    earlier retraction, whose own target is followed down to its batch."""
    targets = dict(
        con.execute("select retraction_id, target_id from events.retractions").fetchall()
    )
    batches = set()
    for retraction in (r for r in targets if r > through):
        target = targets[retraction]
        while target in targets:  # an earlier retraction: ids only go down, so this ends
            target = targets[target]
        batches.add(int(target))
    listed = ", ".join(str(b) for b in sorted(batches))
    keyed = {
        source
        for (source,) in con.execute(
            f"select distinct source from events.supersession_keys where batch_id in ({listed})"
        ).fetchall()
    }
    # One equality per batch: the zone maps of a table in batch order find its row groups.
    written = {
        table
        for table in candidates
        if any(
            con.execute(
                f'select exists (select 1 from events."{table}" where batch_id = {batch})'
            ).fetchone()[0]
            for batch in sorted(batches)
        )
    }
    return frozenset(keyed | written)


def _declared_tables(paths: Paths) -> frozenset[str] | None:
    """The event tables dbt knows as sources, from the manifest its last run wrote."""
    try:
        manifest = json.loads((paths.dbt_target / "manifest.json").read_text(encoding="utf-8"))
        return (
            frozenset(
                source["name"]
                for source in manifest["sources"].values()
                if source["source_name"] == EVENTS_SOURCE
            )
            - LOG_TABLES
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None

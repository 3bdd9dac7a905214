"""`tertial migrate --to ducklake`: the embedded event log copied into a DuckLake catalog.

A home that grew up on the embedded file (`warehouse/tertial.duckdb`) moves to the lake of
`TERTIAL_CATALOG` (warehouse/lake.py) without loading its files again: every batch,
rejection, retraction and supersession key is copied as it is, with its ids and its
`recorded_at`, so as-of answers, lineage and retractions mean the same after the move.

- One transaction on the lake: every event table is copied (`insert ... by name`: an old
  file's columns added later sit elsewhere in its tables), the lake's `loader.head` set
  to the newest id, and each table's content hash compared with the file's before the
  commit. A difference, a crash or an interrupt leaves the lake as it was.
- The lake must hold no event yet: merging two histories would renumber one of them.
- The content hash of a table is the md5 of its rows' md5s in sorted order, each row
  read as text: equal hashes mean the same rows, every column, as the same types.
- Then the same dbt project is built on the lake (`dbt build --target lake`, its data
  tests with it) and every mart of the working database is compared, by the same hash,
  with the lake's: the marts of the same events must be equal row for row, clocks
  included. That needs the working marts built through the newest event; when they are
  not, the comparison is skipped and said so (`tertial build` first, then migrate).

The embedded file is only read (attached read-only, under the run lock): it stays the
home's log until `TERTIAL_CATALOG` is set for its loaders.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from warehouse.lake import Lake, in_transaction
from warehouse.publish import attach_read_only
from warehouse.settings import Paths

Progress = Callable[[str], None]
EMBEDDED = "embedded"  # the alias of the working database, attached read-only


class MigrationRefused(RuntimeError):
    """The migration cannot start or did not verify; the lake was left as it was."""


@dataclass(frozen=True)
class Migrated:
    """What was copied (rows per event table), what verified, and how long it took."""

    rows: dict[str, int]
    marts_compared: tuple[str, ...] = ()
    marts_skipped: str | None = None  # why the marts were not compared
    seconds: float = 0.0


def content_hash(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, str]:
    """(rows, md5 of the sorted md5s of its rows read as text) of `table` (qualified).

    >>> con = duckdb.connect()
    >>> _ = con.execute("create table t as select * from (values (1, 'a'), (2, 'b')) v(x, y)")
    >>> _ = con.execute("create table u as select * from (values (2, 'b'), (1, 'a')) v(x, y)")
    >>> content_hash(con, "t") == content_hash(con, "u")
    True
    >>> content_hash(con, "t")[0]
    2
    """
    count, digest = con.execute(
        f"select count(*), coalesce(md5(string_agg(h, '' order by h)), '') "
        f"from (select md5(cast(r as varchar)) as h from {table} as r)"
    ).fetchone()
    return int(count), str(digest)


def tables_of(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    """The base tables of `catalog`.`schema`, by name."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? "
        "and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [catalog, schema],
    ).fetchall()
    return [name for (name,) in rows]


def compared(
    con: duckdb.DuckDBPyConnection, lake_catalog: str, schema: str, tables: list[str]
) -> tuple[dict[str, int], list[str]]:
    """(rows per table on the lake, the tables whose content hash differs from the
    attached file's) for `tables` of `schema`; a table the file lacks counts as empty."""
    in_file = set(tables_of(con, EMBEDDED, schema))
    rows: dict[str, int] = {}
    differing: list[str] = []
    for table in tables:
        on_lake = content_hash(con, f'{lake_catalog}.{schema}."{table}"')
        file_hash = (0, "")
        if table in in_file:
            file_hash = content_hash(con, f'{EMBEDDED}.{schema}."{table}"')
        rows[table] = on_lake[0]
        if on_lake != file_hash:
            differing.append(table)
    return rows, differing


def copy_events(con: duckdb.DuckDBPyConnection, lake_catalog: str) -> dict[str, int]:
    """Every event table of the attached embedded log into the lake's, in the caller's
    transaction, then each table's hash compared; raises MigrationRefused on a difference.

    The lake's schema (made by warehouse.store.EventStore) decides the tables; one the
    old file lacks (a source added since) stays empty.
    """
    in_file = set(tables_of(con, EMBEDDED, "events"))
    tables = tables_of(con, lake_catalog, "events")
    for table in tables:
        if table in in_file:  # names from both catalogs, quoted
            con.execute(
                f'insert into {lake_catalog}.events."{table}" by name '
                f'select * from {EMBEDDED}.events."{table}"'
            )
    rows, differing = compared(con, lake_catalog, "events", tables)
    if differing:
        raise MigrationRefused(
            f"events.{', events.'.join(differing)} differ after the copy: nothing was migrated"
        )
    # The lake's ids continue after the file's (warehouse/lake.py: loader.head).
    con.execute(
        f"update {lake_catalog}.loader.head set batch_id = coalesce(greatest("
        f"(select max(batch_id) from {lake_catalog}.events.batches), "
        f"(select max(retraction_id) from {lake_catalog}.events.retractions)), 0)"
    )
    return rows


def migrate_to_lake(
    home: Paths,
    lake: Lake,
    progress: Progress = lambda _line: None,
    build: Callable[[], None] | None = None,
) -> Migrated:
    """Copy the home's embedded event log into `lake`, verify it, build and compare marts.

    `build` builds the dbt project on the lake (`dbt build --target lake`); None skips
    the marts' comparison. Raises MigrationRefused when the file is missing, the lake
    already holds events, or a hash differs (the lake then unchanged).
    """
    from warehouse.freshness import built_from, newest_event
    from warehouse.store import EventStore

    started = time.perf_counter()
    if not home.database.is_file():
        raise MigrationRefused(f"no embedded event log at {home.database}: nothing to migrate")
    newest = newest_event(home.database)
    built = built_from(home)
    # The lake's schema and loader.head, as a loader's first connection makes them.
    with EventStore(home.database) as store:
        if store.lake is None:
            raise MigrationRefused("TERTIAL_CATALOG is not set: set it to the DuckLake catalog")
        con = store.con
        attach_read_only(con, home.database, EMBEDDED)
        catalog = con.execute("select current_database()").fetchone()[0]
        held = con.execute("select count(*) from events.batches").fetchone()[0]
        if held:
            # A migration that committed and then stopped (before or during the marts'
            # build): the same events, verified again, and it goes on from there.
            rows, differing = compared(con, catalog, "events", tables_of(con, catalog, "events"))
            if differing:
                raise MigrationRefused(
                    f"the lake's event log already holds {held} batches, not this file's: "
                    "migrate into an empty catalog (one history would be renumbered)"
                )
            progress("The lake already holds this event log (content hashes equal).")
        else:
            progress(f"Copying the event log of {home.database} into the lake ...")
            rows = in_transaction(con, lambda: copy_events(con, catalog), retry=False)
            progress(
                "Copied and verified (content hash of every event table): "
                + ", ".join(f"{table} {count}" for table, count in rows.items() if count)
            )
        if build is None:
            return Migrated(rows, marts_skipped="not built", seconds=_since(started))
        if built is None or newest is None or built.through_event_id != newest:
            skipped = (
                "the working marts are not built through the newest event "
                f"({newest}): run `tertial build` first to compare them"
            )
            progress(f"Marts not compared: {skipped}.")
            return Migrated(rows, marts_skipped=skipped, seconds=_since(started))
        progress("Building the dbt project on the lake (dbt build --target lake) ...")
        build()  # another process; this connection reads its commits afterwards
        marts = tables_of(con, EMBEDDED, "marts")
        _, differing = compared(con, catalog, "marts", marts)
    if differing:
        raise MigrationRefused(
            f"the lake's marts differ from the working marts: {', '.join(differing)} "
            "(the event log was migrated and verified; the marts of the same events "
            "should be equal: report this)"
        )
    progress(f"Every mart ({len(marts)}) built on the lake equals the working database's.")
    return Migrated(rows, marts_compared=tuple(marts), seconds=_since(started))


def _since(started: float) -> float:
    return time.perf_counter() - started

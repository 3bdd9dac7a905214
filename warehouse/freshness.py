"""Whether the nightly run has anything to build: nothing new since the publish, no dbt.

The published snapshot is a function of two things: the events of the log (batches,
accepted and rejected, and retractions: `meta.batches` lists rejected files too) and
the code that shapes the marts (the dbt project, the publish, the versions of dbt and
DuckDB). Events are append-only and take their ids from one sequence, one writer at a
time (the run lock), so "the newest event id" says exactly which events a build saw.
Each dbt build that succeeded, full or the nightly's selective one (which rebuilds all
that the new events change, warehouse/selection.py), records what it was built from
(`record_build`: the newest event id and the project's fingerprint, read before dbt
started); the publish copies that record into `meta.publication` (`through_event_id`,
`build_fingerprint`).

`decide` (pure) skips the build only when all of it is known and the same now:
the working log's newest event is the one the published snapshot was built through,
the published log's copy is there and holds that event too, and the project's
fingerprint is the one the snapshot was built from. Anything unknown (no snapshot, one
from before these columns, an unreadable file, no build record) builds, as before.

A run killed between its build and its publish left the working marts newer than the
snapshot; the check is against the *published* snapshot, so the next run sees the
events the snapshot lacks and builds again. `tertial run` and Dagster's nightly job
decide here (warehouse/pipeline.py, orchestration/assets/dbt_models.py), and what to
build in warehouse/selection.py; `tertial build` and `replay` always build everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import duckdb

from warehouse.connection import duckdb_connect
from warehouse.files import write_whole
from warehouse.publish import BuildRecord
from warehouse.published_log import through_id
from warehouse.settings import DBT_PROJECT_DIR, REPO_ROOT, Paths

# What of dbt_project/ shapes the marts: everything but dbt's run-time folders (in this
# repository they live in TERTIAL_HOME; these are what a `dbt` run by hand leaves).
IGNORED = frozenset({"target", "logs", "dbt_packages", "__pycache__"})
# Python code that shapes the snapshot beside the models: what it copies, `meta.*`.
SHAPING_CODE = (REPO_ROOT / "warehouse" / "publish.py",)
# A new dbt, adapter or DuckDB may compile or write the marts differently.
TOOLS = ("dbt-core", "dbt-duckdb", "duckdb")


def project_fingerprint(project: Path = DBT_PROJECT_DIR) -> str:
    """A SHA-256 of the dbt project's files (path and content, never mtimes), the code
    that shapes the snapshot and the versions of dbt and DuckDB: equal means the same
    build of the same events gives the same marts."""
    digest = hashlib.sha256()
    files = sorted(
        path
        for path in project.rglob("*")
        if path.is_file()
        and not any(
            part in IGNORED or part.startswith(".") for part in path.relative_to(project).parts
        )
    )
    for path in files:
        _add(digest, f"project/{path.relative_to(project).as_posix()}", path.read_bytes())
    for path in SHAPING_CODE:
        _add(digest, f"code/{path.relative_to(REPO_ROOT).as_posix()}", path.read_bytes())
    for tool in TOOLS:
        try:
            version = metadata.version(tool)
        except metadata.PackageNotFoundError:
            version = "-"
        _add(digest, f"tool/{tool}", version.encode())
    return digest.hexdigest()


def _add(digest: hashlib._Hash, name: str, content: bytes) -> None:
    """Name and content, each length-prefixed: no two different inputs run together."""
    for part in (name.encode(), content):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)


# -- what the working marts were built from ----------------------------------------------


def record_path(paths: Paths) -> Path:
    return paths.dbt_target.parent / "built_from.json"


def projections_record_path(paths: Paths) -> Path:
    return paths.dbt_target.parent / "projections_built_by.json"


def projections_stale(paths: Paths, fingerprint: str | None = None) -> bool:
    """Whether the working database's incremental projections (`int_ledger_summed`, the
    ledger's sums) may hold rows another version of the project wrote: unless its last
    successful build recorded this very fingerprint.

    An incremental model keeps the rows earlier builds wrote and adds only what is new;
    rows written by an older definition (another grain, another filter) stay as they
    were, and a new column makes dbt refuse the build (`on_schema_change='fail'`). So a
    build after a changed project rebuilds them from the event log (`--full-refresh`),
    once. Unlike `built_from`, this record is not forgotten when a build starts: a build
    that fails after such a change leaves it stale for the next one. No record (a home
    from before it was kept): stale, a first build creates those tables anyway.
    """
    try:
        data = json.loads(projections_record_path(paths).read_text(encoding="utf-8"))
        recorded = str(data["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    return recorded != (fingerprint or project_fingerprint())


def forget_build(paths: Paths) -> None:
    """Before dbt starts: the working marts are about to change, whatever they were."""
    record_path(paths).unlink(missing_ok=True)


def record_build(paths: Paths, record: BuildRecord) -> None:
    """After a dbt build succeeded: what it was built from, and which project's
    definitions its incremental projections now hold (each written atomically)."""
    write_json(
        record_path(paths),
        {"through_event_id": record.through_event_id, "fingerprint": record.fingerprint},
    )
    write_json(projections_record_path(paths), {"fingerprint": record.fingerprint})


def write_json(target: Path, data: dict[str, object]) -> None:
    """`data` as JSON at `target`, whole or not at all (a killed write leaves the old)."""
    write_whole(target, json.dumps(data))


def built_from(paths: Paths) -> BuildRecord | None:
    """The working marts' build record; None when unknown (no build recorded since
    the last one started, or the record cannot be read)."""
    try:
        data = json.loads(record_path(paths).read_text(encoding="utf-8"))
        return BuildRecord(int(data["through_event_id"]), str(data["fingerprint"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def about_to_build(paths: Paths) -> BuildRecord | None:
    """Before a dbt build: forget the old record and return the new one to record
    when the build succeeds (None: the log cannot be read, so nothing will be recorded)."""
    forget_build(paths)
    newest = working_newest_event(paths)
    return None if newest is None else BuildRecord(newest, project_fingerprint())


# -- the decision ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedSnapshot:
    """What `meta.publication` of the published snapshot says it was built from."""

    published_at: dt.datetime
    through_event_id: int | None
    build_fingerprint: str | None


@dataclass(frozen=True)
class Observed:
    """What `decide` needs; None wherever it is missing or could not be read."""

    newest_event: int | None  # in the working log
    snapshot: PublishedSnapshot | None
    published_log_through: int | None  # newest event of the published log's copy
    fingerprint: str  # of the project as it is now


@dataclass(frozen=True)
class Decision:
    build: bool
    reason: str  # one line, said to the user either way


def decide(observed: Observed) -> Decision:
    """Build unless the published snapshot and log are known to hold everything there is.

    >>> at = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)
    >>> print(decide(Observed(7, PublishedSnapshot(at, 7, "f"), 7, "f")).reason)
    Nothing new since the snapshot published 2026-12-05 01:00 UTC (events through 7, ...
    >>> decide(Observed(9, PublishedSnapshot(at, 7, "f"), 7, "f")).reason
    'Events 8–9 are new since the snapshot published 2026-12-05 01:00 UTC: building.'
    """
    snapshot = observed.snapshot
    if observed.newest_event is None:
        return Decision(True, "The working event log cannot be read: building.")
    if snapshot is None:
        return Decision(True, "No readable published snapshot: building.")
    when = snapshot.published_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    published = f"the snapshot published {when}"
    if snapshot.through_event_id is None or snapshot.build_fingerprint is None:
        return Decision(
            True,
            f"The snapshot published {when} does not say which events and project it was built "
            "from: building.",
        )
    newest, built = observed.newest_event, snapshot.through_event_id
    if newest > built:
        first = f"Event {newest} is" if newest == built + 1 else f"Events {built + 1}–{newest} are"
        return Decision(True, f"{first} new since {published}: building.")
    if newest < built:
        return Decision(
            True,
            f"The working log ends at event {newest}, before event {built} that {published} "
            "was built through: building.",
        )
    if observed.published_log_through is None:
        return Decision(True, "No readable published copy of the event log: building.")
    if observed.published_log_through != newest:
        return Decision(
            True,
            f"The published copy of the event log ends at event "
            f"{observed.published_log_through}, the working log at {newest}: building.",
        )
    if snapshot.build_fingerprint != observed.fingerprint:
        return Decision(
            True,
            f"The dbt project (or dbt, DuckDB, the publish code) changed since {published} "
            "was built: building.",
        )
    return Decision(
        False,
        f"Nothing new since {published} (events through {newest}, same dbt project): no build.",
    )


def observe(paths: Paths) -> Observed:
    """Read what `decide` needs: the working log, the published snapshot and log copy."""
    return Observed(
        newest_event=working_newest_event(paths),
        snapshot=published_snapshot(paths.published),
        published_log_through=newest_event(paths.published_events),
        fingerprint=project_fingerprint(),
    )


def nightly_decision(paths: Paths) -> Decision:
    """`decide(observe(paths))`: whether the nightly run builds, and why, in one line."""
    return decide(observe(paths))


def newest_event(database: Path) -> int | None:
    """The newest event id (batch or retraction) of a log; None when it cannot be read."""
    if not database.is_file():
        return None
    try:
        con = duckdb_connect(database, read_only=True)
    except duckdb.Error:
        return None
    try:
        return through_id(con)
    except duckdb.Error:
        return None  # e.g. a log from before events.retractions
    finally:
        con.close()


def connect_working_log(paths: Paths) -> duckdb.DuckDBPyConnection:
    """The working event log, read-only: the file, or on the DuckLake catalog
    (`TERTIAL_CATALOG`) the catalog, in use, so `events.<table>` names its tables.
    Raises duckdb.Error (or LakeConfigurationError) when it cannot be opened."""
    from warehouse.lake import configured_lake

    lake = configured_lake()
    if lake is None:
        return duckdb_connect(paths.database, read_only=True)
    return lake.connect()


def working_newest_event(paths: Paths) -> int | None:
    """The newest event id of the working log (`connect_working_log`); None when it
    cannot be read."""
    from warehouse.lake import LakeConfigurationError, configured_lake

    try:
        if configured_lake() is None:
            return newest_event(paths.database)  # no file yet: None, not a new empty file
        con = connect_working_log(paths)
    except (duckdb.Error, LakeConfigurationError):
        return None
    try:
        return through_id(con)
    except duckdb.Error:
        return None  # a new catalog: no event table yet
    finally:
        con.close()


def published_snapshot(path: Path) -> PublishedSnapshot | None:
    """`meta.publication` of the snapshot at `path`; None when missing or unreadable."""
    if not path.is_file():
        return None
    try:
        con = duckdb_connect(path, read_only=True)
    except duckdb.Error:
        return None
    try:
        columns = {
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'meta' and table_name = 'publication'"
            ).fetchall()
        }
        # A snapshot from before the build record lacks its columns: unknown (null).
        selected = ", ".join(
            name if name in columns else f"null as {name}"
            for name in ("published_at", "through_event_id", "build_fingerprint")
        )
        row = con.execute(f"select {selected} from meta.publication").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if len(row) != 1:
        return None
    published_at, through, fingerprint = row[0]
    if not isinstance(published_at, dt.datetime):
        return None
    return PublishedSnapshot(published_at, through, fingerprint)

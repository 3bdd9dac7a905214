"""The nightly job in plain Python: ingest what landed, build, publish.

The CLI (`tertial run`) and the Dagster job call these same functions, so there is one
way to load the warehouse whichever front door is used. Each takes the run lock of its
TERTIAL_HOME (warehouse/lock.py; re-entrant, so `run` holding it calls the others
freely): a second writer raises `RunBusy` before it touches anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

from warehouse.build import BuildResult, build, manifest_path
from warehouse.freshness import built_from, nightly_decision
from warehouse.ingest import FileResult, ingest, summary
from warehouse.lock import run_lock
from warehouse.postgres.refresh import Refreshed, refresh_after_publish
from warehouse.publish import Published, publish
from warehouse.published_log import publish_event_log
from warehouse.replay import drop_projections
from warehouse.selection import nightly_plan
from warehouse.settings import Paths
from warehouse.store import EventStore

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class RunResult:
    """What a nightly run did: `build` and `published` are None when it had nothing to
    build (`skipped` says why, in one line)."""

    files: list[FileResult]
    build: BuildResult | None
    published: Published | None
    skipped: str | None = None

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]


def build_and_publish(
    paths: Paths,
    progress: Progress = _quiet,
    *,
    full_refresh: bool = False,
    tests: str = "data",
    select: Sequence[str] = (),
) -> tuple[BuildResult, Published]:
    """dbt build (models + tests) on the working database, then publish the snapshot.

    `build` raises on any failed model or test, so a failed build never reaches publish
    and the previous snapshot stays exactly as it was. `tests` and `select`: which tests
    run and what is built (warehouse/build.py `build_args`); by default every model and
    every data test.
    """
    with run_lock(paths.home):
        # The log's schema first: a database from before a new event table (retractions)
        # gets it here, so dbt's sources always exist.
        EventStore(paths.database).close()
        progress("Building the warehouse with dbt (models and tests) ...")
        result = build(
            paths, progress=progress, full_refresh=full_refresh, tests=tests, select=select
        )
        progress(result.summary())
        return result, publish_all(paths, progress, rebuild_log=full_refresh)


@dataclass(frozen=True)
class Publication(Published):
    """A publish and PostgreSQL's refresh after it (None when no server is configured)."""

    refreshed: Refreshed | None = None


def publish_all(
    paths: Paths, progress: Progress = _quiet, *, rebuild_log: bool = False
) -> Publication:
    """Publish the log's read-only copy, then the marts snapshot; each replaced atomically.

    The log first: a snapshot never refers to a batch its published log lacks. A crash
    between the two leaves the old snapshot with a newer log, which is still a true log.

    Then PostgreSQL, when `TERTIAL_PG_DSN` is set or the home's local server runs
    (warehouse/postgres/refresh.py), from the snapshot just published, under the same run
    lock so refreshes follow publishes in order. Its failure raises RefreshFailed after
    the publish: the snapshot stays published and PostgreSQL keeps the previous marts.
    """
    with run_lock(paths.home):
        progress("Publishing the read-only copy of the event log ...")
        log = publish_event_log(paths.database, paths.published_events, rebuild=rebuild_log)
        appended = sum(log.appended.values())
        progress(f"Published the event log through event {log.through_id} (+{appended:,} rows)")
        progress("Publishing the read-only snapshot ...")
        published = publish(
            paths.database, paths.published, built_from(paths), manifest_path(paths)
        )
        progress(
            f"Published {len(published.tables)} tables to {published.path} "
            f"({published.seconds:.1f}s)"
        )
        refreshed = refresh_after_publish(paths, published.path, progress)
    return Publication(
        **{field.name: getattr(published, field.name) for field in fields(published)},
        refreshed=refreshed,
    )


def replay(paths: Paths, progress: Progress = _quiet) -> tuple[BuildResult, Published]:
    """Drop every projection and rebuild it from the event log alone, then publish.

    Every schema of the working database except `events` is dropped (staging,
    intermediate, marts and whatever a model may add), dbt rebuilds with a full refresh
    and the log's published copy is copied afresh. The log itself is never touched.
    """
    from warehouse.lake import configured_lake

    with run_lock(paths.home):
        if configured_lake() is None:
            dropped = drop_projections(paths.database)
            progress(f"Dropped every projection: {', '.join(dropped) or 'none'}")
        else:
            progress(
                "The event log is on the DuckLake catalog: every projection is rebuilt "
                "there from the log (dbt --full-refresh), not dropped first."
            )
        return build_and_publish(paths, progress, full_refresh=True)


def run(
    paths: Paths, progress: Progress = _quiet, *, settle_seconds: float | None = None
) -> RunResult:
    """The nightly job: everything new in landing/, then build and publish if needed.

    No new event (batch, accepted or rejected, or retraction) since the published
    snapshot was built, and the same dbt project: no dbt and no publish, one line says
    so (warehouse/freshness.py). New batches or retractions: the models downstream of
    the event tables the batches (or the retracted ones) wrote, with their data tests,
    then the publish; a changed project, the DuckLake catalog or anything unknown builds
    everything (warehouse/selection.py); a second line says which and why. The nightly
    leaves out dbt's unit tests and the tests on pure renaming views (CI and `tertial
    build --full-tests` run them).

    Files are taken out of landing/ as they are handled (accepted and duplicates to
    archive/, rejected to quarantine/), so landing/ always shows what is still to load.
    A rejected file does not stop the night: the other boards' data is valid and is
    published; the rejection is reported and the exit code says so. A file still being
    written (changed within `settle_seconds`, default TERTIAL_LANDING_SETTLE_SECONDS) is
    left `waiting` for the next run; the demo, which wrote its files itself, passes 0.
    """
    paths.ensure()
    with run_lock(paths.home):
        progress(f"Ingesting new files in {paths.landing} ...")
        files = ingest(
            paths, [paths.landing], move=True, progress=progress, settle_seconds=settle_seconds
        )
        progress(summary(files))
        decision = nightly_decision(paths)
        progress(decision.reason)
        if not decision.build:
            return RunResult(files, None, None, skipped=decision.reason)
        selection = nightly_plan(paths)
        progress(selection.reason)
        result, published = build_and_publish(
            paths, progress, tests="nightly", select=selection.select
        )
    return RunResult(files, result, published)

"""Whether the nightly run builds (warehouse/freshness.py): `decide` on every case, the
project's fingerprint, and `observe` on real DuckDB files (a log and its publish, no dbt).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from warehouse.freshness import (
    Observed,
    PublishedSnapshot,
    about_to_build,
    built_from,
    decide,
    forget_build,
    nightly_decision,
    observe,
    project_fingerprint,
    projections_record_path,
    projections_stale,
    record_build,
)
from warehouse.pipeline import publish_all
from warehouse.settings import DBT_PROJECT_DIR, Paths
from warehouse.store import BatchMeta, EventStore

AT = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)
SAME = "f" * 64
PUBLISHED = "The snapshot published 2026-12-05 01:00 UTC"


def snapshot(through: int | None = 7, fingerprint: str | None = SAME) -> PublishedSnapshot:
    return PublishedSnapshot(AT, through, fingerprint)


def observed(
    newest: int | None = 7,
    published: PublishedSnapshot | None = None,
    log: int | None = 7,
    fingerprint: str = SAME,
) -> Observed:
    return Observed(newest, published or snapshot(), log, fingerprint)


def test_nothing_new_and_the_same_project_skips_in_one_line() -> None:
    decision = decide(observed())
    assert not decision.build
    assert decision.reason == (
        "Nothing new since the snapshot published 2026-12-05 01:00 UTC "
        "(events through 7, same dbt project): no build."
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # A new batch, accepted or rejected, or a retraction: one id sequence for all.
        (observed(newest=8), "Event 8 is new since the snapshot published 2026-12-05 01:00 UTC"),
        (observed(newest=9), "Events 8–9 are new since the snapshot"),
        # A working database older than the snapshot (restored from a backup): build.
        (observed(newest=6), "The working log ends at event 6, before event 7"),
        (observed(newest=None), "The working event log cannot be read"),
        (Observed(7, None, 7, SAME), "No readable published snapshot"),
        # A snapshot from before the build record, or published without a full build.
        (observed(published=snapshot(through=None)), f"{PUBLISHED} does not say which events"),
        (observed(published=snapshot(fingerprint=None)), f"{PUBLISHED} does not say which"),
        (observed(log=None), "No readable published copy of the event log"),
        (observed(log=6), "The published copy of the event log ends at event 6"),
        (observed(fingerprint="0" * 64), "The dbt project (or dbt, DuckDB, the publish code)"),
    ],
)
def test_anything_new_changed_or_unknown_builds(case: Observed, expected: str) -> None:
    decision = decide(case)
    assert decision.build
    assert decision.reason.startswith(expected), decision.reason
    assert decision.reason.endswith(": building.") and "\n" not in decision.reason


def test_the_fingerprint_is_of_contents_not_times(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    original = project_fingerprint(project)
    assert original == project_fingerprint(DBT_PROJECT_DIR)

    model = next((project / "models" / "marts").rglob("*.sql"))
    model.touch()  # a checkout, a copy: new times, same bytes
    # What dbt leaves beside a project run by hand shapes nothing.
    for folder in ("target", "logs", "dbt_packages"):
        (project / folder).mkdir(exist_ok=True)
        (project / folder / "manifest.json").write_text("{}", encoding="utf-8")
    (project / ".user.yml").write_text("id: x\n", encoding="utf-8")
    assert project_fingerprint(project) == original

    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    changed = project_fingerprint(project)
    assert changed != original
    (project / "macros" / "new_macro.sql").write_text("", encoding="utf-8")
    assert project_fingerprint(project) not in (original, changed)


def test_the_build_record_is_forgotten_when_a_build_starts(home: Paths) -> None:
    EventStore(home.database).close()
    assert about_to_build(home) is not None  # an empty log: newest event 0
    record = about_to_build(home)
    assert record is not None and record.through_event_id == 0
    assert built_from(home) is None
    record_build(home, record)
    assert built_from(home) == record
    forget_build(home)
    assert built_from(home) is None


def meta(name: str) -> BatchMeta:
    return BatchMeta("huvudbok", name, f"/landing/{name}", name * 4, 10, "utf-8", 1)


def test_observed_on_real_files_a_rejected_batch_or_a_retraction_builds(home: Paths) -> None:
    """The log, the build record and both publishes, as `tertial run` leaves them."""
    # No snapshot yet: build.
    assert nightly_decision(home).build

    with EventStore(home.database) as store:
        first = store.record_rejection(meta("a.csv"), "wrong columns", "/q/a")

    def build_and_publish() -> None:
        record = about_to_build(home)  # what warehouse.build.build does around dbt
        assert record is not None
        record_build(home, record)
        publish_all(home)

    build_and_publish()
    seen = observe(home)
    assert seen.newest_event == seen.published_log_through == first
    assert seen.snapshot is not None and seen.snapshot.through_event_id == first
    assert seen.snapshot.build_fingerprint == project_fingerprint()
    decision = nightly_decision(home)
    assert not decision.build and f"(events through {first}, same dbt project)" in decision.reason

    # A newly rejected file is a new row of meta.batches: the snapshot must show it.
    with EventStore(home.database) as store:
        second = store.record_rejection(meta("b.csv"), "wrong columns", "/q/b")
    assert nightly_decision(home).reason.startswith(f"Event {second} is new")
    build_and_publish()
    assert not nightly_decision(home).build

    # Killed between the build and the publish: the working database is newer than the
    # snapshot, and the snapshot is what is compared: build.
    with EventStore(home.database) as store:
        third = store.record_rejection(meta("c.csv"), "wrong columns", "/q/c")
    record = about_to_build(home)
    assert record is not None
    record_build(home, record)
    assert nightly_decision(home).reason.startswith(f"Event {third} is new")
    publish_all(home)
    assert not nightly_decision(home).build

    # The published log's copy missing: build (and the publish writes it again).
    home.published_events.unlink()
    assert nightly_decision(home).reason.startswith("No readable published copy")
    publish_all(home)
    assert not nightly_decision(home).build

    # A snapshot from before these columns: unknown, build.
    os.chmod(home.published, 0o644)
    with duckdb.connect(str(home.published)) as con:
        con.execute("alter table meta.publication drop column through_event_id")
        con.execute("alter table meta.publication drop column build_fingerprint")
    assert "does not say which events" in nightly_decision(home).reason
    publish_all(home)
    assert not nightly_decision(home).build

    # A publish without a build record (e.g. one materialised alone): unknown, build.
    forget_build(home)
    publish_all(home)
    assert "does not say which events" in nightly_decision(home).reason


def test_incremental_projections_are_rebuilt_once_after_the_project_changed(home: Paths) -> None:
    """`projections_stale`: which project's definitions the incremental projections hold.

    A home from before the record, or one built by another project, is stale (its next
    build is a full refresh, warehouse/build.py); a successful build records the project;
    a build that starts and fails does not forget it, unlike `built_from`.
    """
    with EventStore(home.database) as store:
        store.record_rejection(meta("a.csv"), "wrong columns", "/q/a")
    assert projections_stale(home)  # never built: no record

    record = about_to_build(home)
    assert record is not None
    record_build(home, record)
    assert not projections_stale(home)
    assert not projections_stale(home, project_fingerprint())

    # Built by another version of the project: stale until a build succeeds.
    projections_record_path(home).write_text('{"fingerprint": "%s"}' % ("0" * 64))
    assert projections_stale(home)
    about_to_build(home)  # a build starts (and, say, fails): the record stays
    assert built_from(home) is None and projections_stale(home)
    record_build(home, record)
    assert not projections_stale(home)
    # An unreadable record is no proof: stale.
    projections_record_path(home).write_text("{")
    assert projections_stale(home)

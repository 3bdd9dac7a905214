"""What the nightly build builds (warehouse/selection.py): `plan` on every case, the dbt
arguments of each kind of build (warehouse/build.py), and `observe_changes` on a real log
written by the real loader (no dbt).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import SERVICENAMNDEN
from warehouse.build import build_args
from warehouse.freshness import about_to_build, record_build
from warehouse.ingest import ingest
from warehouse.publish import BuildRecord
from warehouse.selection import RETRACTIONS, Changes, observe_changes, plan
from warehouse.settings import DBT_PROJECT_DIR, Paths
from warehouse.store import EventStore

SAME = "f" * 64
KNOWN = frozenset(
    {"huvudbok", "budget", "lon", "organisation", "verksamheter", "prognos", "sjukfranvaro"}
)
BUILT = BuildRecord(7, SAME)
LOG = ("tag:every_source", "source:events.batches", "source:events.supersession_keys")


def changes(
    tables: frozenset[str] | None = frozenset({"huvudbok"}),
    *,
    built: BuildRecord | None = BUILT,
    newest: int | None = 9,
    fingerprint: str = SAME,
    batches: int | None = 2,
    retractions: int | None = 0,
    known: frozenset[str] | None = KNOWN,
    retracted: frozenset[str] | None = frozenset(),
) -> Changes:
    return Changes(built, newest, fingerprint, batches, retractions, tables, known, retracted)


def test_new_batches_build_what_is_downstream_of_their_tables_and_the_meta_marts() -> None:
    selected = plan(changes(frozenset({"lon"})))
    assert not selected.full
    assert selected.select == ("source:events.lon+", *LOG)
    assert selected.reason == (
        "2 new batches in lon since the working marts were built (events through 7): "
        "building the models downstream of it and those over every source's deliveries, "
        "with their data tests."
    )


def test_a_sie_batch_builds_both_tables_it_wrote() -> None:
    # A SIE file writes ledger lines and budget rows (supersession_keys.source says so).
    selected = plan(changes(frozenset({"huvudbok", "budget"}), batches=1))
    assert selected.select == ("source:events.budget+", "source:events.huvudbok+", *LOG)
    assert selected.reason.startswith("1 new batch in budget, huvudbok since the working")
    assert "downstream of them" in selected.reason


def test_rejected_batches_only_build_the_meta_marts_and_the_logs_tests() -> None:
    selected = plan(changes(frozenset(), batches=1))
    assert selected.select == LOG
    assert "none with data" in selected.reason


RETRACTED = ("int_retractions_resolved", "source:events.retractions")


def test_a_retraction_builds_what_is_downstream_of_the_retracted_batchs_tables() -> None:
    # A ledger batch taken out (or put back: a retraction retracted): its table's models,
    # as if it had just arrived, the resolved retractions and their tests.
    alone = plan(changes(frozenset(), batches=0, retractions=1, retracted=frozenset({"huvudbok"})))
    assert alone.select == ("source:events.huvudbok+", *LOG, *RETRACTED)
    assert alone.reason.startswith(
        "1 retraction (of a batch in huvudbok) since the working marts were built (events "
        "through 7): building the models downstream of it and those over every source's"
    )
    # With a new payroll batch the same night: both tables.
    both = plan(changes(frozenset({"lon"}), batches=1, retractions=2, retracted=frozenset({"lon"})))
    assert both.select == ("source:events.lon+", *LOG, *RETRACTED)
    assert both.reason.startswith("1 new batch in lon and 2 retractions (of batches in lon) since")
    # A retracted batch that wrote no rows and no keys: the log's models only.
    empty = plan(changes(frozenset(), batches=0, retractions=1))
    assert empty.select == (*LOG, *RETRACTED)
    assert "(of a batch with no data)" in empty.reason and "none with data" in empty.reason


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            changes(retractions=1, retracted=None),
            "Which batches the new retractions touch cannot be read",
        ),
        (
            changes(retractions=1, retracted=frozenset({"ny_kalla"})),
            "New events in ny_kalla, which the dbt",
        ),
        (changes(built=None), "The working marts' last build is not on record"),
        (changes(fingerprint="0" * 64), "The dbt project (or dbt, DuckDB, the publish code)"),
        (changes(newest=None), "The working event log cannot be read"),
        (changes(batches=None, retractions=None), "The working event log cannot be read"),
        (changes(newest=6), "The working log ends at event 6, before the working marts' build"),
        # The run died between its build and its publish: nothing to select.
        (changes(frozenset(), newest=7, batches=0), "No new batch since the working marts"),
        (changes(None), "Which event tables changed cannot be read"),
        (changes(known=None), "Which event tables changed cannot be read"),
        (changes(frozenset({"huvudbok", "ny_kalla"})), "New events in ny_kalla, which the dbt"),
    ],
)
def test_a_changed_project_or_anything_unknown_builds_everything(
    case: Changes, expected: str
) -> None:
    selected = plan(case)
    assert selected.full and selected.select == ()
    assert selected.reason.startswith(expected), selected.reason
    assert selected.reason.endswith(": building everything.") and "\n" not in selected.reason


def test_the_dbt_arguments_of_each_build() -> None:
    # `tertial build`, replay: every model, every data test, no unit test.
    assert build_args() == ("--exclude-resource-type", "unit_test")
    assert build_args(full_refresh=True) == (
        "--exclude-resource-type",
        "unit_test",
        "--full-refresh",
    )
    # `tertial build --full-tests`: everything dbt has.
    assert build_args(tests="full") == ()
    # The nightly: not the tests on pure renaming views nor on intermediate models.
    nightly = ("--exclude-resource-type", "unit_test", "--exclude")
    assert build_args(tests="nightly") == (*nightly, "tag:renaming_view tag:below_marts")
    # Selective: only what changed, no view re-created, the marts' tests kept.
    assert build_args(tests="nightly", select=("source:events.lon+", *LOG)) == (
        "--select",
        " ".join(("source:events.lon+", *LOG)),
        *nightly,
        "tag:renaming_view tag:below_marts config.materialized:view",
        "--indirect-selection",
        "buildable",
    )
    with pytest.raises(ValueError, match="tests must be one of"):
        build_args(tests="some")


def test_observed_on_a_real_log_the_tables_of_new_batches_rejections_and_retractions(
    home: Paths,
) -> None:
    registers = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]
    assert [r.status for r in ingest(home, registers)] == ["accepted", "accepted"]
    # Nothing on record yet: nothing is read past it.
    assert observe_changes(home).built is None
    record = about_to_build(home)  # what warehouse.build.build does around dbt
    assert record is not None
    record_build(home, record)
    assert observe_changes(home).batches == 0

    [lon] = ingest(home, [SERVICENAMNDEN / "lon_201001.csv"])
    assert lon.status == "accepted"
    seen = observe_changes(home)
    assert (seen.batches, seen.retractions, seen.tables) == (1, 0, frozenset({"lon"}))
    assert seen.newest_event == lon.batch_id and seen.built == record
    assert seen.known_tables is None  # no dbt manifest in this home: plan builds everything
    assert plan(seen).full

    bad = home.home / "lon_201002.csv"
    bad.write_text("Period;Nämnd\n201002;142\n", encoding="utf-8")
    [rejected] = ingest(home, [bad])
    assert rejected.status == "rejected"
    seen = observe_changes(home)
    assert (seen.batches, seen.retractions, seen.tables) == (2, 0, frozenset({"lon"}))

    with EventStore(home.database) as store:
        store.retract(lon.batch_id, "fel fil", recorded_by="test@host", command="test")
    seen = observe_changes(home)
    assert (seen.batches, seen.retractions, seen.retracted) == (2, 1, frozenset({"lon"}))
    # The retraction of the retraction puts the same batch back: followed down its chain.
    with EventStore(home.database) as store:
        first = max(
            r
            for (r,) in store.con.execute("select retraction_id from events.retractions").fetchall()
        )
        store.retract(first, "ändå rätt", recorded_by="test@host", command="test")
    seen = observe_changes(home)
    assert (seen.retractions, seen.retracted) == (2, frozenset({"lon"}))


# Models that read the log's own tables (or their views) across sources, and why each is
# safe to leave out of a selective build: tagged `every_source` (always built), or it
# keeps only one source's rows.
LOG_READERS = {
    "stg_events__batches": "a renaming view of the batches (views need no rebuild)",
    "stg_events__retractions": "a renaming view of the retractions (views need no rebuild)",
    "int_retractions_resolved": "selected after a retraction (selection.RETRACTIONS)",
    "int_batches_accepted": "tagged every_source",
    "int_deliveries_ranked": "tagged every_source",
    "stg_events__supersession_keys": "tagged every_source",
    "meta_freshness": "tagged every_source",
    "int_organisation_events_current": "joins the accepted batches to organisation rows",
}
CROSS_SOURCE = re.compile(
    r"ref\('(int_deliveries_ranked|int_batches_accepted|int_retractions_resolved|"
    r"stg_events__\w+)'\)|source\('events', '(batches|supersession_keys|retractions)'\)"
)
# The source whose winning deliveries a current-state model takes (macros/current_rows.sql).
OWN_SOURCE = re.compile(r"current_deliveries\(\s*'(\w+)'|current_rows\(\s*ref\('\w+'\),\s*'(\w+)'")


def test_every_model_reading_the_log_across_sources_is_accounted_for() -> None:
    """What makes the selection sound (warehouse/selection.py): a model that reads every
    source's batches or deliveries is built every time, or keeps its own source's only
    (`current_deliveries`/`current_rows` of the source whose folder it lives in)."""
    models = DBT_PROJECT_DIR / "models"
    readers, owners = set(), set()
    for path in models.rglob("*.sql"):
        sql = path.read_text(encoding="utf-8")
        if CROSS_SOURCE.search(sql):
            readers.add(path.stem)
        for found in OWN_SOURCE.findall(sql):
            source, folder = "".join(found), path.parent.name
            owners.add(path.stem)
            assert source == folder, f"{path.stem} reads {source}'s deliveries from {folder}/"
    assert len(owners) >= 8, owners  # one per source with a current state (the pattern works)
    assert readers <= set(LOG_READERS), sorted(readers - set(LOG_READERS))
    project = (DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    assert "int_retractions_resolved" in RETRACTIONS
    for name, why in LOG_READERS.items():
        if why == "tagged every_source" and name != "meta_freshness":
            assert f'{name}: {{+tags: ["every_source"]}}' in project, name

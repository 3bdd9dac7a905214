"""The nightly run: nothing new since the publish, no dbt; new batches, only what changed.

`tertial run` (in-process, the real CLI) and Dagster's nightly job (run tag
`tertial/build: if-changed`) on a copy of the reference home: nothing new leaves the
published snapshot and log byte for byte as they were and starts no dbt (its log and
run_results.json stay as they were). A new batch builds only the models downstream of the
event tables it wrote (warehouse/selection.py), without the tests on pure renaming views,
and publishes; its marts equal those of a full build of the same events. A retraction (a
new event, from the batches' id sequence) builds the models downstream of the tables of
the batch it takes out: the marts equal the full build of the home before that batch. A
night with no build on record builds everything; the run after it skips again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Sequence

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt_models import BUILD_TAG, IF_CHANGED, dbt_models, published_snapshot
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.reports import board_reports
from orchestration.definitions import defs
from orchestration.resources import TertialHome, dbt_resource
from tertial.cli import main
from tests.conftest import SERVICENAMNDEN
from tests.helpers import dbt_last_ran
from tests.integration.test_source_sie import SIE_JULY
from warehouse.build import build_args, dbt_args, dbt_env, dbt_executable
from warehouse.datatests import invocation, manifest_on_record
from warehouse.freshness import forget_build
from warehouse.selection import nightly_plan
from warehouse.settings import DBT_PROJECT_DIR, Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds: `make test-fast` skips it

NOTHING_NEW = "Nothing new since the snapshot published "


@pytest.fixture
def home(reference_copy: Paths) -> Paths:
    """A copy of the reference home (built and published once per session)."""
    return reference_copy


def untouched(home: Paths) -> tuple:
    """The published files' bytes, dbt's log and its last run_results.json (every dbt
    invocation writes its log; the nightly's `dbt run` removes run_results.json)."""
    dbt_files = (home.dbt_logs / "dbt.log", home.dbt_target / "run_results.json")
    return (
        hashlib.sha256(home.published.read_bytes()).hexdigest(),
        hashlib.sha256(home.published_events.read_bytes()).hexdigest(),
        *(f.stat().st_mtime_ns if f.exists() else None for f in dbt_files),
    )


def publication(home: Paths) -> tuple:
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute(
            "select through_event_id, build_fingerprint from meta.publication"
        ).fetchone()


def retract(home: Paths, batch_id: int, capsys: pytest.CaptureFixture) -> int:
    assert main(["retract", str(batch_id), "--reason", "fel export", "--yes"]) == 0
    out = capsys.readouterr().out
    # "Retracting batch 12 would: ..." first, then "Retraction 71 recorded: ..."
    [recorded] = [line for line in out.splitlines() if line.startswith("Retraction ")]
    return int(recorded.split()[1])


def skipped_in_one_line(out: str) -> str:
    [line] = [line for line in out.splitlines() if line.startswith(NOTHING_NEW)]
    assert line.endswith("same dbt project): no build."), line
    assert "Building the warehouse" not in out and "dbt build" not in out, out
    assert "Publishing" not in out, out
    return line


def marts(home: Paths) -> dict[str, tuple[int, str]]:
    """Per table of the published marts: its rows and a hash of its content (any order)."""
    with duckdb.connect(str(home.published), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            table: con.execute(
                "select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar "
                f'from marts."{table}" t'
            ).fetchone()
            for table in tables
        }


def last_build(home: Paths) -> tuple[set[str], set[str]]:
    """The models and the tests dbt's last run executed (its log)."""
    ran = dbt_last_ran(home)
    return {u for u in ran if u.startswith("model.")}, {u for u in ran if u.startswith("test.")}


def manifest_of(home: Paths) -> dict:
    return json.loads((home.dbt_target / "manifest.json").read_text(encoding="utf-8"))


def renaming_view_tests(home: Paths) -> set[str]:
    """The names of the tests on pure renaming views."""
    return {
        node["name"]
        for node in manifest_of(home)["nodes"].values()
        if node["resource_type"] == "test" and "renaming_view" in node["tags"]
    }


# What the nightly selects after a SIE file (warehouse/selection.py `plan`).
SELECTED_FOR_SIE = (
    "source:events.budget+",
    "source:events.huvudbok+",
    "tag:every_source",
    "source:events.batches",
    "source:events.supersession_keys",
)


def dbt_listed(home: Paths, args: Sequence[str]) -> set[str]:
    """The names of the tests `dbt ls` selects with a build's arguments."""
    listed = subprocess.run(
        [dbt_executable(), *dbt_args("ls", home, "--resource-type", "test", "--output",
                                     "name", "--quiet", *args)],
        env={**os.environ, **dbt_env(home)},
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return set(listed.stdout.split())


def land(home: Paths, name: str, text: str, encoding: str) -> None:
    (home.landing / name).write_bytes(text.replace("\n", "\r\n").encode(encoding))


def test_run_with_nothing_new_starts_no_dbt_new_batches_build_what_changed(
    home: Paths, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    capsys.readouterr()
    before = untouched(home)
    through, fingerprint = publication(home)
    assert through is not None and fingerprint is not None
    whole = marts(home)  # the reference home's full build

    assert main(["run"]) == 0
    line = skipped_in_one_line(capsys.readouterr().out)
    assert f"(events through {through}," in line
    assert untouched(home) == before

    # A SIE file (July's ledger of board 142 and a period budget) lands: a new batch that
    # writes events.huvudbok and events.budget. Only their models are built.
    monkeypatch.setenv("TERTIAL_LANDING_SETTLE_SECONDS", "0")
    land(home, "sie_142_201107.se", SIE_JULY, "cp437")
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    batch = through + 1
    assert f"Event {batch} is new since the snapshot published " in out
    assert (
        f"1 new batch in budget, huvudbok since the working marts were built (events through "
        f"{through}): building the models downstream of them and those over every source's "
        "deliveries, with their data tests." in out.splitlines()
    )
    assert "Published " in out
    assert publication(home) == (batch, fingerprint)
    # Whether its dbt run wrote manifest.json or trusted the one on disk (the session's
    # reference home may have had other dbt commands), the one there now is on record.
    assert manifest_on_record(home, fingerprint) == invocation(manifest_of(home))
    models, by_dbt = last_build(home)
    assert {"model.tertial.fct_ledger", "model.tertial.fct_budget"} <= models
    assert "model.tertial.meta_freshness" in models  # reads every source's deliveries
    assert not {"model.tertial.fct_payroll", "model.tertial.fct_sick_leave"} & models
    # dbt built the models; their tests ran from the queries dbt compiled for them in
    # the home's first build (warehouse/datatests.py): at least every test that dbt's
    # own selective build would run, and beyond those only the event log's tests.
    assert not by_dbt
    tested = set(re.findall(r"\] test +(\S+) +pass \(", out))
    dbt_would = dbt_listed(home, build_args(tests="nightly", select=SELECTED_FOR_SIE))
    assert dbt_would and dbt_would <= tested, sorted(dbt_would - tested)
    assert {name.split("_events_")[0] for name in tested - dbt_would} <= {
        "source_unique",
        "source_columns_not_null",
    }, sorted(tested - dbt_would)
    assert not tested & renaming_view_tests(home)
    selective = marts(home)

    # A retraction is an event (the id sequence of the batches). The SIE batch taken out:
    # the next run builds the models downstream of the tables it wrote, and the marts are
    # again those of the home's full build before it arrived.
    first = retract(home, batch, capsys)
    chosen = nightly_plan(home).select
    dbt_would = dbt_listed(home, build_args(tests="nightly", select=chosen))
    # `dbt ls` just wrote its own manifest: this night's dbt run does not trust it, writes
    # its artefacts and notes its manifest for the next night.
    assert main(["run"]) == 0
    assert (home.dbt_target / "run_results.json").exists()
    assert manifest_on_record(home, fingerprint) == invocation(manifest_of(home))
    out = capsys.readouterr().out
    assert (
        f"1 retraction (of a batch in budget, huvudbok) since the working marts were built "
        f"(events through {batch}): building the models downstream of them and those over "
        "every source's deliveries, with their data tests." in out.splitlines()
    )
    assert publication(home) == (first, fingerprint)
    models, by_dbt = last_build(home)
    assert {"model.tertial.fct_ledger", "model.tertial.int_retractions_resolved"} <= models
    assert not {"model.tertial.fct_payroll", "model.tertial.dim_period"} & models
    assert not by_dbt
    tested = set(re.findall(r"\] test +(\S+) +pass \(", out))
    assert dbt_would and dbt_would <= tested, sorted(dbt_would - tested)
    assert marts(home) == whole

    # The retraction retracted, with no build on record (a build killed, a replay): the
    # whole nightly, its tests run the same way, every test dbt's build of it would run.
    # The SIE batch is back: the marts of the selective build above.
    second = retract(home, first, capsys)
    forget_build(home)
    assert main(["run"]) == 0
    # No dbt command since the last night: its manifest was trusted, no artefacts written.
    assert not (home.dbt_target / "run_results.json").exists()
    out = capsys.readouterr().out
    assert f"Event {second} is new since the snapshot published " in out
    assert "The working marts' last build is not on record: building everything." in out
    assert publication(home) == (second, fingerprint)
    models, by_dbt = last_build(home)
    assert {"model.tertial.fct_payroll", "model.tertial.dim_period"} <= models
    assert not by_dbt
    tested = set(re.findall(r"\] test +(\S+) +pass \(", out))
    dbt_would = dbt_listed(home, build_args(tests="nightly"))
    assert dbt_would and dbt_would == tested, (
        sorted(dbt_would - tested),
        sorted(tested - dbt_would),
    )
    assert not tested & renaming_view_tests(home)
    assert marts(home) == selective

    # And again nothing new: no build, the new snapshot stays as it is.
    after = untouched(home)
    assert main(["run"]) == 0
    assert f"(events through {second}," in skipped_in_one_line(capsys.readouterr().out)
    assert untouched(home) == after


def nightly(home: Paths) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """The nightly job's assets as the schedule runs them (its tag), and its log lines."""
    job = defs.resolve_job_def("nightly")
    assert job.tags.get(BUILD_TAG) == IF_CHANGED
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [*ingest_assets(), dbt_models, published_snapshot, board_reports],
        selection=dg.AssetSelection.assets(*job.asset_layer.executable_asset_keys),
        resources={"tertial": TertialHome(home=str(home.home)), "dbt": dbt_resource(home)},
        tags=dict(job.tags),
        instance=instance,
    )
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    return result, messages


def materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.materialization.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
    }


def test_dagster_nightly_with_nothing_new_materialises_no_model_and_publishes_nothing(
    home: Paths, capsys: pytest.CaptureFixture
) -> None:
    before = untouched(home)
    result, messages = nightly(home)
    assert result.success
    done = materialised(result)
    assert not any(key.split("/")[0] in ("marts", "intermediate", "staging") for key in done)
    assert "published/tertial" not in done and "reports/board_reports" not in done
    assert len([m for m in messages if m.startswith(NOTHING_NEW)]) == 1
    assert untouched(home) == before

    # A new batch (a corrected payroll month): the nightly job builds the models
    # downstream of events.lon, publishes, and records what the marts were built from,
    # so `tertial run` afterwards has nothing to do.
    lon = (SERVICENAMNDEN / "lon_201108.csv").read_text(encoding="utf-8")
    corrected = lon.replace(
        "201108;142;Tillsvidare;K;151;145,0;151;4718750,00",
        "201108;142;Tillsvidare;K;152;146,0;152;4750000,00",
    )
    assert corrected != lon
    inbox = home.home / "inbox"
    inbox.mkdir()
    (inbox / "lon_201108.csv").write_text(corrected, encoding="utf-8")
    assert main(["ingest", str(inbox / "lon_201108.csv")]) == 0
    batch = publication(home)[0] + 1
    result, messages = nightly(home)
    assert result.success
    assert any(m.startswith(f"Event {batch} is new") for m in messages)
    assert any(m.startswith("1 new batch in lon since the working marts") for m in messages)
    models, _ = last_build(home)
    assert "model.tertial.fct_payroll" in models and "model.tertial.fct_ledger" not in models
    # Every model has its output (rebuilt, or unchanged), so the publish ran.
    assert {"marts/fct_payroll", "marts/fct_ledger", "published/tertial"} <= materialised(result)
    assert publication(home)[0] == batch
    with duckdb.connect(str(home.published), read_only=True) as con:
        [(employees,)] = con.execute(
            "select sum(employees) from marts.fct_payroll where period = 201108"
        ).fetchall()
    assert employees == sum(int(row.split(";")[4]) for row in corrected.splitlines()[1:])
    capsys.readouterr()
    assert main(["run"]) == 0
    skipped_in_one_line(capsys.readouterr().out)

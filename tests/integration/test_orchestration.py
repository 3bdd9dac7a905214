"""Dagster: the asset graph, the landing sensor, the nightly schedule, one real run."""

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt_models import DBT_GROUP, dbt_models, published_snapshot
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.reports import board_reports
from orchestration.definitions import defs
from orchestration.instance import write_settings
from orchestration.resources import TertialHome, dbt_resource
from tertial.cli import main
from tests.conftest import SERVICENAMNDEN, SHARED
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

# A snapshot of the graph's keys: a renamed or lost asset shows up in review.
ASSET_KEYS = [
    "events/ansvar",
    "events/balans",
    "events/batches",
    "events/budget",
    "events/huvudbok",
    "events/indikatorer",
    "events/kommentarer",
    "events/lon",
    "events/medarbetarenkat",
    "events/organisation",
    "events/organisationsmappning",
    "events/prognos",
    "events/resultatfond",
    "events/retractions",
    "events/sie",
    "events/sjukfranvaro",
    "events/supersession_keys",
    "events/verksamheter",
    "intermediate/int_ansvar_register_current",
    "intermediate/int_balances_current",
    "intermediate/int_batches_accepted",
    "intermediate/int_budget_decisions_current",
    "intermediate/int_budget_followup_booked_months",
    "intermediate/int_budget_followup_measures",
    "intermediate/int_budget_followup_report_periods",
    "intermediate/int_budget_followup_rows",
    "intermediate/int_budget_indicators_computed",
    "intermediate/int_calendar_months",
    "intermediate/int_comments_current",
    "intermediate/int_deliveries_ranked",
    "intermediate/int_forecasts_current",
    "intermediate/int_indicator_values_current",
    "intermediate/int_ledger_batches_current",
    "intermediate/int_ledger_restatement_shares",
    "intermediate/int_ledger_summed",
    "intermediate/int_ledger_units_summed",
    "intermediate/int_organisation_events_current",
    "intermediate/int_organisation_mapping_current",
    "intermediate/int_payroll_counts_current",
    "intermediate/int_result_fund_decisions_current",
    "intermediate/int_retractions_resolved",
    "intermediate/int_sick_leave_groups_totalled",
    "intermediate/int_sick_leave_hours_current",
    "intermediate/int_sick_leave_windows_summed",
    "intermediate/int_survey_indices_current",
    "intermediate/int_verksamhet_ancestors",
    "intermediate/int_verksamheter_current",
    "intermediate/int_verksamheter_registered",
    "landing/unclaimed_files",
    "marts/dim_ansvar",
    "marts/dim_indicator",
    "marts/dim_konto",
    "marts/dim_namnd",
    "marts/dim_period",
    "marts/dim_projekt",
    "marts/dim_verksamhet",
    "marts/fct_budget",
    "marts/fct_forecast",
    "marts/fct_indicator",
    "marts/fct_ledger",
    "marts/fct_ledger_restated",
    "marts/fct_ledger_units",
    "marts/fct_ledger_units_restated",
    "marts/fct_payroll",
    "marts/fct_sick_leave",
    "marts/fct_staff_survey",
    "marts/meta_freshness",
    "marts/rpt_activity_costs_rs",
    "marts/rpt_balance_sheet",
    "marts/rpt_budget_followup",
    "marts/rpt_budget_followup_mnkr",
    "marts/rpt_city_totals",
    "marts/rpt_indicators",
    "marts/rpt_internal_trade",
    "marts/rpt_report_comments",
    "marts/rpt_result_after_disposition",
    "marts/rpt_result_funds",
    "marts/rpt_sick_leave",
    "published/tertial",
    "reports/board_reports",
    "staging/balansrakning_rubriker",
    "staging/kommunbas_kontogrupper",
    "staging/rs_nettokostnad_publicerad",
    "staging/rs_verksamhetsomraden",
    "staging/source_key_columns",
    "staging/stg_ansvar__units",
    "staging/stg_balans__balances",
    "staging/stg_budget__decisions",
    "staging/stg_events__batches",
    "staging/stg_events__key_parts",
    "staging/stg_events__retractions",
    "staging/stg_events__supersession_keys",
    "staging/stg_huvudbok__ledger_lines",
    "staging/stg_indikatorer__indicator_values",
    "staging/stg_kommentarer__comments",
    "staging/stg_lon__payroll_counts",
    "staging/stg_medarbetarenkat__survey_indices",
    "staging/stg_organisation__events",
    "staging/stg_organisationsmappning__mappings",
    "staging/stg_prognos__forecasts",
    "staging/stg_resultatfond__decisions",
    "staging/stg_sjukfranvaro__sick_leave_hours",
    "staging/stg_verksamheter__verksamheter",
]


def test_asset_graph_keys() -> None:
    graph = defs.resolve_asset_graph()
    assert sorted(k.to_user_string() for k in graph.get_all_asset_keys()) == ASSET_KEYS
    # The dbt source and the ingest asset are one node: staging reads what ingest wrote.
    staging = graph.get(dg.AssetKey(["staging", "stg_huvudbok__ledger_lines"]))
    assert dg.AssetKey(["events", "huvudbok"]) in staging.parent_keys
    # SIE files append to the ledger and the budget: dbt waits for their ingest too.
    for model in ("stg_huvudbok__ledger_lines", "stg_budget__decisions"):
        parents = graph.get(dg.AssetKey(["staging", model])).parent_keys
        assert dg.AssetKey(["events", "sie"]) in parents, model
    checks = {c.name for c in graph.asset_check_keys}
    assert checks >= {"expectations"}
    # The UI's three groups: ingest, the dbt models (seeds too), the publish.
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    layers = ("staging/", "intermediate/", "marts/")
    dbt = {group for key, group in groups.items() if key.startswith(layers)}
    assert dbt == {DBT_GROUP} == {"dbt"}
    for asset in ingest_assets():
        assert {groups[k.to_user_string()] for k in asset.keys} == {"ingest"}, asset.keys
    assert groups["published/tertial"] == "publish"


def test_landing_sensor_requests_a_run_for_new_files(home: Paths) -> None:
    sensor = defs.resolve_sensor_def("landing_sensor")
    with dg.build_sensor_context(cursor=None) as context:
        assert isinstance(sensor(context), dg.SkipReason)  # nothing landed

    for name in ("huvudbok_201108.csv", "huvudbok_201107.csv", "organisation.csv"):
        shutil.copy(SERVICENAMNDEN / name, home.landing / name)
    with dg.build_sensor_context(cursor=None) as context:
        result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    # Registers first, then each month's partition, then the nightly build, in that order.
    assert [(r.job_name, r.partition_key) for r in result.run_requests] == [
        ("ingest_registers", None),
        ("ingest_monthly", "2011-07-01"),
        ("ingest_monthly", "2011-08-01"),
        ("nightly", None),
    ]
    with dg.build_sensor_context(cursor=result.cursor) as context:
        assert isinstance(sensor(context), dg.SkipReason)  # seen, not requested twice


def test_nightly_schedule_fires_at_two_in_stockholm() -> None:
    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Stockholm"
    assert schedule.job_name == "nightly"
    when = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        data = schedule.evaluate_tick(context)
    assert len(data.run_requests) == 1


def bad_period(name: str, into: Path) -> Path:
    """A reference payroll file whose first data line holds month 13: one rule fails."""
    lines = (SERVICENAMNDEN / name).read_text(encoding="utf-8").splitlines(keepends=True)
    period = lines[1].split(";")[0]
    lines[1] = lines[1].replace(period, period[:4] + "13", 1)
    (into / name).write_text("".join(lines), encoding="utf-8")
    return into / name


@pytest.fixture(scope="module")
def materialised(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Paths, list[dg.ExecuteInProcessResult]]:
    """A home loaded, built and published by the jobs as the sensor orders them (one dbt
    build for the module); the CLI test below goes on from it."""
    home = paths(tmp_path_factory.mktemp("orchestration") / "home").ensure()
    for name in (
        "organisation.csv",
        "verksamheter.csv",
        "huvudbok_201107.csv",
        "huvudbok_201108.csv",
        "huvudbok_201108.ctl",
        "lon_201108.csv",
        "expected.md",
    ):
        shutil.copy(SERVICENAMNDEN / name, home.landing / name)
    # July's payroll with month 13 in a line: rejected by its expectations, a WARN.
    bad_period("lon_201107.csv", home.landing)
    # A SIE file (2017's books of a company, as board 142): the nightly job loads it
    # before dbt builds, because the ledger's staging model depends on events/sie too.
    shutil.copy(SHARED / "reference" / "sie" / "BLBLOV_SIE4.SE", home.landing / "sie_142_2017.se")
    resources = {
        "tertial": TertialHome(home=str(home.home)),
        "dbt": dbt_resource(home),
    }
    assets = [*ingest_assets(), dbt_models, published_snapshot, board_reports]
    # As the sensor orders it: registers, each month's partition, then the nightly job.
    jobs = [
        (defs.resolve_job_def("ingest_registers"), None),
        (defs.resolve_job_def("ingest_monthly"), "2011-07-01"),
        (defs.resolve_job_def("ingest_monthly"), "2011-08-01"),
        (defs.resolve_job_def("nightly"), None),
    ]
    results = []
    for job, partition in jobs:
        selection = dg.AssetSelection.assets(*job.asset_layer.executable_asset_keys)
        result = dg.materialize(
            assets, selection=selection, partition_key=partition, resources=resources
        )
        assert result.success, job.name
        results.append(result)
    return home, results


def test_materialise_everything_in_process(
    materialised: tuple[Paths, list[dg.ExecuteInProcessResult]],
) -> None:
    home, results = materialised
    # Per run (registers, July, August, nightly): each asset's expectations check.
    registers, july, august, night = (
        {e.asset_key.to_user_string(): e for e in r.get_asset_check_evaluations()} for r in results
    )
    assert july["events/huvudbok"].passed and august["events/huvudbok"].passed
    assert registers["events/organisation"].passed and night["events/sie"].passed
    # The rejected payroll month: a WARN whose description (what the UI shows) names the
    # rule, column, line and value, and which counts the expectations it evaluated.
    lon = july["events/lon"]
    assert not lon.passed and lon.severity == dg.AssetCheckSeverity.WARN
    assert "Period is a period YYYYMM in column period" in lon.description, lon.description
    assert "line 2: '201113'" in lon.description and "lon_201107.csv" in lon.description
    assert lon.metadata["evaluated_expectations"].value > 10
    assert lon.metadata["failed_expectations"].value == 1
    passed = august["events/lon"]
    assert passed.passed and "all held" in passed.description
    assert passed.metadata["evaluated_expectations"] == lon.metadata["evaluated_expectations"]
    # expected.md is no export: quarantined, reported as a WARN, not a stop.
    unclaimed = night["landing/unclaimed_files"]
    assert not unclaimed.passed and "expected.md" in unclaimed.description
    assert unclaimed.severity == dg.AssetCheckSeverity.WARN
    materialised = {
        (m.materialization.asset_key.to_user_string(), m.partition)
        for r in results
        for m in r.get_asset_materialization_events()
    }
    assert {
        ("events/huvudbok", "2011-07-01"),
        ("events/huvudbok", "2011-08-01"),
        ("events/lon", "2011-08-01"),
        ("events/sie", None),
        ("marts/fct_ledger", None),
        ("published/tertial", None),
        ("reports/board_reports", None),
    } <= materialised
    # Every file left landing/: to the archive, or (expected.md, July's payroll) to quarantine.
    assert not any(p.is_file() for p in home.landing.rglob("*"))
    con = duckdb.connect(str(home.published), read_only=True)
    periods = con.execute("select distinct period from marts.fct_ledger order by 1").fetchall()
    con.close()
    assert periods == [(201107,), (201108,)] + [(201700 + month,) for month in range(1, 13)]
    # After the publish, the board's newest report (the SIE year's VB 2017), from the marts.
    [page] = home.reports.glob("*.html")
    assert page.name == "verksamhetsberattelse_142_VB_2017.html"
    assert "Verksamhetsberättelse 2017" in page.read_text(encoding="utf-8")


def latest(instance: dg.DagsterInstance, key: str) -> dict | None:
    """The metadata of `key`'s latest materialisation in the instance, and its partition."""
    event = instance.get_latest_materialization_event(dg.AssetKey(key.split("/")))
    if event is None:
        return None
    materialization = event.asset_materialization
    values = {name: value.value for name, value in materialization.metadata.items()}
    return {**values, "partition": materialization.partition}


def test_a_cli_run_shows_in_dagster(
    materialised: tuple[Paths, list[dg.ExecuteInProcessResult]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """`tertial run` reports its loads, builds and publish to the instance in DAGSTER_HOME
    under the asset graph's keys, its expectations checks with their reasons too; with
    nothing new it does not even import Dagster; a broken instance is one warning line."""
    home = materialised[0]
    dagster_home = tmp_path / "dagster"
    write_settings(dagster_home, catalog="")  # as `make run` on the embedded file
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    shutil.copy(SERVICENAMNDEN / "sjukfranvaro_201108.csv", home.landing)
    bad_period("lon_201106.csv", home.landing)

    assert main(["--home", str(home.home), "run"]) == 1  # the payroll month is rejected
    out, err = capsys.readouterr()
    assert "warning" not in err
    [said] = [line for line in out.splitlines() if line.startswith("Dagster: ")]
    assert f"check result(s) reported to the instance in {dagster_home} (" in said, said

    keys = defs.resolve_asset_graph().get_all_asset_keys()
    with dg.DagsterInstance.get() as instance:
        ingested = latest(instance, "events/sjukfranvaro")
        assert ingested is not None and ingested["partition"] == "2011-08-01"
        assert ingested["reported_by"] == "tertial run"
        assert ingested["files"] == ["sjukfranvaro_201108.csv"] and ingested["rows_appended"] > 0
        # The models the selective build rebuilt, under the graph's keys; not the others.
        model = latest(instance, "marts/fct_sick_leave")
        assert model is not None and dg.AssetKey(["marts", "fct_sick_leave"]) in keys
        assert model["dbt_status"] in ("ok", "success") and model["rows"] > 0
        assert model["unique_id"] == "model.tertial.fct_sick_leave"
        assert latest(instance, "marts/fct_ledger") is None  # not rebuilt: no new event
        snapshot = latest(instance, "published/tertial")
        assert (
            snapshot["path"] == str(home.published) and "marts.fct_sick_leave" in snapshot["tables"]
        )
        assert snapshot["reported_by"] == "tertial run"
        # Every key reported is one of the graph's.
        reported = instance.get_asset_keys()
        assert reported and set(reported) <= set(keys), set(reported) - set(keys)
        [check] = [
            record.event.dagster_event.event_specific_data
            for record in instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(dg.AssetKey(["events", "lon"]), "expectations"), limit=10
            )
            if record.partition == "2011-06-01"
        ]
        assert not check.passed
        assert "Period is a period YYYYMM in column period: 1 row(s): line 2: '201113'" in (
            check.description
        )
        assert check.metadata["failed_expectations"].value == 1
        assert check.metadata["evaluated_expectations"].value > 10
        count = len(reported)

    # Nothing new: no dbt, no event, and not even Dagster's import (a fresh process).
    script = (
        "import sys\n"
        "from tertial.cli import main\n"
        f"code = main(['--home', {str(home.home)!r}, 'run'])\n"
        "print('RESULT', code, 'dagster' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=os.environ
    )
    assert "RESULT 0 False" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    with dg.DagsterInstance.get() as instance:
        assert len(instance.get_asset_keys()) == count

    # A second result for the same months (issue found 2026-12-06: the second runless
    # result of a partition broke Dagster's key and lost the whole report): August's
    # sick leave delivered again with one figure corrected, June's payroll rejected again.
    lines = (SERVICENAMNDEN / "sjukfranvaro_201108.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].removesuffix(";40,10") + ";40,20"
    (home.landing / "sjukfranvaro_201108.csv").write_text("\n".join(lines) + "\n", "utf-8")
    bad_period("lon_201106.csv", home.landing).write_text(
        (home.landing / "lon_201106.csv").read_text("utf-8").replace(";", ";;", 1)
    )
    assert main(["--home", str(home.home), "run"]) == 1
    out, err = capsys.readouterr()
    assert "warning" not in err, err
    assert "accepted" in out and "sjukfranvaro_201108.csv" in out, out
    with dg.DagsterInstance.get() as instance:
        for key, partition, passed in (
            (["events", "sjukfranvaro"], "2011-08-01", [True, True]),
            (["events", "lon"], "2011-06-01", [False, False]),
        ):
            history = [
                record
                for record in instance.event_log_storage.get_asset_check_execution_history(
                    dg.AssetCheckKey(dg.AssetKey(key), "expectations"), limit=20
                )
                if record.partition == partition
                and record.run_id
                and (run := instance.get_run_by_id(record.run_id)) is not None
                and run.job_name == "tertial_cli"
            ]
            assert [r.event.dagster_event.event_specific_data.passed for r in history] == passed, (
                key
            )
            assert len({r.run_id for r in history}) == 2
            assert all(
                instance.get_run_by_id(r.run_id).status == dg.DagsterRunStatus.SUCCESS
                for r in history
            )

    # A broken instance: the load stands, one warning line says Dagster was not told.
    (dagster_home / "dagster.yaml").write_text("run_storage: [not, a, mapping]\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SERVICENAMNDEN / "sjukfranvaro_201107.csv", inbox)
    assert main(["--home", str(home.home), "ingest", str(inbox / "sjukfranvaro_201107.csv")]) == 0
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"warning: the Dagster instance in {dagster_home} was not told"), line


def test_jobs_run_one_step_at_a_time() -> None:
    # Two steps writing the working database from two processes would lock each other out.
    for name in ("nightly", "ingest_registers", "ingest_monthly"):
        assert defs.resolve_job_def(name).executor_def is dg.in_process_executor
    monthly = defs.resolve_job_def("ingest_monthly")
    assert {k.to_user_string() for k in monthly.asset_layer.executable_asset_keys} == {
        "events/balans",
        "events/huvudbok",
        "events/lon",
        "events/sjukfranvaro",
    }

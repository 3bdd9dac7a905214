"""Dagster: the asset graph, the landing sensor, the nightly schedule, one real run."""

import datetime as dt
import shutil

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt_models import dbt_models, published_snapshot
from orchestration.assets.ingest import ingest_assets
from orchestration.definitions import defs
from orchestration.resources import TertialHome, dbt_resource
from tests.conftest import SERVICENAMNDEN, SHARED
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

# A snapshot of the graph's keys: a renamed or lost asset shows up in review.
ASSET_KEYS = [
    "events/batches",
    "events/budget",
    "events/huvudbok",
    "events/indikatorer",
    "events/lon",
    "events/medarbetarenkat",
    "events/organisation",
    "events/prognos",
    "events/retractions",
    "events/sie",
    "events/sjukfranvaro",
    "events/supersession_keys",
    "events/verksamheter",
    "intermediate/int_batches_accepted",
    "intermediate/int_budget_decisions_current",
    "intermediate/int_budget_followup_booked_months",
    "intermediate/int_budget_followup_measures",
    "intermediate/int_budget_followup_report_periods",
    "intermediate/int_budget_followup_rows",
    "intermediate/int_budget_indicators_computed",
    "intermediate/int_calendar_months",
    "intermediate/int_deliveries_ranked",
    "intermediate/int_forecasts_current",
    "intermediate/int_indicator_values_current",
    "intermediate/int_ledger_batches_current",
    "intermediate/int_ledger_summed",
    "intermediate/int_organisation_events_current",
    "intermediate/int_payroll_counts_current",
    "intermediate/int_retractions_resolved",
    "intermediate/int_sick_leave_groups_totalled",
    "intermediate/int_sick_leave_hours_current",
    "intermediate/int_sick_leave_windows_summed",
    "intermediate/int_survey_indices_current",
    "intermediate/int_verksamhet_ancestors",
    "intermediate/int_verksamheter_current",
    "intermediate/int_verksamheter_registered",
    "landing/unclaimed_files",
    "marts/dim_indicator",
    "marts/dim_konto",
    "marts/dim_namnd",
    "marts/dim_period",
    "marts/dim_verksamhet",
    "marts/fct_budget",
    "marts/fct_forecast",
    "marts/fct_indicator",
    "marts/fct_ledger",
    "marts/fct_payroll",
    "marts/fct_sick_leave",
    "marts/fct_staff_survey",
    "marts/meta_freshness",
    "marts/rpt_budget_followup",
    "marts/rpt_budget_followup_mnkr",
    "marts/rpt_indicators",
    "marts/rpt_sick_leave",
    "published/tertial",
    "staging/kommunbas_kontogrupper",
    "staging/source_key_columns",
    "staging/stg_budget__decisions",
    "staging/stg_events__batches",
    "staging/stg_events__key_parts",
    "staging/stg_events__retractions",
    "staging/stg_events__supersession_keys",
    "staging/stg_huvudbok__ledger_lines",
    "staging/stg_indikatorer__indicator_values",
    "staging/stg_lon__payroll_counts",
    "staging/stg_medarbetarenkat__survey_indices",
    "staging/stg_organisation__events",
    "staging/stg_prognos__forecasts",
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


def test_materialise_everything_in_process(home: Paths) -> None:
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
    # A SIE file (2017's books of a company, as board 142): the nightly job loads it
    # before dbt builds, because the ledger's staging model depends on events/sie too.
    shutil.copy(SHARED / "reference" / "sie" / "BLBLOV_SIE4.SE", home.landing / "sie_142_2017.se")
    resources = {
        "tertial": TertialHome(home=str(home.home)),
        "dbt": dbt_resource(home),
    }
    assets = [*ingest_assets(), dbt_models, published_snapshot]
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

    checks = {
        e.asset_key.to_user_string(): e for r in results for e in r.get_asset_check_evaluations()
    }
    assert checks["events/huvudbok"].passed and checks["events/organisation"].passed
    assert checks["events/sie"].passed
    # expected.md is no export: quarantined, reported as a WARN, not a stop.
    assert not checks["landing/unclaimed_files"].passed
    assert checks["landing/unclaimed_files"].severity == dg.AssetCheckSeverity.WARN
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
    } <= materialised
    # Every file left landing/: to the archive, or (expected.md) to quarantine.
    assert not any(p.is_file() for p in home.landing.rglob("*"))
    con = duckdb.connect(str(home.published), read_only=True)
    periods = con.execute("select distinct period from marts.fct_ledger order by 1").fetchall()
    con.close()
    assert periods == [(201107,), (201108,)] + [(201700 + month,) for month in range(1, 13)]


def test_jobs_run_one_step_at_a_time() -> None:
    # Two steps writing the working database from two processes would lock each other out.
    for name in ("nightly", "ingest_registers", "ingest_monthly"):
        assert defs.resolve_job_def(name).executor_def is dg.in_process_executor
    monthly = defs.resolve_job_def("ingest_monthly")
    assert {k.to_user_string() for k in monthly.asset_layer.executable_asset_keys} == {
        "events/huvudbok",
        "events/lon",
        "events/sjukfranvaro",
    }

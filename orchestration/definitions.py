"""The single Dagster `Definitions` of the warehouse: start here.

    ingest assets (events/<source>) ─► dbt models (staging, intermediate, marts)
                                   ─► published/tertial (read-only snapshot)

`nightly` materialises all of it, started by the landing/ sensor or at 02:00 in
Stockholm. It runs the same functions as `tertial run`.
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.assets.ingest import ingest_assets
from orchestration.assets.warehouse import dbt_models, published_snapshot
from orchestration.resources import TertialHome
from orchestration.schedules import build_nightly_schedule
from orchestration.sensors import build_landing_sensor
from tertial.settings import DBT_PROJECT_DIR, paths

# One process, one step at a time: DuckDB allows one writer per file, so two ingest
# steps in parallel processes would lock each other out of the working database.
nightly = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Ingest, build and publish the warehouse.",
    executor_def=dg.in_process_executor,
)

defs = dg.Definitions(
    assets=[*ingest_assets(), dbt_models, published_snapshot],
    jobs=[nightly],
    sensors=[build_landing_sensor(nightly)],
    schedules=[build_nightly_schedule(nightly)],
    resources={
        "tertial": TertialHome(),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            target_path=paths().dbt_target,
        ),
    },
)

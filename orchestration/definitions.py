"""The single Dagster `Definitions` of the warehouse: start here.

    ingest assets (events/<source>) ─► dbt models (staging, intermediate, marts)
                                   ─► published/tertial (read-only snapshot)
                                   ─► reports/board_reports (every board's newest report)

Monthly sources (huvudbok, lon, sjukfranvaro, balans) are partitioned by month: `ingest_monthly`
loads one month's files, `ingest_registers` the registers their codes resolve against,
`nightly` the yearly sources, then builds with dbt and publishes. The landing/ sensor
requests the registers (if any landed), one `ingest_monthly` run per month with new
files, then `nightly`; the 02:00 schedule runs `nightly` whatever landed. All of them
run the same functions as `tertial run`: like it, `nightly` (run tag `tertial/build:
if-changed`) runs no dbt and publishes nothing when nothing changed since the publish.
"""

from __future__ import annotations

import os

import dagster as dg

from orchestration.assets.dbt_models import BUILD_TAG, IF_CHANGED, dbt_models, published_snapshot
from orchestration.assets.ingest import ingest_assets, monthly_asset_keys, register_asset_keys
from orchestration.assets.reports import board_reports
from orchestration.instance import LOCK_TAG
from orchestration.partitions import MONTHLY
from orchestration.resources import TertialHome, dbt_resource
from orchestration.schedules import build_nightly_schedule
from orchestration.sensors import build_landing_sensor
from warehouse.lake import CATALOG_ENV
from warehouse.settings import paths

MONTHLY_INGEST = dg.AssetSelection.assets(*monthly_asset_keys())

# One process, one step at a time: DuckDB allows one writer per file, so two ingest
# steps in parallel processes would lock each other out of the working database. On the
# DuckLake catalog (issue 18) a load writes only the catalog, which serialises the
# commits of every loader: the ingest jobs run each source's step in a process of its
# own, at once (the files' parsing and checks, most of a load, in parallel), and take
# the home's run lock shared (orchestration/resources.py); the nightly still builds and
# publishes in one process, with the lock exclusive.
ON_LAKE = bool(os.environ.get(CATALOG_ENV, "").strip())
INGEST_EXECUTOR = (
    dg.multiprocess_executor.configured({"max_concurrent": 4}, name="ingest_processes")
    if ON_LAKE
    else dg.in_process_executor
)
nightly = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all() - MONTHLY_INGEST,
    description="Load registers and yearly sources, then build with dbt and publish the "
    "snapshot if anything changed since the last publish.",
    executor_def=dg.in_process_executor,
    # Nothing new since the publish: no dbt, no publish (orchestration/assets/dbt_models.py).
    tags={BUILD_TAG: IF_CHANGED, LOCK_TAG: "exclusive"},
)
ingest_registers = dg.define_asset_job(
    "ingest_registers",
    selection=dg.AssetSelection.assets(*register_asset_keys()),
    description="Load the organisation register and the activities before anything else.",
    executor_def=INGEST_EXECUTOR,
    tags={LOCK_TAG: "shared"},
)
ingest_monthly = dg.define_asset_job(
    "ingest_monthly",
    selection=MONTHLY_INGEST,
    partitions_def=MONTHLY,
    description="Load one month's files of the monthly sources (ledger, payroll, sick leave).",
    executor_def=INGEST_EXECUTOR,
    tags={LOCK_TAG: "shared"},
)

defs = dg.Definitions(
    assets=[*ingest_assets(), dbt_models, published_snapshot, board_reports],
    # Materialising assets by hand (the UI) too: one process, which holds the run lock
    # (orchestration/resources.py) for the whole run; steps in several processes would
    # each want it, and the working database, at once.
    executor=dg.in_process_executor,
    jobs=[nightly, ingest_registers, ingest_monthly],
    sensors=[build_landing_sensor([nightly, ingest_registers, ingest_monthly])],
    schedules=[build_nightly_schedule(nightly)],
    resources={
        "tertial": TertialHome(),
        "dbt": dbt_resource(paths()),
    },
)

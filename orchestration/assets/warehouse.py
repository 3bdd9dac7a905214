"""The dbt models as assets, and the published snapshot downstream of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt import ensure_manifest
from orchestration.resources import TertialHome
from tertial.settings import paths
from warehouse.publish import publish

MANIFEST = ensure_manifest(paths().ensure())


@dbt_assets(manifest=MANIFEST, name="dbt_models")
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Staging views, current state and the star schema; `dbt build` runs their tests."""
    yield from dbt.cli(["build"], context=context).stream()


@dg.asset(
    key=dg.AssetKey(["published", "tertial"]),
    deps=[dbt_models],
    group_name="publish",
    kinds={"duckdb"},
)
def published_snapshot(tertial: TertialHome) -> dg.MaterializeResult:
    """The read-only snapshot analysts and BI tools query, replaced in one atomic rename."""
    home = tertial.paths()
    result = publish(home.database, home.published)
    return dg.MaterializeResult(
        metadata={
            "path": str(result.path),
            "tables": list(result.tables),
            "seconds": round(result.seconds, 2),
        }
    )

"""The dbt models as assets, and the published snapshot downstream of them."""

import os
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt import ensure_manifest
from orchestration.resources import TertialHome
from tertial.pipeline import publish_all
from tertial.settings import paths
from warehouse.build import dbt_env

MANIFEST = ensure_manifest(paths().ensure())


# dbt tests on the event-log sources become asset checks of the ingest assets too.
TRANSLATOR = DagsterDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)


@dbt_assets(manifest=MANIFEST, name="dbt_models", dagster_dbt_translator=TRANSLATOR)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, tertial: TertialHome
) -> Iterator[Any]:
    """Staging views, current state and the star schema; `dbt build` runs their tests."""
    # The dbt subprocess finds the working database of this run's TERTIAL_HOME here.
    os.environ.update(dbt_env(tertial.paths()))
    yield from dbt.cli(["build"], context=context).stream()


@dg.asset(
    key=dg.AssetKey(["published", "tertial"]),
    deps=[dbt_models],
    group_name="publish",
    kinds={"duckdb"},
)
def published_snapshot(
    context: dg.AssetExecutionContext, tertial: TertialHome
) -> dg.MaterializeResult:
    """The read-only snapshot analysts and BI tools query, replaced in one atomic rename.

    The read-only copy of the event log (as-of queries, history, explain) is published
    first, the same way.
    """
    home = tertial.paths()
    result = publish_all(home, context.log.info)
    return dg.MaterializeResult(
        metadata={
            "path": str(result.path),
            "tables": list(result.tables),
            "seconds": round(result.seconds, 2),
        }
    )

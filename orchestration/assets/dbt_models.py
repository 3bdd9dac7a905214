"""The dbt models as assets, and the published snapshot downstream of them.

Named `dbt_models`, not `warehouse`: a module of that name shadowed the `warehouse`
package wherever this folder was on the import path.
"""

from collections.abc import Iterator
from graphlib import TopologicalSorter
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.assets.ingest import feeding_assets
from orchestration.resources import TertialHome, dbt_environment, prepared
from warehouse.build import REFRESH_NOTE, backend_target, build_args, dbt_args
from warehouse.dagster_events import PUBLISHED_KEY, dbt_key
from warehouse.freshness import about_to_build, nightly_decision, projections_stale, record_build
from warehouse.pipeline import publish_all
from warehouse.selection import nightly_plan
from warehouse.settings import Paths, paths

# The run tag of the nightly job (orchestration/definitions.py; the schedule and the
# landing sensor start that job): with it, the dbt asset builds only if something
# changed since the publish, as `tertial run` does. A run without it (materialising by
# hand in the UI) always builds, as `tertial build` does.
BUILD_TAG = "tertial/build"
IF_CHANGED = "if-changed"

# The manifest the asset graph is read from (orchestration.resources.prepared).
DBT_PROJECT = prepared(paths().ensure())


# The Dagster group of every dbt model, seed and snapshot, beside `ingest` before it and
# `publish` after it: the UI's asset graph shows the three steps of a night.
DBT_GROUP = "dbt"


class Translator(DagsterDbtTranslator):
    """dbt's lineage, plus the ingest assets that write a dbt source under another name.

    A dbt source is one asset key (`events/huvudbok`), but a SIE file appends to that
    table too: a model reading it also depends on `events/sie`, so a run loads SIE files
    before dbt builds (one step at a time, in dependency order).

    The keys are warehouse/dagster_events.py's `dbt_key` (dagster-dbt's default naming:
    `marts/fct_ledger`), which `tertial run` reports its builds under too.
    """

    def get_asset_key(self, dbt_resource_props: Any) -> dg.AssetKey:
        return dg.AssetKey(list(dbt_key(dbt_resource_props)))

    def get_group_name(self, dbt_resource_props: Any) -> str:
        return DBT_GROUP

    def get_asset_spec(self, manifest: Any, unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        upstream = {dep.asset_key for dep in spec.deps}
        writers = {w for table in upstream for w in FEEDING.get(table, [])} - upstream
        if not writers:
            return spec
        return spec.merge_attributes(deps=sorted(writers, key=lambda k: k.to_user_string()))


FEEDING = feeding_assets()
# dbt tests on the event-log sources become asset checks of the ingest assets too.
TRANSLATOR = Translator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    name="dbt_models",
    dagster_dbt_translator=TRANSLATOR,
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, tertial: TertialHome
) -> Iterator[Any]:
    """Staging views, current state and the star schema; `dbt build` runs their tests.

    In the nightly job, with nothing new since the publish (warehouse/freshness.py), it
    starts no dbt and yields nothing: no asset is materialised, and the publish, whose
    inputs were not produced, is skipped by Dagster. One log line says why. With new
    batches or retractions, it builds the models downstream of what changed (warehouse/selection.py,
    a second line says which) and leaves out the tests on pure renaming views, as
    `tertial run` does.
    """
    home = tertial.paths()
    nightly = context.run.tags.get(BUILD_TAG) == IF_CHANGED
    selection: tuple[str, ...] = ()
    if nightly:
        decision = nightly_decision(home)
        context.log.info(decision.reason)
        if not decision.build:
            return
        plan = nightly_plan(home)  # before about_to_build forgets the working marts' record
        context.log.info(plan.reason)
        selection = plan.select
    # The working marts are about to change: what they were built from is recorded again
    # only when every model is built (or, selective, every model the new events change).
    record = about_to_build(home)
    refresh = projections_stale(home, record.fingerprint if record else None)
    if refresh:
        context.log.info(REFRESH_NOTE)
        selection = ()
    target, _ = backend_target()  # `--target lake` on the DuckLake catalog (issue 18)
    args = dbt_args(
        "build",
        home,
        *target,
        *build_args(tests="nightly" if nightly else "data", select=selection, full_refresh=refresh),
    )
    if selection:
        yield from _selective(context, dbt, home, args)
    else:
        # The command line `tertial build` runs (warehouse.build.dbt_args: project,
        # profiles, this home's target and logs), with the environment its profile reads
        # (the working database and its memory limit) set for the start of dbt only.
        with dbt_environment(home):
            invocation = dbt.cli(args, context=context, target_path=home.dbt_target)
        yield from invocation.stream()
    # Every model and seed built (the nightly job leaves out only the source tests of the
    # monthly ingest assets, checks of assets it does not select): the working marts are
    # this project's build of these events.
    if record is not None and context.assets_def.keys <= context.selected_asset_keys:
        record_build(home, record)


def _selective(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, home: Paths, args: list[str]
) -> Iterator[Any]:
    """`dbt build --select ...` (in `args`), then an output for every model it left alone.

    dagster-dbt adds its own `--select fqn:*` to a run given the context, and dbt takes
    the union of both: so dbt is started without the context and its events are turned
    into this asset's events with it. The models not rebuilt are unchanged (no new event
    reaches them; or a view, whose definition is the project's that made it, and which
    reads its tables when queried: warehouse/build.py `build_args`): each gets an output
    saying so, so the publish downstream runs (Dagster
    skips a step whose upstream outputs are missing). Dagster wants a multi-asset's
    outputs in dependency order, and an unchanged model may lie upstream of a rebuilt
    one: so the outputs wait until dbt succeeded and then all come in that order (test
    results are yielded as they come). A failed model or test raises at the end of the
    stream: no output, no publish.
    """
    with dbt_environment(home):
        invocation = dbt.cli(
            args,
            manifest=DBT_PROJECT.manifest_path,
            dagster_dbt_translator=TRANSLATOR,
            target_path=home.dbt_target,
        )
    built: dict[str, dg.Output] = {}
    for event in invocation.stream_raw_events():
        for result in event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=TRANSLATOR,
            context=context,
            target_path=home.dbt_target,
            project=DBT_PROJECT,
        ):
            if isinstance(result, dg.Output):
                built[result.output_name] = result
            else:
                yield result
    assets = context.assets_def
    upstream = {spec.key: {dep.asset_key for dep in spec.deps} for spec in assets.specs}
    for key in TopologicalSorter(upstream).static_order():
        if key not in upstream or key not in context.selected_asset_keys:
            continue  # a source, an ingest asset; or not in this run
        output_name = assets.get_output_name_for_asset_key(key)
        if output_name in built:
            yield built[output_name]
        else:
            yield dg.Output(
                None,
                output_name=output_name,
                metadata={
                    "rebuilt": False,
                    "why": "no new event upstream (warehouse/selection.py), or a view "
                    "of this project, which reads its tables when queried",
                },
            )


@dg.asset(
    key=dg.AssetKey(list(PUBLISHED_KEY)),
    deps=[dbt_models],
    group_name="publish",
    kinds={"duckdb"},
)
def published_snapshot(
    context: dg.AssetExecutionContext, tertial: TertialHome
) -> dg.MaterializeResult:
    """The read-only snapshot analysts and BI tools query, replaced in one atomic rename.

    The read-only copy of the event log (as-of queries, history, explain) is published
    first, the same way. PostgreSQL is refreshed after it when configured (the log shows
    it, and the metadata `postgres`); a failed refresh fails this asset with its reason,
    the snapshot staying published.
    """
    result = publish_all(tertial.paths(), context.log.info)
    refreshed = result.refreshed
    return dg.MaterializeResult(
        metadata={
            "path": str(result.path),
            "tables": list(result.tables),
            "seconds": round(result.seconds, 2),
            "postgres": (
                f"{len(refreshed.tables)} tables, {refreshed.rows:,} rows, swapped in "
                f"({refreshed.seconds:.1f}s)"
                if refreshed
                else "not refreshed (no server configured)"
            ),
        }
    )

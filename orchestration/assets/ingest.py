"""One ingest asset per source: load what landed for it, as one batch per file.

Each asset's key is its event-log table (`events/<source>`), and the dbt sources
declare the same key in their `meta`, so the lineage graph shows one node per table.
"""

from collections.abc import Iterator

import dagster as dg

from orchestration.partitions import MONTHLY, claimed_by_partition, is_monthly, partition_of
from orchestration.resources import TertialHome
from sources._common.source import Source
from sources.registry import SOURCES, source_for
from warehouse.dagster_events import (
    CHECK_NAME,
    UNCLAIMED_KEY,
    expectations_check,
    ingest_key,
)
from warehouse.ingest import expand, ingest, summary


def source_key(source: Source) -> dg.AssetKey:
    """`events/<source>`: the naming `tertial run` reports its loads under too."""
    return dg.AssetKey(list(ingest_key(source.name)))


def _ingest_asset(source: Source, upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    key = source_key(source)
    monthly = is_monthly(source)

    @dg.asset(
        key=key,
        deps=upstream,
        partitions_def=MONTHLY if monthly else None,
        group_name="ingest",
        kinds={"python", "duckdb"},
        description=f"{source.contract.description} Landing files: "
        f"`{source.contract.file_pattern.pattern}`; each accepted file is one batch appended "
        "to this event-log table, each rejected one goes to quarantine with a report.",
        check_specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=key,
                blocking=True,
                description="Great Expectations suites on every file before it is appended.",
            )
        ],
    )
    def ingest_source(
        context: dg.AssetExecutionContext, tertial: TertialHome
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        home = tertial.paths()
        mine = [p for p in expand([home.landing]) if source_for(p.name) is source]
        if monthly:
            mine = [p for p in mine if partition_of(p.name) == context.partition_key]
        results = ingest(home, mine, move=True, progress=context.log.info, expanded=True)
        context.log.info(summary(results))
        rejected = [r for r in results if r.status == "rejected"]
        accepted = [r for r in results if r.status == "accepted"]
        waiting = [r for r in results if r.status == "waiting"]
        for result in waiting:
            context.log.warning(result.line())
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "files": len(results),
                "accepted": len(accepted),
                "duplicates": sum(r.status == "duplicate" for r in results),
                "rejected": len(rejected),
                # Left in landing/ for a later run: still being written, or a control
                # file whose data file has not come yet.
                "waiting": len(waiting),
                "waiting_files": [f"{r.name}: {r.reason}" for r in waiting],
                "rows_appended": sum(r.rows for r in accepted),
                "batches": [r.batch_id for r in accepted],
            },
        )
        # A rejected file never reached the log, so what dbt builds on is still valid:
        # WARN shows the rejection without holding back the other boards' data. An
        # ERROR (an unexpected failure) would block every downstream asset. The
        # description is what the UI shows: each failed rule, column, lines and values.
        checked = expectations_check(results)
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=CHECK_NAME,
            passed=checked.passed,
            severity=dg.AssetCheckSeverity.WARN,
            description=checked.description,
            metadata=checked.metadata,
        )

    return ingest_source


UNCLAIMED = dg.AssetKey(list(UNCLAIMED_KEY))


@dg.asset(
    key=UNCLAIMED,
    group_name="ingest",
    kinds={"python"},
    check_specs=[dg.AssetCheckSpec(CHECK_NAME, asset=UNCLAIMED, blocking=True)],
)
def unclaimed_files(
    context: dg.AssetExecutionContext, tertial: TertialHome
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Files in landing/ no source asset takes: loaded or quarantined all the same.

    A file matching no source is quarantined with a report; a control file without its
    data file waits for it (a day, then is quarantined); a monthly source's file
    whose name holds no month (so no partition takes it) is ingested as usual. Without
    this the inbox would keep such a file forever and nobody would hear of it.
    """
    home = tertial.paths()
    strays = [
        p
        for p in expand([home.landing])
        if source_for(p.name) is None
        or (is_monthly(source_for(p.name)) and not claimed_by_partition(p))
    ]
    results = ingest(home, strays, move=True, progress=context.log.warning, expanded=True)
    waiting = [r for r in results if r.status == "waiting"]
    yield dg.MaterializeResult(
        asset_key=UNCLAIMED,
        metadata={
            "files": len(results),
            "waiting": len(waiting),
            "waiting_files": [f"{r.name}: {r.reason}" for r in waiting],
        },
    )
    checked = expectations_check(results)
    yield dg.AssetCheckResult(
        asset_key=UNCLAIMED,
        check_name=CHECK_NAME,
        passed=checked.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=checked.description,
        metadata={
            **checked.metadata,
            "files": [f"{r.name}: {r.status} {r.reason or ''}" for r in results],
        },
    )


def monthly_asset_keys() -> list[dg.AssetKey]:
    return [source_key(s) for s in SOURCES if is_monthly(s)]


def feeding_assets() -> dict[dg.AssetKey, list[dg.AssetKey]]:
    """Event tables an ingest asset of another name writes too: table key -> its writers.

    A SIE file appends to `events.huvudbok`, `events.budget` and `events.balans`
    (sources/sie), so the dbt models reading those tables must also wait for `events/sie`.

    >>> for table, writers in feeding_assets().items():
    ...     print(table.to_user_string(), [w.to_user_string() for w in writers])
    events/huvudbok ['events/sie']
    events/budget ['events/sie']
    events/balans ['events/sie']
    """
    feeding: dict[dg.AssetKey, list[dg.AssetKey]] = {}
    for source in SOURCES:
        for table in source.table_keys or {}:
            if table != source.name:
                feeding.setdefault(dg.AssetKey(list(ingest_key(table))), []).append(
                    source_key(source)
                )
    return feeding


def register_asset_keys() -> list[dg.AssetKey]:
    return [source_key(s) for s in SOURCES if s.contract.load_tier < 2]


def ingest_assets() -> list[dg.AssetsDefinition]:
    """In load order: the register resolves activities, both resolve the ledger."""
    ordered = sorted(SOURCES, key=lambda s: s.contract.load_tier)
    assets = []
    for index, source in enumerate(ordered):
        upstream = [
            source_key(s)
            for s in ordered[:index]
            if s.contract.load_tier < source.contract.load_tier
        ]
        assets.append(_ingest_asset(source, upstream))
    return [*assets, unclaimed_files]

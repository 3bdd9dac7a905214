"""What Dagster calls the warehouse's assets, and the CLI's runs reported to its instance.

One naming for both front doors. The Dagster definitions (orchestration/assets/) build
their asset keys, monthly partitions and the expectations check's text with these
functions; `tertial run`, `build`, `ingest`, `replay` and `demo` report what they
materialised to the Dagster instance under the same keys (`report_cli_run`), so the UI
shows every load, whoever ran it, instead of "Never materialized" after `make run`.

Plain Python: Dagster itself (an import of ~1 s) is imported only inside `_send`, and
only when a run materialised something and a Dagster instance is set up: `tertial run`
with nothing new, and every reading command, never import it.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sources._common.source import Source
    from warehouse.build import BuildResult
    from warehouse.ingest import FileResult
    from warehouse.publish import Published
    from warehouse.settings import Paths

# -- names ---------------------------------------------------------------------------------

# The ingest assets' keys are their event-log tables; the dbt sources declare the same
# keys in their `meta` (dbt_project/models/staging/events/_events__sources.yml).
EVENTS = "events"
PUBLISHED_KEY: tuple[str, ...] = ("published", "tertial")
UNCLAIMED_KEY: tuple[str, ...] = ("landing", "unclaimed_files")
# The Great Expectations check on every ingest asset (a blocking asset check).
CHECK_NAME = "expectations"

_PERIOD = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(0[1-9]|1[0-2])(?![0-9])")


def ingest_key(source_name: str) -> tuple[str, ...]:
    """The ingest asset of a source: its event-log table.

    >>> ingest_key("huvudbok")
    ('events', 'huvudbok')
    """
    return (EVENTS, source_name)


def dbt_key(node: Mapping[str, Any]) -> tuple[str, ...]:
    """The asset key of a dbt node (a manifest entry), as dagster-dbt names it.

    dagster-dbt's default (`default_asset_key_fn`), written out so that the CLI, which
    never imports Dagster after a build, names the models as the asset graph does:
    `meta.dagster.asset_key` when set (our dbt sources), a source as
    source/table, a versioned model by its alias, else the configured schema and the name.

    >>> dbt_key({"resource_type": "model", "name": "fct_ledger", "config": {"schema": "marts"}})
    ('marts', 'fct_ledger')
    >>> dbt_key({"resource_type": "source", "source_name": "events", "name": "lon",
    ...          "config": {"meta": {"dagster": {"asset_key": ["events", "lon"]}}}})
    ('events', 'lon')
    """
    meta = node.get("config", {}).get("meta", {}) or node.get("meta", {})
    configured = (meta.get("dagster") or {}).get("asset_key") or []
    if configured:
        return tuple(configured)
    if node["resource_type"] == "source":
        return (node["source_name"], node["name"])
    if node.get("version"):
        return (node["alias"],)
    schema = node["config"].get("schema")
    return (schema, node["name"]) if schema is not None else (node["name"],)


def is_monthly(source: Source) -> bool:
    """A source whose supersession key holds the period is delivered month by month."""
    return "period" in source.contract.supersession_key


def partition_of(file_name: str) -> str | None:
    """The monthly partition key of a file name, or None when it names no month.

    >>> partition_of("huvudbok_201106_leverans2.csv")
    '2011-06-01'
    >>> partition_of("huvudbok_202406_142_rattelse.csv")
    '2024-06-01'
    >>> partition_of("organisation.csv") is None
    True
    """
    match = _PERIOD.search(file_name)
    return f"{match.group(1)}-{match.group(2)}-01" if match else None


def ingest_asset_of(file_name: str) -> tuple[tuple[str, ...], str | None]:
    """The asset (and monthly partition) that takes a file in the Dagster definitions.

    A monthly source's file with a month in its name is that month's partition of its
    source's asset; a file of no source, or a monthly one naming no month, is taken by
    `landing/unclaimed_files` (orchestration/assets/ingest.py).

    >>> ingest_asset_of("lon_201108.csv"), ingest_asset_of("organisation.csv")
    ((('events', 'lon'), '2011-08-01'), (('events', 'organisation'), None))
    >>> ingest_asset_of("huvudbok_export.csv"), ingest_asset_of("expected.md")
    ((('landing', 'unclaimed_files'), None), (('landing', 'unclaimed_files'), None))
    """
    from sources.registry import source_for

    source = source_for(file_name)
    if source is None:
        return UNCLAIMED_KEY, None
    if not is_monthly(source):
        return ingest_key(source.name), None
    partition = partition_of(file_name)
    return (ingest_key(source.name), partition) if partition else (UNCLAIMED_KEY, None)


# -- the expectations check ----------------------------------------------------------------


@dataclass(frozen=True)
class CheckSummary:
    """The expectations check of one asset (and partition) over the files it handled."""

    passed: bool
    description: str
    metadata: dict[str, Any]


def expectations_check(results: Sequence[FileResult]) -> CheckSummary:
    """Whether every file passed, and why not, as the UI shows it.

    The description (Dagster shows it beside the check) says how many expectations were
    evaluated and, for each rejected file, every rule that failed with its column, lines
    and values (masked, as in the quarantine report's reason), and where the report is.
    Rejections that are no expectation (an unreadable file, a file of no source) give
    their reason.
    """
    from warehouse.quarantine import shown

    checked = [r for r in results if r.status in ("accepted", "rejected")]
    rejected = [r for r in results if r.status == "rejected"]
    evaluated = sum(o.evaluated for r in checked for o in r.outcomes)
    failed = sum(len(o.failures) for r in rejected for o in r.outcomes)
    if rejected:
        first = (
            f"{len(rejected)} of {len(checked)} file(s) rejected; {failed} of {evaluated} "
            "expectation(s) failed."
        )
    elif checked:
        first = f"{len(checked)} file(s) passed: {evaluated} expectation(s) evaluated, all held."
    else:
        first = "No file to check."
    lines = [first]
    for result in rejected:
        failures = [f for o in result.outcomes for f in o.failures]
        if failures:
            lines.append(f"{result.name}:")
            lines.extend(f"  - {shown(f.summary())}" for f in failures)
        else:
            lines.append(f"{result.name}: {shown(result.reason or 'rejected')}")
        if result.report is not None:
            lines.append(f"  report: {result.report}")
    return CheckSummary(
        passed=not rejected,
        description="\n".join(lines),
        metadata={
            # The description again, as a text value: the UI lists metadata in the
            # check's history table, where the description is not shown.
            "summary": "\n".join(lines),
            "evaluated_expectations": evaluated,
            "failed_expectations": failed,
            "files_checked": len(checked),
            "rejected_files": [f"{r.name}: {shown(r.reason or '')}" for r in rejected],
            "reports": [str(r.report) for r in rejected],
        },
    )


# -- what a CLI run reports ----------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event for the Dagster instance: a materialisation, or a check's result."""

    key: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    partition: str | None = None
    check: CheckSummary | None = None  # set: an evaluation of the expectations check


def run_events(
    home: Paths,
    command: str,
    *,
    files: Iterable[FileResult] = (),
    build: BuildResult | None = None,
    published: Published | None = None,
) -> list[Event]:
    """What a run materialised, under the Dagster definitions' keys (no Dagster needed).

    Per ingest asset (and month): one materialisation with the batches, files and rows
    accepted, and the expectations check over its files; per dbt model, seed or
    snapshot built: its dbt status and time (and, for a published mart, its rows); the
    published snapshot: its path and tables. Nothing accepted, built or published: no
    event at all (a check alone is not reported: the run materialised nothing).
    """
    base = {"reported_by": command, "tertial_home": str(home.home)}
    events: list[Event] = []
    by_asset: dict[tuple[tuple[str, ...], str | None], list[FileResult]] = {}
    for result in files:
        if result.status in ("accepted", "rejected"):
            by_asset.setdefault(ingest_asset_of(result.path.name), []).append(result)
    for (key, partition), results in by_asset.items():
        accepted = [r for r in results if r.status == "accepted"]
        if accepted:
            events.append(
                Event(
                    key,
                    {
                        **base,
                        "batches": [r.batch_id for r in accepted],
                        "files": [r.name for r in accepted],
                        "rows_appended": sum(r.rows for r in accepted),
                    },
                    partition,
                )
            )
        events.append(Event(key, dict(base), partition, check=expectations_check(results)))
    if build is not None:
        events.extend(_model_events(home, build, published, base))
    if published is not None:
        events.append(
            Event(
                PUBLISHED_KEY,
                {
                    **base,
                    "path": str(published.path),
                    "tables": list(published.tables),
                    "seconds": round(published.seconds, 2),
                },
            )
        )
    return events if any(e.check is None for e in events) else []


BUILT = frozenset({"model", "seed", "snapshot"})
# dbt's status of a node that did not build (a model's success reads "ok", a seed's "success").
NOT_BUILT = frozenset({"error", "fail", "runtime error", "skipped", "skip"})


def _model_events(
    home: Paths, build: BuildResult, published: Published | None, base: dict[str, Any]
) -> list[Event]:
    """One materialisation per model, seed or snapshot dbt built (its manifest names it)."""
    from warehouse.build import manifest_path

    built = [n for n in build.nodes if n.resource_type in BUILT and n.status not in NOT_BUILT]
    if not built:
        return []
    manifest = json.loads(manifest_path(home).read_text(encoding="utf-8"))
    nodes = manifest.get("nodes", {})
    rows = _published_rows(published) if published is not None else {}
    events = []
    for node in built:
        entry = nodes.get(node.unique_id or "")
        if entry is None:
            continue  # not in the manifest the build left: nothing to name it by
        key = dbt_key(entry)
        relation = f"{entry['config'].get('schema')}.{entry.get('alias') or entry['name']}"
        metadata = {
            **base,
            "unique_id": node.unique_id,
            "dbt_status": node.status,
            "seconds": round(node.seconds, 2),
        }
        if relation in rows:
            metadata["rows"] = rows[relation]
        events.append(Event(key, metadata))
    return events


def _published_rows(published: Published) -> dict[str, int]:
    """Rows of each published table (`marts.fct_ledger`: n); empty when unreadable."""
    from warehouse.connection import duckdb_connect

    try:
        con = duckdb_connect(published.path, read_only=True)
    except Exception:  # a snapshot replaced meanwhile: the rows are a nicety
        return {}
    try:
        counts = {}
        for name in published.tables:
            schema, _, table = name.partition(".")
            # Identifiers from the publish's own catalog read, quoted.
            [(count,)] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()
            counts[name] = int(count)
        return counts
    finally:
        con.close()


def dagster_home(home: Paths) -> Path:
    """`$DAGSTER_HOME` when set (the Makefile sets it to `$TERTIAL_HOME/dagster`), else
    the home's own `dagster/` folder."""
    chosen = os.environ.get("DAGSTER_HOME")
    return Path(chosen).expanduser() if chosen else home.dagster_home


def report_cli_run(
    home: Paths,
    command: str,
    *,
    files: Iterable[FileResult] = (),
    build: BuildResult | None = None,
    published: Published | None = None,
    warn: Callable[[str], None] = print,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Report a CLI run's materialisations to the Dagster instance; the number reported.

    Only to an instance that is set up (its `dagster.yaml` in `dagster_home`: `make
    dagster` and `make run` write it: orchestration/instance.py): a user who never runs
    Dagster pays nothing, not even its import. The run is done and published whatever
    happens here: a broken instance (or Dagster missing) is one line through `warn`;
    reported, one line through `progress` says what and how long it took (Dagster's
    import and its SQLite writes: a few seconds after a full build's ~60 events).
    """
    events = run_events(home, command, files=files, build=build, published=published)
    where = dagster_home(home)
    if not events or not (where / "dagster.yaml").is_file():
        return 0
    started = time.perf_counter()
    try:
        sent = _send(where, events, command)
    except Exception as exc:  # never fail a run that loaded, built and published
        text = str(exc).strip().splitlines()
        warn(
            f"warning: the Dagster instance in {where} was not told of this run "
            f"({type(exc).__name__}: {text[0] if text else ''}); the run itself is done"
        )
        return 0
    if progress is not None:
        checks = sum(e.check is not None for e in events)
        progress(
            f"Dagster: {sent - checks} materialisation(s) and {checks} check result(s) "
            f"reported to the instance in {where} ({time.perf_counter() - started:.1f}s)"
        )
    return sent


# The job name of the run each CLI report is recorded in (no job of the definitions
# has it: the UI lists these runs beside Dagster's own, with their command in the tags).
CLI_JOB = "tertial_cli"


def _send(where: Path, events: Sequence[Event], command: str = "tertial") -> int:
    """Materialisations as runless events; the expectations checks inside one run of
    their own, recorded for this CLI run.

    Why a run: Dagster keys a check's result by (asset, check, run id, partition), and
    every runless event has the same empty run id, so the second runless result for one
    month (every correction of a month already loaded, `huvudbok_202412_101_rattelse.csv`
    in a trial of 2026-12-06) broke that key and the whole report was lost
    ("UNIQUE constraint failed: asset_check_executions…").
    """
    # Dagster's beta and deprecation warnings are for its developers, not for a
    # controller reading `tertial run`'s output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import dagster as dg

        with dg.DagsterInstance.from_config(str(where)) as instance:
            checks = [e for e in events if e.check is not None]
            for event in events:
                if event.check is None:
                    instance.report_runless_asset_event(
                        dg.AssetMaterialization(
                            asset_key=dg.AssetKey(list(event.key)),
                            partition=event.partition,
                            metadata=event.metadata,
                        )
                    )
            if checks:
                _send_checks(instance, checks, command)
    return len(events)


def _send_checks(instance: Any, checks: Sequence[Event], command: str) -> None:
    """The check results inside a run of their own: started, the results, succeeded."""
    import dagster as dg

    run = instance.add_run(
        dg.DagsterRun(
            job_name=CLI_JOB,
            status=dg.DagsterRunStatus.NOT_STARTED,
            tags={"tertial/command": command},
        )
    )

    def report(kind: Any, data: Any = None, message: str | None = None) -> None:
        instance.report_dagster_event(
            dg.DagsterEvent(
                event_type_value=kind.value,
                job_name=CLI_JOB,
                event_specific_data=data,
                message=message,
            ),
            run_id=run.run_id,
        )

    report(dg.DagsterEventType.RUN_START, message=f"{command}: reporting its checks")
    for event in checks:
        assert event.check is not None
        report(
            dg.DagsterEventType.ASSET_CHECK_EVALUATION,
            dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey(list(event.key)),
                check_name=CHECK_NAME,
                passed=event.check.passed,
                severity=dg.AssetCheckSeverity.WARN,
                description=event.check.description,
                metadata={**event.metadata, **event.check.metadata},
                blocking=True,
                partition=event.partition,
            ),
        )
    report(dg.DagsterEventType.RUN_SUCCESS, message=f"{command}: done")

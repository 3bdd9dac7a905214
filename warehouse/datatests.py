"""The nightly's data tests, run from dbt's own compiled SQL in one connection.

A data test is a query for the rows that break it (dbt compiles `unique`, `not_null`,
our generic tests and the singular ones to such a query) and a verdict on their count
(`fail_calc`, `warn_if`, `error_if`, `severity`: dbt's test materialization). Run as dbt
nodes, the 99 tests of the 10-year city's nightly took 4.0 s of a 13.0 s build: dbt's
own work per node (Jinja, events, a transaction each) on 2 threads that share one
interpreter. Their queries take 0.5 s in one DuckDB connection (2026-12-06). So the
nightly (warehouse/build.py: selective, or whole without a build on record) lets dbt
build the models (`dbt run`) and runs their tests here, with dbt's verdict.

Where the SQL comes from: every `dbt build` that runs tests leaves each test's compiled
query in dbt's manifest. `remember` keeps them (`dbt/data_tests.json`) with the project's
fingerprint (warehouse/freshness.py): a test compiles to the same query while the project
does not change, and the nightly only builds selectively when the project is the one the
working marts were built by (warehouse/selection.py). A test with no query on record for
this fingerprint is left to dbt (`dbt test`), so none is skipped. That holds for tests
whose query depends on the project only: a test that read the data while compiling
(`run_query` in its Jinja) would be kept stale. None of ours does (dbt_project/tests);
one that must would need its own `dbt test` here.

Which tests: those the nightly's own `dbt build` would run (`build_args`: not tagged as
below the marts or on a renaming view) with a parent that was just built, and the tests
on the event log's tables (a few ms each): a superset of dbt's `--indirect-selection
buildable` choice, and all of the nightly's tests for a whole build
(tests/integration/test_nothing_new.py compares both with `dbt ls`).
Dagster's nightly keeps running them as dbt nodes: dagster-dbt turns each into an asset
check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.freshness import write_json
from warehouse.settings import Paths

RECORD = "data_tests.json"


@dataclass(frozen=True)
class DataTest:
    """One dbt data test as dbt compiled it: the query for its failing rows and its
    verdict's configuration (dbt's defaults below)."""

    unique_id: str
    name: str
    sql: str
    severity: str = "error"
    fail_calc: str = "count(*)"
    warn_if: str = "!= 0"
    error_if: str = "!= 0"
    limit: int | None = None


@dataclass(frozen=True)
class Verdict:
    unique_id: str
    name: str
    status: str  # pass, warn, fail (as dbt says) or error (the query did not run)
    seconds: float
    failures: int = 0
    message: str | None = None


def record_path(paths: Paths) -> Path:
    return paths.dbt_target.parent / RECORD


def compiled_tests(manifest: Mapping[str, Any]) -> dict[str, DataTest]:
    """The data tests of a dbt manifest that carry their compiled query (those its
    invocation ran), except what this runner cannot do as dbt would: a test that stores
    its failures, or whose query lacks its ephemeral models' CTEs.

    >>> node = {"resource_type": "test", "name": "unique_x", "compiled_code": "select 1",
    ...         "config": {"severity": "warn", "limit": None, "store_failures": None}}
    >>> compiled_tests({"nodes": {"test.t.unique_x": node}})["test.t.unique_x"].severity
    'warn'
    >>> compiled_tests({"nodes": {"test.t.unique_x": {**node, "compiled_code": None}}})
    {}
    """
    tests = {}
    for unique_id, node in manifest.get("nodes", {}).items():
        config = node.get("config") or {}
        if (
            node.get("resource_type") != "test"
            or not node.get("compiled_code")
            or config.get("store_failures")
            or (node.get("extra_ctes") and not node.get("extra_ctes_injected"))
        ):
            continue
        tests[unique_id] = DataTest(
            unique_id=unique_id,
            name=node["name"],
            sql=node["compiled_code"],
            severity=str(config.get("severity") or "error").lower(),
            fail_calc=config.get("fail_calc") or "count(*)",
            warn_if=config.get("warn_if") or "!= 0",
            error_if=config.get("error_if") or "!= 0",
            limit=config.get("limit"),
        )
    return tests


def remember(paths: Paths, fingerprint: str, manifest: Mapping[str, Any]) -> None:
    """Keep the compiled tests of `manifest` (a build's) for the project `fingerprint`,
    beside those kept already for it; those of another fingerprint are dropped. The
    manifest's invocation is noted too (`manifest_on_record`)."""
    kept = remembered(paths, fingerprint)
    kept.update(compiled_tests(manifest))
    write_json(
        record_path(paths),
        {
            "fingerprint": fingerprint,
            "manifest": invocation(manifest),
            "tests": [asdict(t) for t in kept.values()],
        },
    )


def invocation(manifest: Mapping[str, Any]) -> str | None:
    """The id of the dbt invocation that wrote `manifest`."""
    return (manifest.get("metadata") or {}).get("invocation_id")


def manifest_on_record(paths: Paths, fingerprint: str) -> str | None:
    """The invocation whose manifest the tests of the project `fingerprint` were last
    kept from; None for another project or none on record."""
    manifest = _record(paths, fingerprint).get("manifest")
    return manifest if isinstance(manifest, str) else None


def remembered(paths: Paths, fingerprint: str) -> dict[str, DataTest]:
    """The compiled tests kept for the project `fingerprint`; none for another one."""
    try:
        return {t["unique_id"]: DataTest(**t) for t in _record(paths, fingerprint).get("tests", [])}
    except (KeyError, TypeError):
        return {}


def _record(paths: Paths, fingerprint: str) -> dict[str, Any]:
    """What is kept for the project `fingerprint` (empty for another one, or none)."""
    try:
        data = json.loads(record_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("fingerprint") == fingerprint else {}


def chosen(
    manifest: Mapping[str, Any], built: Iterable[str], excluded_tags: Iterable[str]
) -> list[str]:
    """The tests that guard what a selective build rebuilt: every test not carrying an
    excluded tag with a parent among `built` (models' unique ids) or on a table of the
    event log (a source), in the manifest's order.

    >>> nodes = {
    ...     "test.t.a": {"resource_type": "test", "tags": [],
    ...                  "depends_on": {"nodes": ["model.t.fct", "model.t.dim"]}},
    ...     "test.t.b": {"resource_type": "test", "tags": ["below_marts"],
    ...                  "depends_on": {"nodes": ["model.t.fct"]}},
    ...     "test.t.c": {"resource_type": "test", "tags": [],
    ...                  "depends_on": {"nodes": ["model.t.dim"]}},
    ...     "test.t.d": {"resource_type": "test", "tags": [],
    ...                  "depends_on": {"nodes": ["source.t.events.batches"]}},
    ...     "model.t.fct": {"resource_type": "model", "tags": [], "depends_on": {"nodes": []}},
    ... }
    >>> chosen({"nodes": nodes}, ["model.t.fct"], ["below_marts"])
    ['test.t.a', 'test.t.d']
    """
    built, excluded = set(built), set(excluded_tags)
    return [
        unique_id
        for unique_id, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "test"
        and not excluded & set(node.get("tags") or ())
        and any(
            parent in built or parent.startswith("source.")
            for parent in (node.get("depends_on") or {}).get("nodes", ())
        )
    ]


def verdict_sql(test: DataTest) -> str:
    """dbt's test materialization (`get_test_sql`): the failing rows counted and judged.

    >>> print(verdict_sql(DataTest("test.t.u", "u", "select id from t", limit=5)))
    select count(*) as failures, count(*) != 0 as should_warn, count(*) != 0 as should_error
    from (
    select id from t
    limit 5
    ) dbt_internal_test
    """
    limit = f"\nlimit {test.limit}" if test.limit is not None else ""
    calc = test.fail_calc
    return (
        f"select {calc} as failures, {calc} {test.warn_if} as should_warn, "
        f"{calc} {test.error_if} as should_error\nfrom (\n{test.sql}{limit}\n) dbt_internal_test"
    )


def status(test: DataTest, should_warn: bool, should_error: bool) -> str:
    """dbt's verdict: fail only at severity error; a warn-severity test at most warns.

    >>> status(DataTest("test.t.u", "u", "", severity="warn"), True, True)
    'warn'
    >>> status(DataTest("test.t.u", "u", ""), False, False)
    'pass'
    """
    if test.severity == "error" and should_error:
        return "fail"
    return "warn" if should_warn else "pass"


def run_tests(
    con: duckdb.DuckDBPyConnection,
    tests: Iterable[DataTest],
    on_verdict: Callable[[Verdict], None] = lambda verdict: None,
) -> list[Verdict]:
    """Each test's verdict, one query after the other on `con` (DuckDB spreads each
    query over the cores itself: two threads took 0.47 s against 0.56 s in sequence,
    and the report's order would no longer be the manifest's)."""
    verdicts = []
    for test in tests:
        started = time.perf_counter()
        try:
            failures, should_warn, should_error = con.execute(verdict_sql(test)).fetchone()
        except duckdb.Error as error:
            verdict = Verdict(
                test.unique_id,
                test.name,
                "error",
                time.perf_counter() - started,
                message=str(error).splitlines()[0],
            )
        else:
            verdict = Verdict(
                test.unique_id,
                test.name,
                status(test, bool(should_warn), bool(should_error)),
                time.perf_counter() - started,
                failures=int(failures or 0),
            )
        on_verdict(verdict)
        verdicts.append(verdict)
    return verdicts

"""Project the event log with dbt: `dbt build` (seeds, models and their tests).

dbt runs in a subprocess (`run_dbt`: JSON log events read as they come, each finished
node reported, the process dies with ours), never in-process: see `run_dbt`. Where dbt
finds the project, its profile, its target and logs (`dbt_args`) and the environment its
profile reads (`dbt_env`) are declared here once, for the CLI, the as-of builds, the
tests and Dagster (orchestration/assets/dbt_models.py, which runs the same command line
through dagster-dbt's DbtCliResource to get its asset events).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse import saved_parse
from warehouse.crashpoints import crash_point
from warehouse.datatests import (
    DataTest,
    Verdict,
    chosen,
    invocation,
    manifest_on_record,
    remember,
    remembered,
    run_tests,
)
from warehouse.dbt_process import CWD_ENV
from warehouse.settings import DBT_PROJECT_DIR, DUCKDB_MEMORY_LIMIT_ENV, Paths, duckdb_config

Progress = Callable[[str], None]
# A node's status when it failed, as dbt's events say it (a model that built says "ok"
# in `dbt run`'s events, "success" in its run_results.json).
FAILED = frozenset({"error", "fail", "runtime error"})


class BuildFailed(RuntimeError):
    """dbt failed: a model did not build or a test did not pass. Nothing is published."""


@dataclass(frozen=True)
class NodeResult:
    name: str
    resource_type: str
    status: str
    seconds: float
    message: str | None = None
    unique_id: str | None = None  # `model.tertial.fct_ledger`: the manifest's key


@dataclass
class BuildResult:
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        count: dict[str, int] = {}
        for node in self.nodes:
            count[node.resource_type] = count.get(node.resource_type, 0) + 1
        parts = ", ".join(f"{n} {kind}s" for kind, n in sorted(count.items()))
        failed = [n for n in self.nodes if n.status in FAILED]
        state = "ok" if self.success else f"FAILED ({len(failed)} node(s))"
        return f"dbt build {state}: {parts} in {self.seconds:.1f}s"


def dbt_args(command: str, paths: Paths, *extra: str) -> list[str]:
    """The dbt command line for `command` against this TERTIAL_HOME.

    Target and log paths live in TERTIAL_HOME so two homes (tests, a benchmark) never
    share partial-parse state or logs.
    """
    return [
        *command.split(),  # a group and its command, e.g. "docs generate"
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(paths.dbt_target),
        "--log-path",
        str(paths.dbt_logs),
        *extra,
    ]


def dbt_env(paths: Paths) -> dict[str, str]:
    """Environment dbt needs: the working database and its memory limit (profiles.yml).

    dbt's log file (`dbt/logs/dbt.log`) keeps info-level events: the nodes, their results
    and errors. At dbt's default (debug) it also writes every SQL statement and
    connection event, ~25 per node: that formatting took 1.5 s of the 10-year nightly
    build's Python time (py-spy, 2026-12-06), and dbt's threads share one interpreter.
    `DBT_LOG_LEVEL_FILE=debug` in the environment brings the statements back.
    """
    home = os.path.abspath(paths.home)
    return {
        # Relative to the home dbt runs in (`tertial-dbt` enters it): the same profile
        # for every home, so a new one starts from this machine's saved parse
        # (warehouse/saved_parse.py).
        "TERTIAL_DB_PATH": os.path.relpath(os.path.abspath(paths.database), home),
        CWD_ENV: home,
        DUCKDB_MEMORY_LIMIT_ENV: duckdb_config()["memory_limit"],
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
    }


# dbt's info-level events for a finished model, test, seed or snapshot.
RESULT_EVENTS = frozenset({"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult"})


def dbt_executable() -> str:
    """`tertial-dbt` of this environment (next to the running Python), else on PATH: dbt,
    started in the home its environment names (warehouse/dbt_process.py)."""
    beside = Path(sys.executable).parent / "tertial-dbt"
    found = str(beside) if beside.exists() else shutil.which("tertial-dbt")
    if not found:
        raise BuildFailed("dbt is not installed in this environment: run `make install`")
    return found


# Linux: dbt is started through this launcher, which asks the kernel to SIGKILL it when
# its parent dies (PR_SET_PDEATHSIG survives exec) and then becomes dbt. A killed
# `tertial run` (SIGKILL, the OOM killer) so never leaves an orphaned dbt behind that
# goes on writing the working database after the run lock is gone.
_DIE_WITH_PARENT = """
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    sys.exit(137)  # the parent died before the line above
os.execv(sys.argv[2], sys.argv[2:])
"""


def _dying_with_parent(args: list[str]) -> list[str]:
    """`args`, started so that the process dies when this one does (Linux only)."""
    if not sys.platform.startswith("linux"):
        return args
    return [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), *args]


def run_dbt(
    paths: Paths,
    command: str,
    *extra: str,
    progress: Progress | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> BuildResult:
    """Run dbt in a subprocess and report every finished node through `progress`.

    `env` is added to dbt's environment (after `dbt_env`), `cwd` is its working folder
    (the home by default, whose relative paths the profile reads). A target folder
    without dbt's saved parse gets this machine's first, and a run that succeeded leaves
    its own for the next new home (warehouse/saved_parse.py).

    A subprocess, not dbtRunner in-process: dbt-duckdb keeps its DuckDB instance open
    for the life of the process, which would lock the working database against the
    publish step that follows (DuckDB: one attach per file per process).
    """
    args = [dbt_executable(), *dbt_args(command, paths, "--log-format", "json", *extra)]
    args = _dying_with_parent(args)
    env = {**os.environ, **dbt_env(paths), **(env or {})}
    # Where `tertial-dbt` runs dbt: the folder asked for, else the home.
    cwd = Path(os.path.abspath(cwd or env[CWD_ENV]))
    env[CWD_ENV] = str(cwd)
    saved = saved_parse.saved_for(saved_parse.target_of(extra))
    saved_parse.seed(paths.dbt_target, saved)
    nodes: list[NodeResult] = []
    errors: list[str] = []
    started = time.perf_counter()
    with subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=cwd,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            event = _event(line)
            if event is None:
                errors.append(line.rstrip())
                continue
            name = event.get("info", {}).get("name")
            data = event.get("data", {})
            if name in RESULT_EVENTS:
                node = _node(data)
                nodes.append(node)
                _report(progress, len(nodes), node)
                crash_point("during_build")
            elif event.get("info", {}).get("level") == "error":
                errors.append(event["info"].get("msg", ""))
        returncode = process.wait()
    result = BuildResult(returncode == 0, nodes, time.perf_counter() - started)
    if returncode != 0:
        # dbt's database path, as dbt resolved it (relative to the folder it ran in).
        database = Path(cwd) / env["TERTIAL_DB_PATH"]
        raise _failure(paths, result, database, errors=errors)
    saved_parse.share(paths.dbt_target, saved)
    return result


def _report(progress: Progress | None, index: int, node: NodeResult) -> None:
    if progress:
        progress(
            f"  [{index}] {node.resource_type:<10} {node.name:<45} "
            f"{node.status} ({node.seconds:.2f}s)"
        )


def _failure(
    paths: Paths,
    result: BuildResult,
    database: Path,
    *,
    queries: Mapping[str, str] | None = None,
    errors: Sequence[str] = (),
) -> BuildFailed:
    """What failed, for the controller: the first five failed nodes, each with its
    message and, for a failed data test, its first failing rows (`queries`: each test's
    query; by default the ones dbt ran, from run_results.json)."""
    failed = [n for n in result.nodes if n.status in FAILED]
    tests = {n.unique_id for n in failed[:5] if n.resource_type == "test" and n.status == "fail"}
    if queries is None and tests:
        queries = _queries_dbt_ran(paths, tests)
    rows = _failing_rows(database, {k: v for k, v in (queries or {}).items() if k in tests})
    detail = "; ".join(
        f"{n.name}: {n.message}{rows.get(n.unique_id or '', '')}" for n in failed[:5]
    )
    detail = detail or " ".join(e for e in errors if e)[-2000:]
    detail = detail or f"see the dbt logs in {paths.dbt_logs}"
    return BuildFailed(f"{result.summary()}: {detail}")


def _queries_dbt_ran(paths: Paths, tests: set[str | None]) -> dict[str, str]:
    """Each test's query as dbt ran it (run_results.json); none if it cannot be read."""
    try:
        run_results = json.loads((paths.dbt_target / "run_results.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        r["unique_id"]: r["compiled_code"]
        for r in run_results.get("results", [])
        if r.get("unique_id") in tests and r.get("compiled_code")
    }


# Failing rows shown per failed test in BuildFailed's message: enough to find the row.
FAILING_ROWS_SHOWN = 3


def _failing_rows(database: Path, queries: Mapping[str, str]) -> dict[str, str]:
    """`unique_id` -> " (first failing rows: ...)" for each failed data test's query.

    dbt's message of a failed test only counts the rows ("Got 1 result, configured to
    fail if != 0"). The test's name used to say which column was null (one not_null per
    column); one `columns_not_null` per model (dbt_project/tests/generic) checks them all,
    and its rows name the null columns and the row's key. So the first rows are read
    here, with the test's query, once dbt has exited and released the database. Only on
    a failed build; anything that goes wrong here leaves the message as dbt gave it.
    """
    if not queries:
        return {}
    from warehouse.connection import duckdb_connect

    shown: dict[str, str] = {}
    try:
        with duckdb_connect(database, read_only=True) as con:
            for unique_id, query in queries.items():
                cursor = con.execute(f"select * from ({query}) limit {FAILING_ROWS_SHOWN}")
                names = [d[0] for d in cursor.description]
                rows = [", ".join(map(_shown, names, row)) for row in cursor.fetchall()]
                if rows:
                    shown[unique_id] = f" (first failing rows: {'; '.join(rows)})"
    except Exception:  # the build failed already; its own message still says why
        return shown
    return shown


def _shown(name: str, value: object) -> str:
    """`name='text'` for a text (quoted: its spaces and emptiness show), `name=2011-05-01`."""
    return f"{name}={value!r}" if isinstance(value, str) else f"{name}={value}"


def _event(line: str) -> dict[str, Any] | None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None


def _node(data: dict[str, Any]) -> NodeResult:
    info = data.get("node_info", {})
    return NodeResult(
        name=info.get("node_name", "?"),
        resource_type=info.get("resource_type", "?"),
        status=str(data.get("status") or info.get("node_status", "?")).lower(),
        seconds=float(data.get("execution_time") or 0.0),
        # A failed test's event has no message, only its count of failing rows.
        message=data.get("msg")
        or (f"{data['num_failures']} failing row(s)" if data.get("num_failures") else None),
        unique_id=info.get("unique_id") or None,
    )


# Which tests a build runs (`build_args`): "full" every test, dbt's unit tests too (CI,
# `tertial build --full-tests`); "data" every data test (`tertial build`, replay);
# "nightly" the data tests that guard the marts and the log (`tertial run`, Dagster).
TESTS = ("full", "data", "nightly")
# The tags of the tests the nightly leaves out (dbt_project.yml, `data_tests:`): those
# on pure renaming views, and those on the intermediate models.
RENAMING_VIEW_TESTS = "renaming_view"
BELOW_MARTS_TESTS = "below_marts"
NIGHTLY_EXCLUDED_TAGS = (RENAMING_VIEW_TESTS, BELOW_MARTS_TESTS)
# What a selective nightly leaves out of what it builds (see `build_args`).
VIEWS = "config.materialized:view"


REFRESH_NOTE = (
    "The dbt project changed since the incremental projections (the ledger's sums) were "
    "built: rebuilding them from the event log (full refresh), once."
)


def build_args(
    *, full_refresh: bool = False, tests: str = "data", select: Sequence[str] = ()
) -> tuple[str, ...]:
    """A `dbt build`'s own arguments, the same for `tertial` and Dagster.

    Data tests guard every build (they read the night's data). dbt's unit tests run with
    `tests="full"` only: their inputs are fixed rows in the project, so they answer the
    same every night and belong to the test suite (tests/integration/test_dbt_unit_tests.py
    runs them all), as dbt advises; they were ~3.8 s of a ~12 s build of a small home.
    The nightly (`tests="nightly"`) runs the data tests that guard what it publishes:
    those on the marts and on the event log's tables. It leaves out the tests on the
    views that only rename and cast one source's columns (tag `renaming_view`: what they
    check of the data, the source's contract checked at ingest already) and those on the
    intermediate models (tag `below_marts`: the marts' own keys, relationships and
    contracts test what they feed); CI and `tertial build --full-tests` run them. A
    selective nightly (`select`) re-creates no view either: it builds only when the
    project is the one the working marts were built by (warehouse/selection.py), so
    every view stands as it was created, and a view reads its tables when queried.
    That was 13 views, 1.2 s of node time, of a 10-year nightly build (2026-12-06). Its
    tests are chosen `buildable`: dbt's default (`eager`) drops every test with a parent
    excluded, and with it a mart's relationship test to a view (meta_freshness's batch
    ids in stg_events__batches); `buildable` keeps a test whose parents are built or lie
    upstream of what is.
    `select`: dbt selectors of what to build (warehouse/selection.py), empty for
    everything; the tests of what is built run with it.
    """
    if tests not in TESTS:
        raise ValueError(f"tests must be one of {TESTS}, not {tests!r}")
    excluded = [f"tag:{tag}" for tag in NIGHTLY_EXCLUDED_TAGS]
    selective_nightly = tests == "nightly" and bool(select)
    if selective_nightly:
        excluded.append(VIEWS)
    return (
        # One argument, the selectors separated by spaces (a union, for dbt): dagster-dbt
        # reads `--select` as taking one value.
        *(("--select", " ".join(select)) if select else ()),
        *(("--exclude-resource-type", "unit_test") if tests != "full" else ()),
        *(("--exclude", " ".join(excluded)) if tests == "nightly" else ()),
        *(("--indirect-selection", "buildable") if selective_nightly else ()),
        *(("--full-refresh",) if full_refresh else ()),
    )


def backend_target() -> tuple[tuple[str, ...], dict[str, str]]:
    """dbt's target arguments and environment for the configured backend: none for the
    embedded file (the profile's default target), `--target lake` and the catalog's
    variables on the DuckLake catalog (warehouse/lake.py `dbt_lake_env`). `tertial build`
    and Dagster's dbt asset both take them from here.
    """
    from warehouse.lake import configured_lake, dbt_lake_env

    lake = configured_lake()
    if lake is None:
        return (), {}
    return ("--target", "lake"), dbt_lake_env(lake)


def build(
    paths: Paths,
    *,
    progress: Progress | None = None,
    full_refresh: bool = False,
    tests: str = "data",
    select: Sequence[str] = (),
) -> BuildResult:
    """`dbt build` over the working database: seeds, models and their data tests.

    What it was built from (the newest event, the project's fingerprint) is recorded
    when it succeeds, for the publish to write down (warehouse/freshness.py). After a
    change of the project, the incremental projections are rebuilt from the log
    (`projections_stale`: a full refresh of everything, once, said in one line). A selective
    build (`select`, warehouse/selection.py) records it too: it rebuilt everything that
    the events since the last record change, so the working marts are this project's
    build of the log through the newest event, as after a full build.

    The nightly (`tests="nightly"`, no `full_refresh`) runs its data tests from the
    queries dbt compiled for them in an earlier build of this project
    (`_models_then_tests`, warehouse/datatests.py): every successful build keeps them.
    """
    from warehouse.freshness import about_to_build, projections_stale, record_build

    target, target_env = backend_target()
    record = about_to_build(paths)
    if not full_refresh and projections_stale(paths, record.fingerprint if record else None):
        full_refresh, select = True, ()
        if progress:
            progress(REFRESH_NOTE)
    if target:
        # On the DuckLake catalog (issue 18) the same project builds there (dbt's `lake`
        # target: the catalog attached as `lake`, one thread), the nightly's selection
        # too (warehouse/selection.py reads the catalog's log), its data tests as dbt
        # nodes: the queries kept for our own runner are the file's build's, compiled
        # for another catalog. The publish reads the catalog (warehouse/publish.py
        # `attach_working`).
        args = build_args(full_refresh=full_refresh, tests=tests, select=select)
        result = run_dbt(paths, "build", *target, *args, progress=progress, env=target_env)
        if record is not None:
            record_build(paths, record)
        return result
    kept: Mapping[str, DataTest] = {}
    if record is not None and tests == "nightly" and not full_refresh:
        kept = remembered(paths, record.fingerprint)
    if record is not None and kept:
        result = _models_then_tests(paths, select, kept, record.fingerprint, progress)
    else:
        args = build_args(full_refresh=full_refresh, tests=tests, select=select)
        result = run_dbt(paths, "build", *args, progress=progress)
        if record is not None:
            _remember_tests(paths, record.fingerprint)
    if record is not None:
        record_build(paths, record)
    return result


def _remember_tests(paths: Paths, fingerprint: str) -> None:
    """Keep the queries of the tests dbt just ran (its manifest) for the nightly."""
    manifest = _manifest(paths)
    if manifest is not None:
        remember(paths, fingerprint, manifest)


def _models_then_tests(
    paths: Paths,
    select: Sequence[str],
    kept: Mapping[str, DataTest],
    fingerprint: str,
    progress: Progress | None,
) -> BuildResult:
    """The nightly, selective (`select`) or whole: dbt builds the models (`dbt run`), then
    their data tests run from the queries dbt compiled for them (warehouse/datatests.py)
    in one connection, with dbt's verdicts; a test with no query on record is left to
    `dbt test`. Raises BuildFailed like a `dbt build` on any failed model or test,
    naming the failing rows. The seeds are not loaded again: a seed changes with the
    project only, and a changed project has no queries on record (a whole `dbt build`).
    dbt's run writes no JSON artefacts when the manifest on disk is the one the tests
    were kept from; which nodes it ran is in its log either way.
    """
    started = time.perf_counter()
    selection = ("--select", " ".join(select), "--exclude", VIEWS) if select else ()
    manifest = _manifest(paths)
    # dbt writes manifest.json and run_results.json at every run: 0.76 s of the 10-year
    # nightly's 7.1 s holding the GIL for the manifest (py-spy, 2026-12-07). The nightly
    # reads neither when the manifest on disk is the one its tests were kept from: the
    # same project (the fingerprint), so the same nodes, tags and tests. Any other
    # (another dbt command of this home wrote it since) is written again and noted.
    on_record = manifest_on_record(paths, fingerprint)
    current = manifest is not None and on_record is not None and invocation(manifest) == on_record
    if current:
        # Never an older run's results taken for this one's.
        (paths.dbt_target / "run_results.json").unlink(missing_ok=True)
    artefacts = "--no-write-json" if current else "--write-json"
    run = run_dbt(paths, "run", artefacts, *selection, progress=progress)
    if not current:
        manifest = _manifest(paths)
        if manifest is not None:
            remember(paths, fingerprint, manifest)  # its invocation, for the next night
    manifest = manifest or {}
    # Every model of a `dbt run` that returns was built (run_dbt raises on any failure);
    # a whole build's tests are all the nightly's, those on the seeds too (loaded by the
    # build that recorded these queries: `dbt run` loads none).
    built = [n.unique_id for n in run.nodes if n.unique_id and n.resource_type == "model"]
    if not select:
        built += [k for k, n in manifest.get("nodes", {}).items() if n["resource_type"] == "seed"]
    wanted = chosen(manifest, built, NIGHTLY_EXCLUDED_TAGS)
    nodes = list(run.nodes)
    left_to_dbt = [manifest["nodes"][t]["name"] for t in wanted if t not in kept]
    if left_to_dbt:
        nodes += run_dbt(paths, "test", "--select", " ".join(left_to_dbt), progress=progress).nodes
        _remember_tests(paths, fingerprint)  # the next night has them

    def report(verdict: Verdict) -> None:
        nodes.append(_tested(verdict))
        _report(progress, len(nodes), nodes[-1])
        crash_point("during_build")

    from warehouse.connection import duckdb_connect

    with duckdb_connect(paths.database, read_only=True) as con:
        run_tests(con, [kept[t] for t in wanted if t in kept], report)
    result = BuildResult(True, nodes, time.perf_counter() - started)
    if any(n.status in FAILED for n in nodes):
        result.success = False
        queries = {n.unique_id: kept[n.unique_id].sql for n in nodes if n.unique_id in kept}
        raise _failure(paths, result, paths.database, queries=queries)
    return result


def _tested(verdict: Verdict) -> NodeResult:
    """A test's verdict as dbt's own event for it would report it (`_node`)."""
    message = verdict.message or (
        f"{verdict.failures} failing row(s)" if verdict.status in ("fail", "warn") else None
    )
    return NodeResult(
        verdict.name, "test", verdict.status, verdict.seconds, message, verdict.unique_id
    )


def _manifest(paths: Paths) -> dict[str, Any] | None:
    """The manifest dbt's last invocation wrote; None if it cannot be read."""
    try:
        return json.loads(manifest_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def manifest_path(paths: Paths) -> Path:
    return paths.dbt_target / "manifest.json"

"""Project the event log with dbt: `dbt build` (seeds, models and their tests) in-process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tertial.settings import DBT_PROJECT_DIR, Paths

Progress = Callable[[str], None]


class BuildFailed(RuntimeError):
    """dbt failed: a model did not build or a test did not pass. Nothing is published."""


@dataclass(frozen=True)
class NodeResult:
    name: str
    resource_type: str
    status: str
    seconds: float
    message: str | None = None


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
        failed = [n for n in self.nodes if n.status not in ("success", "pass", "warn", "skipped")]
        state = "ok" if self.success else f"FAILED ({len(failed)} node(s))"
        return f"dbt build {state}: {parts} in {self.seconds:.1f}s"


def dbt_args(command: str, paths: Paths, *extra: str) -> list[str]:
    """The dbt command line for `command` against this TERTIAL_HOME.

    Target and log paths live in TERTIAL_HOME so two homes (tests, a benchmark) never
    share partial-parse state or logs.
    """
    return [
        command,
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
    """Environment dbt needs: where the working database is (profiles.yml reads it)."""
    return {"TERTIAL_DB_PATH": str(paths.database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_dbt(
    paths: Paths, command: str, *extra: str, progress: Progress | None = None
) -> BuildResult:
    """Invoke dbt in-process and report every finished node through `progress`."""
    from dbt.cli.main import dbtRunner  # imported late: ~2 s, and only build needs it

    nodes: list[NodeResult] = []

    def on_event(event: Any) -> None:
        if event.info.name != "NodeFinished":
            return
        info = event.data.node_info
        result = event.data.run_result
        node = NodeResult(
            name=info.node_name,
            resource_type=info.resource_type,
            status=info.node_status,
            seconds=float(getattr(result, "execution_time", 0.0) or 0.0),
            message=getattr(result, "message", None) or None,
        )
        nodes.append(node)
        if progress:
            progress(
                f"  [{len(nodes)}] {node.resource_type:<10} {node.name:<45} "
                f"{node.status} ({node.seconds:.2f}s)"
            )

    started = time.perf_counter()
    with _environment(dbt_env(paths)):
        outcome = dbtRunner(callbacks=[on_event]).invoke(
            dbt_args(command, paths, "--quiet", *extra)
        )
    result = BuildResult(bool(outcome.success), nodes, time.perf_counter() - started)
    if not outcome.success:
        failed = [n for n in nodes if n.status in ("error", "fail", "runtime error")]
        detail = "; ".join(f"{n.name}: {n.message}" for n in failed[:5])
        if outcome.exception is not None:
            detail = f"{detail}; {outcome.exception}" if detail else str(outcome.exception)
        raise BuildFailed(
            f"{result.summary()}: {detail or 'see dbt logs in ' + str(paths.dbt_logs)}"
        )
    return result


def build(
    paths: Paths, *, progress: Progress | None = None, full_refresh: bool = False
) -> BuildResult:
    """`dbt build` over the working database: seeds, models and all their tests."""
    extra: Sequence[str] = ("--full-refresh",) if full_refresh else ()
    return run_dbt(paths, "build", *extra, progress=progress)


def manifest_path(paths: Paths) -> Path:
    return paths.dbt_target / "manifest.json"

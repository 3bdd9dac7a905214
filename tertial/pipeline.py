"""The nightly job in plain Python: ingest what landed, build, publish.

The CLI (`tertial run`) and the Dagster job call these same functions, so there is one
way to load the warehouse whichever front door is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tertial.settings import Paths
from warehouse.build import BuildResult, build
from warehouse.ingest import FileResult, ingest, summary
from warehouse.publish import Published, publish

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class RunResult:
    files: list[FileResult]
    build: BuildResult
    published: Published

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]


def build_and_publish(paths: Paths, progress: Progress = _quiet) -> tuple[BuildResult, Published]:
    """dbt build (models + tests) on the working database, then publish the snapshot.

    `build` raises on any failed model or test, so a failed build never reaches publish
    and the previous snapshot stays exactly as it was.
    """
    progress("Building the warehouse with dbt (models and tests) ...")
    result = build(paths, progress=progress)
    progress(result.summary())
    progress("Publishing the read-only snapshot ...")
    published = publish(paths.database, paths.published)
    progress(
        f"Published {len(published.tables)} tables to {published.path} ({published.seconds:.1f}s)"
    )
    return result, published


def run(paths: Paths, progress: Progress = _quiet) -> RunResult:
    """The nightly job: everything new in landing/, then build and publish.

    Files are taken out of landing/ as they are handled (accepted and duplicates to
    archive/, rejected to quarantine/), so landing/ always shows what is still to load.
    A rejected file does not stop the night: the other boards' data is valid and is
    published; the rejection is reported and the exit code says so.
    """
    paths.ensure()
    progress(f"Ingesting new files in {paths.landing} ...")
    files = ingest(paths, [paths.landing], move=True, progress=progress)
    progress(summary(files))
    result, published = build_and_publish(paths, progress)
    return RunResult(files, result, published)

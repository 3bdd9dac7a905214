"""The dbt project as Dagster assets, and the manifest they are built from."""

from __future__ import annotations

from pathlib import Path

from warehouse.build import manifest_path, run_dbt
from warehouse.settings import DBT_PROJECT_DIR, Paths


def _newest_source_change() -> float:
    watched = [p for p in DBT_PROJECT_DIR.rglob("*") if p.suffix in {".sql", ".yml", ".csv"}]
    return max((p.stat().st_mtime for p in watched if "target" not in p.parts), default=0.0)


def ensure_manifest(paths: Paths) -> Path:
    """`dbt parse` when the manifest is missing or older than the project (~5 s, once).

    Dagster reads the manifest when the definitions load, before any run, so it must
    exist without a build having happened.
    """
    manifest = manifest_path(paths)
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_change():
        run_dbt(paths, "parse")
    return manifest

"""DuckDB extensions from PyPI: the `.duckdb_extension` file each package carries.

DuckDB cannot download extensions at run time on our machines, so each comes as the
PyPI package `duckdb-extension-<name>==1.5.5` (pinned with DuckDB in pyproject.toml):
`encodings` (the benchmark's CP1252 baseline), `postgres` (the PostgreSQL refresh,
warehouse/postgres/refresh.py) and `excel` (`tertial query --format xlsx`). Pass the path
to `warehouse.connection.duckdb_connect(extensions=[...])`, which LOADs it.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def extension_path(name: str) -> Path:
    """The file of DuckDB extension `name` shipped by `duckdb-extension-<name>`.

    >>> extension_path("postgres").name
    'postgres.duckdb_extension'
    """
    root = Path(str(importlib.resources.files(f"duckdb_extension_{name}"))) / "extensions"
    found = sorted(root.rglob("*.duckdb_extension"))
    if not found:
        raise FileNotFoundError(f"no .duckdb_extension under {root}")
    return found[-1]

"""DuckDB extensions from PyPI: the `.duckdb_extension` file each package carries.

DuckDB cannot download extensions at run time on our machines, so each comes as the
PyPI package `duckdb-extension-<name>==1.5.5` (pinned with DuckDB in pyproject.toml):
`encodings` (the benchmark's CP1252 baseline), `postgres` (the PostgreSQL refresh,
warehouse/postgres/refresh.py) and `excel` (`tertial query --format xlsx`). Pass the path
to `warehouse.connection.duckdb_connect(extensions=[...])`, which LOADs it.
"""

from __future__ import annotations

import importlib.resources
import os
import tempfile
from pathlib import Path

# DuckDB takes an extension's entry point from its file name (`<name>_duckdb_cpp_init`);
# the postgres package ships `postgres.duckdb_extension`, whose entry point is
# `postgres_scanner_duckdb_cpp_init` ("did not contain the expected entrypoint function
# 'postgres_duckdb_cpp_init'"): it loads under that name only.
LOADS_AS = {"postgres": "postgres_scanner"}


def extension_path(name: str) -> Path:
    """The file of DuckDB extension `name` shipped by `duckdb-extension-<name>`, under the
    name DuckDB loads it by (`LOADS_AS`: a symbolic link in a folder of this user's).

    >>> extension_path("excel").name
    'excel.duckdb_extension'
    >>> extension_path("postgres").name
    'postgres_scanner.duckdb_extension'
    """
    root = Path(str(importlib.resources.files(f"duckdb_extension_{name}"))) / "extensions"
    found = sorted(root.rglob("*.duckdb_extension"))
    if not found:
        raise FileNotFoundError(f"no .duckdb_extension under {root}")
    shipped = found[-1]
    if name not in LOADS_AS:
        return shipped
    folder = Path(tempfile.gettempdir()) / f"tertial-duckdb-extensions-{os.getuid()}"
    link = folder / shipped.parent.name / f"{LOADS_AS[name]}.duckdb_extension"
    link.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not (link.is_symlink() and link.resolve() == shipped.resolve()):
        temporary = link.with_name(f".{link.name}.{os.getpid()}")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(shipped)
        os.replace(temporary, link)  # atomic: a concurrent process sees one link or the other
    return link

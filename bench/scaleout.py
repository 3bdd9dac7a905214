"""The scale-out table of issue 18: loaders at once on DuckLake against one on the file.

Four ledger months are loaded four ways, each into a target holding only the registers:
- the embedded file, one `ingest` process taking the four months one after the other;
- a DuckLake catalog (PostgreSQL on the benchmark's own server, Parquet under `--out`),
  by 1, 2 and 4 loader processes started together, the months dealt round-robin; each
  loader has its own home (its own run lock, as on its own machine) and the one catalog.

Throughput is the months' rows over the wall time from the first start to the last exit
(whole processes: interpreter start and imports included on every side). Then the
catalog's own ceiling: one-row commits per second of `loader.head`, the row every event
commit updates (warehouse/lake.py), by 1 and by 4 processes at once (conflicts run again
with backoff, as a loader's commit is).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

LOADERS = (1, 2, 4)
COMMITS = 200  # one-row commits per process for the catalog's ceiling
PREFIX = "scale-out: "


def loaders_label(backend: str, count: int) -> str:
    return f"{PREFIX}{backend}, {count} loader{'s' if count > 1 else ''} at once"


def inputs(files: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """(the registers, the first four ledger months) of the city's files, sorted.

    >>> inputs([Path("huvudbok_201501.csv"), Path("organisation.csv")])
    ([PosixPath('organisation.csv')], [PosixPath('huvudbok_201501.csv')])
    """
    from bench.generate import arrival

    registers = [f for f in files if arrival(f.name) is None]
    months = [f for f in files if f.name.startswith("huvudbok_")][:4]
    return registers, months


def commits_label(count: int) -> str:
    return f"{PREFIX}one-row commits on the catalog, {count} process{'es' if count > 1 else ''}"


def deal(files: Sequence[Path], count: int) -> list[list[Path]]:
    """`files` dealt round-robin to `count` loaders.

    >>> deal([Path("a"), Path("b"), Path("c"), Path("d")], 2)
    [[PosixPath('a'), PosixPath('c')], [PosixPath('b'), PosixPath('d')]]
    """
    return [list(files[i::count]) for i in range(count)]


def lake_database(server, name: str) -> str:
    """A new, empty PostgreSQL database for one catalog; its `ducklake:` string."""
    import psycopg

    with psycopg.connect(server.loader_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f"drop database if exists {name} with (force)")
        admin.execute(f"create database {name}")
    return f"ducklake:postgres:{server.loader_dsn(name)}"


def catalog_name(out: Path, label: str) -> str:
    """A PostgreSQL database name of our own for one configuration.

    >>> catalog_name(Path("/x"), "lake 2")
    'bench_lake_7801f641'
    """
    return "bench_lake_" + hashlib.sha256(f"{out}|{label}".encode()).hexdigest()[:8]


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder

"""dbt's saved parse, shared by every home on this machine: a new home's first build
starts from it instead of parsing the whole project.

dbt keeps its parse of the project (`partial_parse.msgpack`, in the target folder) and
reuses it when nothing it keys on has changed: the dbt version, the profile and target
names, the vars, and the profile's connection settings, their values included. Only the
changed files are parsed again. The working database's path is one of those values, so
with an absolute path every home (a test's, a copy of one, the demo's) parsed the whole
project on its first build: ~4 s of a 8 s `dbt run` of one model on a quiet machine,
7-8 s under CI's load, 44 of the 73 dbt runs of one `make test` (2026-12-07).

So dbt sees the database as the same relative path from the home it runs in
(`warehouse/tertial.duckdb`, warehouse/build.py `dbt_env`), started through
`tertial-dbt` (warehouse/dbt_process.py), which enters the home first: the command line
and Dagster's DbtCliResource (which starts its executable in the project folder) alike.
The profile is then the same text for every home on this machine, and a home without a saved parse
takes the one the last build of any home left here (`seed`, `share`), by target: the
as-of builds' (`asof`, which each home also keeps for its own cuts: warehouse/asof.py)
and the DuckLake catalog's (`lake`) are their own. dbt still checks every file against
it and parses again what changed (its own check, as for the home's own saved parse), so
a saved parse of an older checkout costs a partial parse, not a whole one.

A cache, nothing more: a folder that cannot be written leaves every build as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from warehouse.files import copy_whole
from warehouse.settings import DBT_PROJECT_DIR

PARSE_FILE = "partial_parse.msgpack"  # dbt's own name, in its target folder
# Beside dbt's default target folder of the project (git ignores it), one per target.
SAVED = DBT_PROJECT_DIR / "target" / "saved_parse"


def saved_for(target: str) -> Path:
    """This machine's saved parse of one profile target."""
    return SAVED / f"{target}.msgpack"


def seed(target_path: Path, saved: Path) -> bool:
    """Give a target folder without a saved parse the one kept at `saved`, if any."""
    own = target_path / PARSE_FILE
    if own.exists() or not saved.exists():
        return False
    try:
        target_path.mkdir(parents=True, exist_ok=True)
        copy_whole(saved, own)
    except OSError:
        return False
    return True


def share(target_path: Path, saved: Path) -> bool:
    """Keep a build's saved parse at `saved` for the next new home, when it is newer than
    the kept one (dbt rewrites it only when it parsed something)."""
    own = target_path / PARSE_FILE
    try:
        if not own.exists():
            return False
        if saved.exists() and saved.stat().st_mtime_ns >= own.stat().st_mtime_ns:
            return False
        saved.parent.mkdir(parents=True, exist_ok=True)
        copy_whole(own, saved)  # with its time: the next `share` compares them
    except OSError:
        return False
    return True


def target_of(args: Sequence[str]) -> str:
    """The profile target a dbt command line names (`--target x`), else the profile's
    default (`build`, dbt_project/profiles.yml).

    >>> target_of(["build", "--target", "lake", "--full-refresh"]), target_of(["parse"])
    ('lake', 'build')
    """
    for flag, value in itertools.pairwise(args):
        if flag in ("--target", "-t"):
            return value
    return "build"

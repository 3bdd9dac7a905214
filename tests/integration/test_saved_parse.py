"""A new home's first dbt run starts from the parse another home left on this machine
(warehouse/saved_parse.py): real dbt, two real homes, dbt's own log as the witness."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse import saved_parse
from warehouse.build import run_dbt
from warehouse.settings import DBT_PROJECT_DIR, paths

pytestmark = pytest.mark.integration

FULL_PARSE = "Unable to do partial parsing"  # dbt's line when it parses the whole project


def test_a_new_home_parses_only_what_the_saved_parse_lacks(tmp_path: Path) -> None:
    first = paths(tmp_path / "first").ensure()
    second = paths(tmp_path / "second").ensure()

    # From the machine's saved parse if a build of the session left one (every `build`
    # target's profile on this machine is the same), else the whole project: either way
    # it leaves its own.
    run_dbt(first, "parse")
    assert (saved_parse.SAVED / "build.msgpack").exists()

    # Another home, its database at another absolute path: the profile dbt keys its
    # saved parse on reads the same relative path, so the parse stands.
    run_dbt(second, "parse")
    assert FULL_PARSE not in (second.dbt_logs / "dbt.log").read_text(encoding="utf-8")
    assert (second.dbt_target / "manifest.json").exists()
    # dbt ran in the home, never in the project folder (no database created there).
    assert not (DBT_PROJECT_DIR / "warehouse").exists()

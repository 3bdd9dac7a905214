"""Every dbt unit test of the project passes, run once for the whole suite.

dbt's unit tests feed a model fixed rows and compare its output: they answer the same
every night, so the nightly build leaves them out (warehouse.build.build_args) and they
run here, once, on a copy of the reference home's working database (dbt reads the column
types of a unit test's inputs from the built relations, and writes its fixtures there).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from warehouse.build import run_dbt
from warehouse.settings import DBT_PROJECT_DIR, Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def declared_unit_tests() -> set[str]:
    """The names of every `unit_tests:` entry in the project's YAML files."""
    names: set[str] = set()
    for file in DBT_PROJECT_DIR.glob("models/**/*.yml"):
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        names |= {test["name"] for test in document.get("unit_tests", [])}
    return names


def test_every_dbt_unit_test_passes(servicenamnden_2011: Paths, tmp_path: Path) -> None:
    home = paths(tmp_path / "home").ensure()
    shutil.copyfile(servicenamnden_2011.database, home.database)

    result = run_dbt(home, "test", "--select", "test_type:unit")

    run_results = json.loads((home.dbt_target / "run_results.json").read_text("utf-8"))
    ran = {r["unique_id"].split(".")[-1]: r["status"] for r in run_results["results"]}
    assert result.success
    assert ran == dict.fromkeys(declared_unit_tests(), "pass")
    assert len(ran) >= 26  # the project's count when they left the nightly build

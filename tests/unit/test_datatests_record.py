"""What the nightly keeps of a build's manifest (warehouse/datatests.py): the compiled
tests and the manifest's invocation, for one project fingerprint only."""

from __future__ import annotations

import json
from pathlib import Path

from warehouse.datatests import manifest_on_record, record_path, remember, remembered
from warehouse.settings import paths

TEST = {
    "resource_type": "test",
    "name": "unique_fct_x_key",
    "compiled_code": "select key from fct_x group by key having count(*) > 1",
    "config": {"severity": "ERROR", "store_failures": None},
}
MANIFEST = {"metadata": {"invocation_id": "run-1"}, "nodes": {"test.t.unique_fct_x_key": TEST}}


def test_a_build_keeps_its_tests_and_its_manifest_for_its_project(tmp_path: Path) -> None:
    home = paths(tmp_path).ensure()
    assert manifest_on_record(home, "project-a") is None and remembered(home, "project-a") == {}
    remember(home, "project-a", MANIFEST)
    assert manifest_on_record(home, "project-a") == "run-1"
    assert remembered(home, "project-a")["test.t.unique_fct_x_key"].severity == "error"
    # Another project: nothing of this one counts for it.
    assert manifest_on_record(home, "project-b") is None and remembered(home, "project-b") == {}

    # A later run's manifest without compiled tests (a `dbt run`): its invocation is
    # noted, the tests kept stay.
    remember(home, "project-a", {"metadata": {"invocation_id": "run-2"}, "nodes": {}})
    assert manifest_on_record(home, "project-a") == "run-2"
    assert list(remembered(home, "project-a")) == ["test.t.unique_fct_x_key"]


def test_a_record_from_before_or_unreadable_notes_no_manifest(tmp_path: Path) -> None:
    home = paths(tmp_path).ensure()
    # Written before the manifest was noted: the tests count, the manifest is unknown.
    record_path(home).write_text(
        json.dumps({"fingerprint": "project-a", "tests": []}), encoding="utf-8"
    )
    assert manifest_on_record(home, "project-a") is None
    record_path(home).write_text("{half a", encoding="utf-8")
    assert manifest_on_record(home, "project-a") is None and remembered(home, "project-a") == {}

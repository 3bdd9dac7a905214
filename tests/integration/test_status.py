"""`tertial status` and meta_freshness on the reference folder."""

import json

import pytest

from tertial.cli import main
from warehouse.settings import Paths

pytestmark = pytest.mark.integration

# The reference folder's newest delivery per source for Servicenämnden (142), by its files.
NEWEST = {
    ("huvudbok", "142"): ("201108", 201108, "huvudbok_201108.csv"),
    ("lon", "142"): ("201108", 201108, "lon_201108.csv"),
    ("sjukfranvaro", "142"): ("201108", 201108, "sjukfranvaro_201108.csv"),
    ("prognos", "142"): ("2011 T2", 201108, "prognos_2011_T2.csv"),
    ("indikatorer", "142"): ("2011 T2", 201108, "indikatorer_2011_T2.csv"),
    ("budget", "142"): ("2011", 201112, "budget_2011_2.csv"),
    ("medarbetarenkat", "142"): ("2010", 201012, "medarbetarenkat_2010.csv"),
    ("verksamheter", "142"): (None, None, "verksamheter.csv"),
    ("organisation", None): (None, None, "organisation.csv"),
}


def test_status_prints_publication_batches_and_freshness(
    servicenamnden_2011: Paths, capsys
) -> None:
    assert main(["--home", str(servicenamnden_2011.home), "status"]) == 0
    out = capsys.readouterr().out
    assert f"Published snapshot: {servicenamnden_2011.published}" in out
    assert "Published at:" in out
    # 72 files: 70 accepted, the copy of March is a duplicate (no batch), expected.md rejected.
    assert "Batches:            71 (70 accepted, 1 rejected), through batch 71" in out
    assert "huvudbok_201108.csv" in out and "(9 rows)" in out

    assert main(["--home", str(servicenamnden_2011.home), "status", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    got = {
        (r["source_name"], r["namnd_code"]): (
            r["newest_period"],
            r["through_month"],
            r["file_name"],
        )
        for r in rows
    }
    assert got == NEWEST
    assert all(r["recorded_at"] for r in rows)


def test_status_without_snapshot_says_what_to_do(home: Paths, capsys) -> None:
    assert main(["status"]) == 2
    assert "tertial build" in capsys.readouterr().err

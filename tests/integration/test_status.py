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
    ("kommentarer", "142"): ("2011 T2", 201108, "kommentarer_2011_T2.csv"),
    ("resultatfond", "142"): ("2011", 201112, "resultatfond_2011.csv"),
    ("balans", "142"): ("201108", 201108, "balans_201108.csv"),
    ("organisationsmappning", None): (None, None, "organisationsmappning.csv"),
    ("ansvar", None): (None, None, "ansvar.csv"),
}


def test_status_prints_publication_batches_and_freshness(
    servicenamnden_2011: Paths, capsys
) -> None:
    assert main(["--home", str(servicenamnden_2011.home), "status"]) == 0
    out = capsys.readouterr().out
    assert f"Published snapshot: {servicenamnden_2011.published}" in out
    assert "Published at:" in out
    # 72 files: 70 accepted, the copy of March is a duplicate (no batch), expected.md
    # rejected; then the comments on the T2 report, the fund decisions, the balances and
    # the organisation mapping and the register of responsibility units.
    assert "Batches:            76 (75 accepted, 1 rejected), through batch 76" in out
    # The rejected file by name, with its reason; where its report is.
    assert "Rejected files:     1, not loaded" in out
    [rejected] = [line for line in out.splitlines() if "expected.md: " in line]
    assert len(rejected.split("expected.md: ", 1)[1]) > 10
    # Short: per source one line (14 sources, one board each), no file per board.
    assert "Freshness per source" in out and "(14 rows)" in out
    assert "huvudbok_201108.csv" not in out and "tertial status --verbose" in out

    assert main(["--home", str(servicenamnden_2011.home), "status", "--verbose"]) == 0
    verbose = capsys.readouterr().out
    assert verbose.startswith(out.rsplit("Per board:", 1)[0])  # the short status, then
    assert "huvudbok_201108.csv" in verbose and verbose.count("(14 rows)") == 2

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


def test_status_names_at_most_ten_rejected_files_masked(reference_copy: Paths, capsys) -> None:
    """A log written before reasons were masked still shows none (the hardening issue):
    the copy's published meta.batches gets 12 rejected files, one reason with a
    personnummer; status shows the newest 10, masked, and says how to see the rest."""
    import duckdb

    published = reference_copy.published
    published.chmod(0o644)  # the copy's snapshot, read-only as published
    with duckdb.connect(str(published)) as con:
        con.execute(
            """
            insert into meta.batches (batch_id, source, file_name, status, reason)
            select 1000 + i, 'huvudbok', 'huvudbok_2011' || lpad(i::varchar, 2, '0') || '_x.csv',
                   'rejected', 'line 8: Ersättning 19121212-1212 in Text'
            from range(1, 13) as t(i)
            """
        )
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "19121212-1212" not in out and "19121212-****" in out
    assert "Rejected files:     13, not loaded" in out
    shown = [line for line in out.splitlines() if "Ersättning" in line]
    assert len(shown) == 10 and "huvudbok_201112_x.csv" in shown[0]  # newest first
    assert "expected.md" not in out
    [more] = [line for line in out.splitlines() if line.strip().startswith("+")]
    assert more.strip().startswith("+3 more") and "tertial query" in more

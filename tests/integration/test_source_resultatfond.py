"""The result funds on the reference home: a fund file through the nightly's selective
build into `rpt_result_funds`, a correction of one decision, and a retraction.

Servicenämnden 2011 (tertialrapport 2, "Uppföljning av driftbudget"): Ingående
resultatfond 7,6 mnkr, 2,0 used for one-off costs, the remaining 5,6 carried to 2012.
The file here first says 5,0 carried over; its correction re-delivers that decision
only (SN-2011-RF-2: 5,6), so the disposition of the first file stays. By hand:
closing = 7 600 000 − 2 000 000 = 5 600 000 = transferred.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tertial.cli import main
from warehouse.pipeline import run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HEADER = "Nämnd;År;Ingående resultatfond;Beslut;Belopp;Beslutsdatum;Beslut-id\n"
FUND = (
    HEADER + "142;2011;7 600 000,00;Disposition;2 000 000,00;2011-03-16;SN-2011-RF-1\n"
    "142;2011;7 600 000,00;överföring;5 000 000,00;2011-09-20;SN-2011-RF-2\n"
)
CORRECTION = HEADER + "142;2011;7 600 000,00;överföring;5 600 000,00;2011-09-20;SN-2011-RF-2\n"
FIGURES = (
    "select namnd_code, year, opening_fund, used_amount, transferred_amount, closing_fund, "
    "decision_count from marts.rpt_result_funds order by all"
)


def published(home: Paths) -> list[tuple]:
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute(FIGURES).fetchall()


def test_fund_file_correction_and_retraction(reference_copy: Paths) -> None:
    home = reference_copy
    assert published(home) == []  # the reference folder delivers no fund
    # Written as a controller's Excel saves them: spaced thousands, decimal comma.
    (home.landing / "resultatfond_2011.csv").write_text(FUND, encoding="utf-8")
    (home.landing / "resultatfond_2011_rattelse.csv").write_text(CORRECTION, encoding="utf-8")

    said: list[str] = []
    night = run(home, said.append, settle_seconds=0)
    batches = {r.path.name: r for r in night.files}
    assert {r.status for r in batches.values()} == {"accepted"}, night.files
    assert night.published is not None, night.skipped
    # Only the new source's models were built (warehouse/selection.py).
    assert any(line.startswith("2 new batches in resultatfond since") for line in said), said
    mkr = Decimal
    assert published(home) == [
        ("142", 2011, mkr("7600000.00"), mkr("2000000.00"), mkr("5600000.00"), mkr("5600000.00"), 2)
    ]
    # Nettoresultat efter resultatdisposition: the T2 forecast's net −2,0 + 2,0 used = 0,0.
    with duckdb.connect(str(home.published), read_only=True) as con:
        [(net,)] = con.execute(
            "select forecast from marts.rpt_budget_followup where namnd_code = '142' "
            "and through_period = 201108 and is_total and slag = 'Netto'"
        ).fetchall()
    assert round(net / 100_000) == -20  # −2,0 mnkr
    assert round((net + Decimal("2000000.00")) / 100_000) == 0

    for name in ("resultatfond_2011_rattelse.csv", "resultatfond_2011.csv"):
        command = ["--home", str(home.home), "retract", str(batches[name].batch_id)]
        assert main([*command, "--reason", "x", "--yes"]) == 0
    again = run(home, settle_seconds=0)
    assert again.published is not None, again.skipped
    assert published(home) == []

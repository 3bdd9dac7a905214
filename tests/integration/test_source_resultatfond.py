"""The result funds: Servicenämnden 2011's as the reference home holds them, a corrected
decision through the nightly's selective build, and a retraction.

The reference home loads tests/fixtures/resultatfond/resultatfond_2011.csv after the
folder: tertialrapport 2 2011, "Uppföljning av driftbudget", prints Ingående resultatfond
7,6 mnkr, of which 2,0 is used for one-off costs (SN-2011-RF-1, disposition) and the
remaining 5,6 carried to 2012 (SN-2011-RF-2, överföring); by hand closing = 7 600 000
− 2 000 000 = 5 600 000 ("Utgående resultatfond −5,6"), and the forecast net result
−2,0 before disposition + 2,0 used = 0,0 after ("Nettoresultat efter
resultatdisposition 0,0").
"""

from __future__ import annotations

from decimal import Decimal as D

import duckdb
import pytest

from tertial.cli import main
from warehouse.asof import connect_as_of
from warehouse.pipeline import run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

AFTER = (
    "select net_result_budget, net_result_forecast, budget_after_disposition, "
    "forecast_after_disposition, deviation_after_disposition "
    "from marts.rpt_result_after_disposition where namnd_code = '142' and year = 2011"
)
# KF 3.1's two budgetföljsamhet rows as the warehouse computes them in the T2 report.
ADHERENCE = (
    "select computed_measure, computed_through_period, computed_value "
    "from marts.rpt_indicators where namnd_code = '142' and year = 2011 and report = 'T2' "
    "and computed_measure like 'budget_adherence%' order by computed_measure"
)
FIGURES = (
    "select namnd_code, year, opening_fund, used_amount, transferred_amount, closing_fund, "
    "decision_count from marts.rpt_result_funds order by all"
)
# SN-2011-RF-1 re-delivered: 2,5 mnkr used instead of 2,0, written as a controller's
# Excel saves it (spaced thousands, decimal comma, the kind capitalised).
CORRECTION = (
    "Nämnd;År;Ingående resultatfond;Beslut;Belopp;Beslutsdatum;Beslut-id\n"
    "142;2011;7 600 000,00;Disposition;2 500 000,00;2011-03-16;SN-2011-RF-1\n"
)


def query(database: object, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_reference_funds_and_the_net_result_after_disposition(reference_copy: Paths) -> None:
    home = reference_copy
    assert query(home.published, FIGURES) == [
        ("142", 2011, D("7600000.00"), D("2000000.00"), D("5600000.00"), D("5600000.00"), 2)
    ]
    # "Uppföljning av driftbudget", T2: net result −2,0 mnkr forecast before disposition
    # (budget 0,0), 0,0 after the 2,0 used, a deviation of 0,0 after (mnkr, one decimal).
    [row] = query(home.published, AFTER + " and through_period = 201108")
    assert [None if v is None else round(v / 100_000) for v in row] == [0, -20, 0, 0, 0]


def test_a_corrected_decision_replaces_itself_only_as_of_and_retraction_honoured(
    reference_copy: Paths,
) -> None:
    home = reference_copy
    (home.landing / "resultatfond_2011_rattelse.csv").write_text(CORRECTION, encoding="utf-8")
    said: list[str] = []
    night = run(home, said.append, settle_seconds=0)
    assert [r.status for r in night.files] == ["accepted"], night.files
    assert night.published is not None, night.skipped
    # Only the new batch's models were built (warehouse/selection.py).
    assert any(line.startswith("1 new batch in resultatfond since") for line in said), said
    # RF-1 replaced (2,5 used, closing 7,6 − 2,5 = 5,1); RF-2's 5,6 carried over stays.
    assert query(home.published, FIGURES) == [
        ("142", 2011, D("7600000.00"), D("2500000.00"), D("5600000.00"), D("5100000.00"), 2)
    ]
    # After disposition, T2: −2 000 000 + 2 500 000 = 500 000 (0,5 mnkr).
    assert query(home.published, AFTER + " and through_period = 201108")[0][3] == D("500000.00")
    # Budgetföljsamhet efter resultatöverföringar, T2: the forecast's net cost 2 000 000
    # / (0 + 2 500 000) = 80,0 % (100,0 % with the reference's 2,0 used:
    # tests/acceptance/test_servicenamnden_hr_indicators.py).
    assert query(home.published, ADHERENCE)[0] == ("budget_adherence", 201108, D("80.0"))

    batches = query(
        home.database,
        "select batch_id, recorded_at from events.batches where file_name like "
        "'resultatfond%' and status = 'accepted' order by batch_id desc",
    )
    assert len(batches) == 2  # the reference home's file and the correction
    # As of a moment between the two deliveries: the reference's 2,0 used (an as-of build).
    (_, corrected), (_, first) = batches
    with connect_as_of(home, first + (corrected - first) / 2) as con:
        assert con.execute(FIGURES).fetchall()[0][3] == D("2000000.00")
    for batch_id, _ in batches:
        command = ["--home", str(home.home), "retract", str(batch_id), "--reason", "x"]
        assert main([*command, "--yes"]) == 0
    # The retractions build what the two batches wrote (one selective build for both).
    again = run(home, settle_seconds=0)
    assert again.published is not None, again.skipped
    assert query(home.published, FIGURES) == []
    assert query(home.published, AFTER) == []

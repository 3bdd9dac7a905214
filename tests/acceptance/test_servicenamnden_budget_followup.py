"""Servicenämnden's T2 2011 report, "Uppföljning per verksamhet": the whole table.

Every figure below is typed from `../shared/reference/servicenamnden-2011/expected.md`
(mnkr with one decimal); the T1 forecasts at the end from `prognos_2011_T1.csv`. The
code under test only ever sees the export files, and the test reads the published
snapshot's `rpt_budget_followup_mnkr` as an analyst would.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from warehouse.publish import connect_published
from warehouse.settings import Paths

pytestmark = [pytest.mark.acceptance, pytest.mark.slow]  # builds a home: `make test-fast` skips it

D = Decimal
COLUMNS = ("adjusted_budget", "booked_ytd", "forecast", "deviation", "previous_year_outcome")

# (verksamhet, slag) -> Justerad budget 2011, Bokfört t.o.m. augusti, Årsprognos,
# Avvikelse, Bokslut 2010. 230 Kontaktcenter includes its varav line 231 Äldre Direkt.
EXPECTED_ROWS = {
    ("100", "Kostnader"): ("25.5", "18.4", "28.1", "-2.6", "23.9"),
    ("210", "Kostnader"): ("35.6", "23.2", "34.5", "1.1", "36.2"),
    ("220", "Kostnader"): ("9.5", "5.3", "8.6", "0.9", "6.3"),
    ("230", "Kostnader"): ("33.7", "20.9", "33.0", "0.7", "28.2"),
    ("231", "Kostnader"): ("14.2", "7.1", "13.5", "0.7", "15.4"),
    ("240", "Kostnader"): ("42.8", "27.2", "42.3", "0.5", "41.6"),
    ("250", "Kostnader"): ("12.0", "6.6", "11.4", "0.6", "10.2"),
    ("900", "Kostnader"): ("0.7", "0.5", "0.7", "0.0", "0.7"),
    ("910", "Kostnader"): ("0.2", "0.1", "0.2", "0.0", "0.2"),
    ("210", "Intäkter"): ("45.0", "29.5", "43.4", "-1.6", "47.1"),
    ("220", "Intäkter"): ("10.9", "6.6", "9.1", "-1.8", "7.1"),
    ("230", "Intäkter"): ("36.4", "25.1", "36.7", "0.3", "15.1"),
    ("231", "Intäkter"): ("15.4", "11.1", "15.9", "0.5", "0.0"),
    ("240", "Intäkter"): ("54.1", "34.7", "54.1", "0.0", "53.8"),
    ("250", "Intäkter"): ("13.6", "8.9", "13.5", "-0.1", "10.9"),
}
# Summa kostnader, Summa intäkter, Nettoresultat (intäkter − kostnader; the report
# prints 2010's as "13,3" without its sign).
EXPECTED_TOTALS = {
    "Kostnader": ("160.0", "102.2", "158.8", "1.2", "147.3"),
    "Intäkter": ("160.0", "104.8", "156.8", "-3.2", "134.0"),
    "Netto": ("0.0", "2.6", "-2.0", "-2.0", "-13.3"),
}
# Investments 2011, verksamhet 100: plan, spent through August, forecast.
EXPECTED_INVESTMENT = ("1.0", "0.2", "0.5")

ROWS_SQL = """
select verksamhet_code, slag, is_total, report, namnd_name, verksamhet_name,
       parent_verksamhet_code, adjusted_budget, booked_ytd, forecast, deviation,
       previous_year_outcome
from rpt_budget_followup_mnkr
where namnd_code = '142' and through_period = ?
"""


def report(home: Paths, through_period: int) -> dict[tuple[str | None, str], dict]:
    """The mnkr report through a period, by (verksamhet, slag); sum rows under None."""
    with connect_published(home.published) as con:
        cursor = con.execute(ROWS_SQL, [through_period])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    by_key = {(r["verksamhet_code"] if not r["is_total"] else None, r["slag"]): r for r in rows}
    assert len(by_key) == len(rows)  # one row per (verksamhet, slag)
    return by_key


def figures(row: dict) -> tuple[Decimal, ...]:
    return tuple(row[c] for c in COLUMNS)


@pytest.fixture(scope="module")
def t2(servicenamnden_2011: Paths) -> dict[tuple[str | None, str], dict]:
    return report(servicenamnden_2011, 201108)


@pytest.mark.parametrize(("key", "expected"), EXPECTED_ROWS.items(), ids=lambda v: str(v))
def test_every_row_of_the_t2_table(t2, key, expected) -> None:
    row = t2[key]
    assert figures(row) == tuple(D(x) for x in expected)
    assert row["report"] == "T2" and row["namnd_name"] == "Servicenämnden"


def test_the_table_has_exactly_the_reports_rows(t2) -> None:
    operating = {k for k in t2 if k[0] is not None and k[1] in ("Kostnader", "Intäkter")}
    assert operating == set(EXPECTED_ROWS)


def test_aldre_direkt_is_a_varav_line_of_kontaktcenter(t2) -> None:
    assert t2[("231", "Kostnader")]["parent_verksamhet_code"] == "230"
    assert t2[("231", "Kostnader")]["verksamhet_name"] == "Äldre Direkt"
    assert t2[("230", "Kostnader")]["parent_verksamhet_code"] is None


@pytest.mark.parametrize(("slag", "expected"), EXPECTED_TOTALS.items())
def test_sum_rows_and_net_result(t2, slag, expected) -> None:
    assert figures(t2[(None, slag)]) == tuple(D(x) for x in expected)


def test_investment_line(t2) -> None:
    row = t2[("100", "Investering")]
    assert (row["adjusted_budget"], row["booked_ytd"], row["forecast"]) == tuple(
        D(x) for x in EXPECTED_INVESTMENT
    )


def test_t1_report_uses_the_t1_forecast(servicenamnden_2011: Paths) -> None:
    t1 = report(servicenamnden_2011, 201104)
    assert {r["report"] for r in t1.values()} == {"T1"}
    # prognos_2011_T1.csv: 100 Kostnader 26,0 (T2: 28,1), 210 Kostnader 35,6 (T2: 34,5),
    # 210 Intäkter 45,0 (T2: 43,4); no investment line (T2: 0,5).
    assert t1[("100", "Kostnader")]["forecast"] == D("26.0")
    assert t1[("210", "Kostnader")]["forecast"] == D("35.6")
    assert t1[("210", "Intäkter")]["forecast"] == D("45.0")
    assert t1[("100", "Investering")]["forecast"] == D("0.0")
    # Deviation during the year is against the forecast: 25,5 − 26,0.
    assert t1[("100", "Kostnader")]["deviation"] == D("-0.5")


def test_a_report_for_every_month_with_data_and_exact_types(servicenamnden_2011: Paths) -> None:
    with connect_published(servicenamnden_2011.published) as con:
        periods = con.execute(
            "select distinct through_period from rpt_budget_followup where namnd_code = '142'"
        ).fetchall()
        types = con.execute(
            "select distinct typeof(k.booked_ytd), typeof(m.booked_ytd) "
            "from rpt_budget_followup k join rpt_budget_followup_mnkr m "
            "using (namnd_code, through_period, slag, is_total, verksamhet_code)"
        ).fetchall()
    assert sorted(p for (p,) in periods) == [*range(201001, 201013), *range(201101, 201109)]
    assert types == [("DECIMAL(18,2)", "DECIMAL(18,1)")]


def test_previous_year_outcome_is_last_years_booked_outcome_to_the_ore(
    servicenamnden_2011: Paths,
) -> None:
    """Bokslut 2010 in 2011's reports is 2010's booked year exactly, not whole kronor.

    The reference's 2010 sums carry öre (Intäkter 133 967 401,94 kr): a previous-year
    column typed INTEGER somewhere on the way rounded every row and summed 133 967 403.
    """
    sql = """
        select slag, booked_ytd, previous_year_outcome from rpt_budget_followup
        where namnd_code = '142' and is_total and through_period = ?
    """
    with connect_published(servicenamnden_2011.published) as con:
        year_2010 = {s: booked for s, booked, _ in con.execute(sql, [201012]).fetchall()}
        august_2011 = {s: previous for s, _, previous in con.execute(sql, [201108]).fetchall()}
    assert year_2010["Intäkter"] == D("133967401.94")
    assert august_2011 == year_2010

"""The balance sheet (rpt_balance_sheet): the SIE sample's against totals worked out by hand,
Servicenämnden's August 2011 as its report prints it, a corrected month, as of a moment
before the correction, and a retraction.

Cheap on purpose: one home of its own with the registers, the SIE sample and two balance
files, built three times with dbt's selection of rpt_balance_sheet and what it reads
(~20 models and seeds, their tests in the first build), never the whole project; the
as-of build is the project's own cut (`as_of`, macros/as_of.sql) on the same selection.
Servicenämnden's figures are read from the shared reference home (no build of its own).

BLBLOV_SIE4.SE (reference/sie, read from there under a `sie_142_...` name: board 142),
#RAR 0 = 2017, #RAR -1 = 2016. By hand from its #IB/#UB records, per heading
(accounts' first two digits: 10–13, 14–19, 20, 21–22, 23–29):

2017 (#UB 0 at 201712, opening #IB 0 at 201612):
- Anläggningstillgångar: IB 1119 −80 000 + 1240 10 000 + 1249 −71 667 = −141 667,00;
  UB 1119 −100 000 + 1240 10 000 + 1249 −91 667 = −181 667,00; change −40 000,00.
- Omsättningstillgångar: IB 1410 250 000 + 1510 −196 049,50 + 1610 120 + 1910 −6 986
  + 1920 632 095 + 1930 1 009 216,50 = 1 688 396,00; UB the same with 1510 −189 424,50
  and 1930 984 091,74 = 1 669 896,24; change −18 499,76.
- Eget kapital: 2081 −100 000 + 2091 −140 182 + 2099 −355 937 = −596 119,00 both; 0.
- Avsättningar: no account: 0, 0, 0.
- Skulder: IB 2350 −300 000 + 2440 −521 509 + 2610 −37 937,45 + 2614 −2 500 + 2630
  −84 735 + 2640 58 566,78 + 2644 2 500 + 2710 −143 925 + 2730 −164 495,94 + 2820 −950
  + 2920 43 222 + 2941 15 541,20 + 2999 −1 582,86 = −1 137 805,27; UB: 2440 −522 509,
  2610 −39 612,45, 2640 58 930,78, 2641 121,35 (new), 2710 −152 599, 2730 −174 846,32,
  the rest as IB = −1 159 019,30; change −21 214,03.
2016 (#UB -1 at 201612, opening #IB -1 at 201512):
- Anläggningstillgångar: IB −60 000 + 10 000 − 51 667 = −101 667,00; UB −141 667,00;
  change −40 000,00.
- Omsättningstillgångar: IB 250 000 − 207 314 − 6 986 + 632 095 + 997 833 =
  1 665 628,00; UB = 2017's IB 1 688 396,00; change 22 768,00.
- Eget kapital −596 119,00 both; Avsättningar 0.
- Skulder: IB −300 000 − 521 509 − 16 788,75 − 2 500 − 84 735 + 58 566,78 + 2 500
  − 90 391 − 121 293,51 − 950 + 48 142 + 15 126,34 = −1 013 832,14; UB = 2017's IB
  −1 137 805,27; change −123 973,13.
(The sample's sheet does not sum to 0 — a test company that never closes its results
into 2099 — but its trial balance holds: sources/sie/expectations.py.)
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal as D

import duckdb
import pytest

from tertial.cli import main
from tests.conftest import BALANS, SERVICENAMNDEN, SHARED
from warehouse.build import run_dbt
from warehouse.ingest import ingest
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHEET = (
    "select period, group_code, opening_balance, closing_balance, change_since_year_start "
    "from marts.rpt_balance_sheet where namnd_code = '142' and period = ? order by sort_order"
)
# What rpt_balance_sheet reads, and the dimensions its relationship tests reach.
# Cautious: only the tests whose every parent is built (not, say, stg_indikatorer's).
SELECTION = (
    "--select",
    "+rpt_balance_sheet +dim_namnd +dim_period",
    "--indirect-selection",
    "cautious",
)
MODELS_ONLY = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
# Servicenämnden's August re-delivered with 1 000 000,00 of kundfordringar (1510) booked
# as inventarier (1220) instead: anläggningstillgångar 5 526 868,27 + 1 000 000 =
# 6 526 868,27, omsättningstillgångar 38 549 828,67 − 1 000 000 = 37 549 828,67; 1510
# 248 328,00 − 1 000 000,00 = −751 672,00. The sheet still balances.
CORRECTION = (
    BALANS.read_text(encoding="utf-8")
    .replace("142;201108;1510;248 328,00\n", "142;201108;1510;-751 672,00\n")
    .replace("142;201108;1220;5 526 868,27\n", "142;201108;1220;6 526 868,27\n")
)
# 201108 as the report prints it, by heading: see tests/unit/test_balans.py for the sums.
AUGUST = [
    ("anlaggningstillgangar", None, D("5526868.27"), None),
    ("omsattningstillgangar", None, D("38549828.67"), None),
    ("eget_kapital", None, D("-41018403.52"), None),
    ("avsattningar", None, D("0.00"), None),
    ("skulder", None, D("-3058293.42"), None),
]


def sheet(database: object, period: int) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(SHEET, [period]).fetchall()
    return [row[1:] for row in rows]


def current_august(home: Paths) -> tuple[int, int]:
    """(accounts, batch) of Servicenämnden's August in int_balances_current."""
    with duckdb.connect(str(home.database), read_only=True) as con:
        [row] = con.execute(
            "select count(*), any_value(batch_id) from intermediate.int_balances_current "
            "where namnd_code = '142' and period = 201108"
        ).fetchall()
    return row


def build(home: Paths, *extra: str) -> None:
    result = run_dbt(home, "build", *SELECTION, *extra)
    assert result.success, result.summary()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Load the SIE sample and August, correct August, build now, as of, after a retraction."""
    home = paths(tmp_path_factory.mktemp("balans")).ensure()
    inbox = tmp_path_factory.mktemp("balans-inbox")
    sie = inbox / "sie_142_blblov.se"
    sie.write_bytes((SHARED / "reference" / "sie" / "BLBLOV_SIE4.SE").read_bytes())
    correction = inbox / "balans_201108_rattelse.csv"
    correction.write_text(CORRECTION, encoding="utf-8")
    batches = {}
    for path in [SERVICENAMNDEN / "organisation.csv", sie, BALANS, correction]:
        [result] = ingest(home, [path])
        assert result.status == "accepted", result.line()
        batches[path.name] = result.batch_id
    with duckdb.connect(str(home.database), read_only=True) as con:
        recorded = dict(con.execute("select batch_id, recorded_at from events.batches").fetchall())
    story: dict = {"home": home, "batches": batches}

    build(home)  # with the models' data tests: unique, not null, relationships, contract
    story["sie_2017"], story["sie_2016"] = (
        sheet(home.database, 201712),
        sheet(home.database, 201612),
    )
    story["now"] = sheet(home.database, 201108)
    story["now_current"] = current_august(home)

    first, corrected = recorded[batches[BALANS.name]], recorded[batches[correction.name]]
    moment = (first + (corrected - first) / 2).astimezone(dt.UTC).isoformat()
    build(home, *MODELS_ONLY, "--vars", json.dumps({"as_of": moment}))
    story["as_of"] = sheet(home.database, 201108)

    command = ["--home", str(home.home), "retract", str(batches[correction.name])]
    assert main([*command, "--reason", "wrong month", "--yes"]) == 0
    build(home, *MODELS_ONLY)
    story["retracted"] = sheet(home.database, 201108)
    story["retracted_current"] = current_august(home)
    shutil.rmtree(inbox, ignore_errors=True)
    return story


def test_the_sie_sample_balance_sheet_by_hand(story: dict) -> None:
    assert story["sie_2017"] == [
        ("anlaggningstillgangar", D("-141667.00"), D("-181667.00"), D("-40000.00")),
        ("omsattningstillgangar", D("1688396.00"), D("1669896.24"), D("-18499.76")),
        ("eget_kapital", D("-596119.00"), D("-596119.00"), D("0.00")),
        ("avsattningar", D("0.00"), D("0.00"), D("0.00")),
        ("skulder", D("-1137805.27"), D("-1159019.30"), D("-21214.03")),
    ]
    assert story["sie_2016"] == [
        ("anlaggningstillgangar", D("-101667.00"), D("-141667.00"), D("-40000.00")),
        ("omsattningstillgangar", D("1665628.00"), D("1688396.00"), D("22768.00")),
        ("eget_kapital", D("-596119.00"), D("-596119.00"), D("0.00")),
        ("avsattningar", D("0.00"), D("0.00"), D("0.00")),
        ("skulder", D("-1013832.14"), D("-1137805.27"), D("-123973.13")),
    ]


def test_servicenamnden_august_2011_as_its_report_prints_it(servicenamnden_2011: Paths) -> None:
    # "Analys av balansräkning", T2 2011: omsättningstillgångar 38 549 828,67,
    # anläggningstillgångar 5 526 868,27, kortfristiga skulder −3 058 293,42, eget kapital
    # −41 018 403,52. No balance of December 2010 was delivered: no opening, no change.
    assert sheet(servicenamnden_2011.published, 201108) == AUGUST


def test_a_corrected_month_replaces_the_month_whole(story: dict) -> None:
    assert story["now"] == [
        ("anlaggningstillgangar", None, D("6526868.27"), None),
        ("omsattningstillgangar", None, D("37549828.67"), None),
        *[
            row
            for row in AUGUST
            if row[0] not in {"anlaggningstillgangar", "omsattningstillgangar"}
        ],
    ]
    assert story["now_current"] == (13, story["batches"]["balans_201108_rattelse.csv"])


def test_as_of_a_moment_before_the_correction_shows_the_first_delivery(story: dict) -> None:
    assert story["as_of"] == AUGUST


def test_a_retraction_takes_the_correction_out(story: dict) -> None:
    assert story["retracted"] == AUGUST
    assert story["retracted_current"] == (13, story["batches"][BALANS.name])

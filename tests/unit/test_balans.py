"""The `balans` source and SIE's balances: Servicenämnden's August 2011 balance sheet loads
(it balances), a sheet that does not is refused by its rule, and a SIE file's #IB/#UB/#RES
land in `events.balans` dated by #RAR, or the file is refused when its trial balance
does not hold.

tests/fixtures/balans/balans_201108.csv is the T2 2011 report's "Analys av
balansräkning" (2011-08-31), typed in account by account. By hand:
- anläggningstillgångar: 1220 inventarier 5 526 868,27;
- omsättningstillgångar: 1510 248 328,00 + 1511 (sold inside the city) 23 414 974,00
  = kundfordringar 23 663 302,00; 1610 31 828,01 + 1640 moms 4 931 939,61 + 1680
  3 486,00 = kortfristiga fordringar 4 967 253,62; 1710 förutbetalda kostnader
  1 658 806,05; 1790 upplupna intäkter 8 260 467,00; in all 23 663 302,00 +
  4 967 253,62 + 1 658 806,05 + 8 260 467,00 = 38 549 828,67 (the report's figure);
- skulder: 2440 −1 989 253,74 + 2610 −183 372,00 + 2890 −3 421,00 + 2990 −882 246,68
  = −3 058 293,42 (the report's kortfristiga skulder);
- eget kapital: 2010 −41 018 403,52;
- 5 526 868,27 + 38 549 828,67 − 3 058 293,42 − 41 018 403,52 = 0: it balances.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from sources._common.batch import Reference
from sources.balans import SOURCE
from sources.registry import source_for
from sources.sie import SOURCE as SIE
from tests.conftest import BALANS, SHARED

pytestmark = pytest.mark.unit

REFERENCE = Reference(namnd_codes=frozenset({"142"}))
HEADER = "Nämnd;Period;Konto;Saldo;Post\n"
GOOD = "142;201108;1510;100,00;\n142;201108;2440;-100,00;UB\n"
BLBLOV = SHARED / "reference" / "sie" / "BLBLOV_SIE4.SE"
SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "balansrakning_rubriker.csv"


def failures(lines: str, name: str = "balans_201108.csv") -> list[str]:
    parsed = SOURCE.parse((HEADER + lines).encode("utf-8"), name, {})
    return [f.summary() for o in SOURCE.check(parsed, REFERENCE) for f in o.failures]


def test_servicenamnden_august_2011_loads_and_balances() -> None:
    assert source_for("Balans_201108.CSV") is SOURCE
    batch = SOURCE.parse(BALANS.read_bytes(), BALANS.name, {})
    rows = dict(zip(batch.rows["konto"], batch.rows["saldo"], strict=True))
    assert sum(v for k, v in rows.items() if k[:2] in {"14", "15", "16", "17", "18", "19"}) == (
        Decimal("38549828.67")
    )
    assert sum(v for k, v in rows.items() if k[:2] >= "23") == Decimal("-3058293.42")
    assert sum(rows.values()) == 0
    assert SOURCE.supersession_keys(batch).rows() == [("balans", "142|201108", 13)]
    assert [f.summary() for o in SOURCE.check(batch, REFERENCE) for f in o.failures] == []


def test_an_opening_balance_row_and_an_empty_post_pass() -> None:
    assert failures(GOOD) == []
    assert failures(GOOD.replace(";\n", ";ib\n", 1).replace(";UB\n", ";IB\n")) == []


@pytest.mark.parametrize(
    ("lines", "rule"),
    [
        (GOOD.replace("142;", "999;", 1), "Nämnd"),
        (GOOD.replace("1510", "3010"), "Konto is a 4-digit Kommun-Bas account of class 1 or 2"),
        (GOOD.replace("1510", "151"), "Konto is a 4-digit Kommun-Bas account of class 1 or 2"),
        (GOOD.replace(";UB", ";RES"), "Post is UB"),
        (GOOD.replace("100,00", "100,005", 1), "Saldo"),
        (GOOD.replace("201108", "201113", 1), "Period"),
        (GOOD.replace("2440", "1510"), "one row per Nämnd, Period, Konto and Post"),
        (GOOD.replace("1510;100,00;", "1510;19121212-1212;"), "no personnummer-like value"),
    ],
)
def test_a_row_the_balance_sheet_cannot_hold_is_refused_by_its_rule(lines: str, rule: str) -> None:
    found = failures(lines)
    assert found and found[0].startswith(rule), found


def test_a_balance_sheet_that_does_not_balance_is_refused_naming_the_sum() -> None:
    # 100,00 − 99,99 = 0,01: one öre off, on the board and period of lines 2–3.
    [found] = failures(GOOD.replace("-100,00", "-99,99"))
    assert found.startswith("the balance sheet of a board and period sums to zero"), found
    assert "Nämnd 142 Period 201108 UB: Σ Saldo of 2 accounts (lines 2–3) is 0,01, not 0" in found
    # Each post balances on its own: an IB sheet beside a balanced UB sheet is its own sum.
    [found] = failures(GOOD + "142;201108;1510;5,00;IB\n")
    assert "Period 201108 IB: Σ Saldo of 1 accounts (lines 4–4) is 5,00" in found


def test_the_headings_cover_classes_1_and_2_without_gap_or_overlap() -> None:
    with SEED.open(encoding="utf-8") as seed:
        ranges = sorted(
            (int(r["first_kontogrupp"]), int(r["last_kontogrupp"])) for r in csv.DictReader(seed)
        )
    covered = [group for first, last in ranges for group in range(first, last + 1)]
    assert covered == list(range(10, 30))


def test_sie_balances_land_in_events_balans_dated_by_rar_in_the_files_batch() -> None:
    batch = SIE.parse(BLBLOV.read_bytes(), "sie_142_blblov.se", {})
    balances = batch.tables["balans"]
    # 25 #IB 0 + 23 #IB -1 + 26 #UB 0 + 25 #UB -1 + 8 #RES 0 + 12 #RES -1 = 119 records.
    assert balances.height == 119
    counts = balances.group_by("period", "post").len().sort("period", "post").rows()
    # #RAR 0 is 2017, #RAR -1 2016: #UB/#RES at the year's December, #IB at the one before.
    assert counts == [
        (201512, "IB", 23),
        (201612, "IB", 25),
        (201612, "RES", 12),
        (201612, "UB", 25),
        (201712, "RES", 8),
        (201712, "UB", 26),
    ]
    keys = SIE.supersession_keys(batch).filter(source="balans").rows()
    assert keys == [
        ("balans", "142|201512", 23),
        ("balans", "142|201612", 62),
        ("balans", "142|201712", 34),
    ]
    assert [f.summary() for o in SIE.check(batch, REFERENCE) for f in o.failures] == []


def test_a_sie_file_whose_trial_balance_does_not_hold_is_refused_with_its_sums() -> None:
    # One öre more on 1930's #UB 0: 2017 by hand Σ#UB −266 909,06 + 0,01 = −266 909,05;
    # − Σ#IB (−187 195,27) + Σ#RES 79 713,79 = 0,01.
    data = BLBLOV.read_bytes().replace(b"#UB 0 1930 984091.74", b"#UB 0 1930 984091.75")
    batch = SIE.parse(data, "sie_142_blblov.se", {})
    [found] = [f.summary() for o in SIE.check(batch, REFERENCE) for f in o.failures]
    assert found.startswith("the trial balance holds for each year"), found
    assert (
        "year 0 (lines 426–532): Σ#UB -266909.05 − Σ#IB -187195.27 + Σ#RES 79713.79 = 0.01" in found
    )


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        (b"#UB 0 1930 984091.74", b"#UB 0 3930 984091.74", "#IB and #UB are balances of balance"),
        (b"#RES 0 3010 -6700.00", b"#RES 0 1010 -6700.00", "#IB and #UB are balances of balance"),
        (b"#UB 0 1930 984091.74", b"#UB 0 1930 984091,74", "#IB/#UB/#RES saldo is a SIE amount"),
        (b"#RAR 0 20170101 20171231", b"#RAR 9 20170101 20171231", "the balances' year is known"),
    ],
)
def test_a_sie_balance_of_the_wrong_kind_is_refused(old: bytes, new: bytes, rule: str) -> None:
    data = BLBLOV.read_bytes()
    assert old in data
    batch = SIE.parse(data.replace(old, new), "sie_142_blblov.se", {})
    found = [f.summary() for o in SIE.check(batch, REFERENCE) for f in o.failures]
    assert found and found[0].startswith(rule), found

"""Budget decisions and forecasts: parsing, keys and the controller's rules, in memory."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from sources._common.batch import Reference
from sources.budget import SOURCE as BUDGET
from sources.budget.expectations import _decided_outside_year
from sources.prognos import SOURCE as PROGNOS
from sources.prognos.expectations import FILE_NAME

pytestmark = pytest.mark.unit

REFERENCE = Reference(
    namnd_codes=frozenset({"142", "101"}),
    verksamheter=frozenset(("142", v) for v in ("100", "210", "240")),
)

BUDGET_HEADER = "År;Beslut;Beslutsdatum;Typ;Nämnd;Verksamhet;Slag;Belopp"
# An adjustment moving 1,0 mnkr of costs from 240 to 100, thousands grouped three ways.
ADJUSTMENT = [
    "2011;KS 2011-03-16 §7;2011-03-16;Ombudgetering;142;100;Kostnader;1 000 000,00",
    "2011;KS 2011-03-16 §7;2011-03-16;Ombudgetering;142;240;Kostnader;\u22121\u00a0000\u00a0000,00",
]
ORIGINAL = [
    "2011;KF 2010-11-29 §1;2010-11-29;Ursprunglig;142;100;Kostnader;24 500 000,00",
    "2011;KF 2010-11-29 §1;2010-11-29;Ursprunglig;142;210;Intäkter;45000000,00",
    "2011;KF 2010-11-29 §1;2010-11-29;Ursprunglig;142;100;Investering;1 000 000,00",
]
PROGNOS_HEADER = "År;Prognostillfälle;Nämnd;Verksamhet;Slag;Prognos"
FORECAST = [
    "2011;T2;142;100;Kostnader;28 100 000,00",
    "2011;T2;142;210;Intäkter;43 400 000,00",
    "2011;T2;142;100;Investering;500000,00",
]


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def _failures(source, name: str, header: str, rows: list[str]) -> list:
    parsed = source.parse(_csv(header, rows), name, {})
    return [f for outcome in source.check(parsed, REFERENCE) for f in outcome.failures]


def test_budget_adjustment_parses_to_exact_kronor_and_one_key() -> None:
    parsed = BUDGET.parse(_csv(BUDGET_HEADER, ADJUSTMENT), "budget_2011_2.csv", {})

    assert parsed.rows["belopp"].to_list() == [Decimal("1000000.00"), Decimal("-1000000.00")]
    assert parsed.rows["belopp"].dtype == pl.Decimal(18, 2)
    assert parsed.rows["beslutsdatum"].to_list() == [date(2011, 3, 16)] * 2
    assert parsed.rows["line_number"].to_list() == [2, 3]
    assert BUDGET.supersession_keys(parsed).rows() == [("budget", "KS 2011-03-16 §7", 2)]
    # Negative lines are how an adjustment moves money: accepted.
    assert _failures(BUDGET, "budget_2011_2.csv", BUDGET_HEADER, ADJUSTMENT) == []


def test_forecast_key_is_board_year_and_occasion() -> None:
    parsed = PROGNOS.parse(_csv(PROGNOS_HEADER, FORECAST), "prognos_2011_T2.csv", {})

    assert parsed.rows["prognos"].sum() == Decimal("72000000.00")
    assert PROGNOS.supersession_keys(parsed).rows() == [("prognos", "142|2011|T2", 3)]
    assert _failures(PROGNOS, "prognos_2011_T2.csv", PROGNOS_HEADER, FORECAST) == []


def _replace(rows: list[str], line: int, old: str, new: str) -> list[str]:
    """The rows with one text replaced on one file line (header = line 1)."""
    out = list(rows)
    out[line - 2] = out[line - 2].replace(old, new)
    return out


# (file name, rows, rule text, file line, value as reported)
BAD_BUDGET = [
    (
        "budget_2011_1.csv",
        _replace(ORIGINAL, 3, "Ursprunglig", "Tilläggsbudget"),
        "one Typ per file",
        3,
        "Tilläggsbudget",
    ),
    (
        "budget_2011_1.csv",
        _replace(ORIGINAL, 4, "KF 2010-11-29 §1", "KF 2010-11-29 §2"),
        "one Beslut per file",
        4,
        "KF 2010-11-29 §2",
    ),
    (
        "budget_2011_1.csv",
        _replace(ORIGINAL, 2, "24 500 000,00", "-24 500 000,00"),
        "Belopp is not negative in an Ursprunglig budget",
        2,
        Decimal("-24500000.00"),
    ),
    (
        "budget_2011_1.csv",
        _replace(ORIGINAL, 3, ";Intäkter;", ";Intakt;"),
        "Slag is Kostnader, Intäkter or Investering",
        3,
        "Intakt",
    ),
    (
        "budget_2011_1.csv",
        [r.replace(";2010-11-29;", ";2010-11-31;") for r in ORIGINAL],
        "Beslutsdatum is a real calendar date",
        2,
        "2010-11-31",
    ),
    (
        "budget_2011_1.csv",
        [r.replace(";2010-11-29;", ";2012-01-10;") for r in ORIGINAL],
        "Beslutsdatum falls in År or the year before",
        2,
        "Beslutsdatum 2012-01-10 for År 2011",
    ),
    (
        "budget_2012_1.csv",
        ORIGINAL,
        "År is the budget year in the file name",
        2,
        2011,
    ),
    (
        "budget_2011_1.csv",
        _replace(ORIGINAL, 4, ";142;100;", ";142;999;"),
        "Verksamhet is an activity of its Nämnd",
        4,
        "142 / 999",
    ),
    (
        "budget_2011_1.csv",
        [*ORIGINAL, ORIGINAL[0]],
        "one row per Beslut, Nämnd, Verksamhet, Slag in a file",
        5,
        None,
    ),
]

BAD_PROGNOS = [
    ("prognos_2011_T2.csv", _replace(FORECAST, 3, ";T2;", ";T3;"), "T1, T2 or M01..M12", 3, "T3"),
    (
        "prognos_2011_T1.csv",
        FORECAST,
        "Prognostillfälle is the one in the file name (prognos_2011_T1.csv says T1)",
        2,
        "T2",
    ),
    ("prognos_2011_T2.csv", _replace(FORECAST, 2, ";142;", ";199;"), "Nämnd is a code", 2, "199"),
    (
        "prognos_2011_T2.csv",
        _replace(FORECAST, 4, "500000,00", "\u2212500000,00"),
        "Prognos is not negative",
        4,
        Decimal("-500000.00"),
    ),
    (
        "prognos_2011_T2.csv",
        _replace(FORECAST, 2, "2011;", "1999;"),
        "År is a year between 2000 and 2100",
        2,
        1999,
    ),
    (
        "prognos_2011_T2.csv",
        _replace(FORECAST, 3, ";210;", ";19650312-1234;"),
        "no personnummer-like value in Verksamhet",
        3,
        "19650312-****",
    ),
]


@pytest.mark.parametrize(
    ("source", "header", "name", "rows", "rule", "line", "value"),
    [(BUDGET, BUDGET_HEADER, *case) for case in BAD_BUDGET]
    + [(PROGNOS, PROGNOS_HEADER, *case) for case in BAD_PROGNOS],
    ids=[f"budget-{c[2]}" for c in BAD_BUDGET] + [f"prognos-{c[2]}" for c in BAD_PROGNOS],
)
def test_rule_names_line_and_value(source, header, name, rows, rule, line, value) -> None:
    failures = _failures(source, name, header, rows)

    matching = [f for f in failures if rule in f.rule]
    assert matching, [f.rule for f in failures]
    assert line in matching[0].lines
    if value is not None:
        assert matching[0].values[matching[0].lines.index(line)] == value


@pytest.mark.parametrize(
    ("ar", "decided", "outside"),
    [
        (2011, date(2010, 11, 29), None),  # KF's budget, the autumn before
        (2011, date(2011, 3, 16), None),  # an adjustment during the year
        (2011, date(2009, 12, 31), "Beslutsdatum 2009-12-31 for År 2011"),
        (2011, date(2012, 1, 2), "Beslutsdatum 2012-01-02 for År 2011"),
        (2011, None, None),  # an unreadable date is named by its own rule
    ],
)
def test_decision_date_window(ar: int, decided: date | None, outside: str | None) -> None:
    typed = pl.DataFrame(
        {"ar": [ar], "beslutsdatum": [decided]}, schema={"ar": pl.Int32, "beslutsdatum": pl.Date}
    )
    assert _decided_outside_year(typed).to_list() == [outside]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("prognos_2011_t2.csv", ("2011", "t2")),
        ("prognos_2011_m05.csv", ("2011", "m05")),
        ("prognos_2011_t2_rattelse.csv", ("2011", "t2")),
        ("prognos_2011_m13.csv", None),
        ("prognos_2011_tillfalle.csv", None),
    ],
)
def test_forecast_file_name(name: str, key: tuple[str, str] | None) -> None:
    found = FILE_NAME.match(name)
    assert (found.groups() if found else None) == key

"""What the texts of an indicator follow-up mean: numbers with units, targets, periods.

The management system (ILS) exports every figure as the text a board typed: `5,5 %`,
`0,8%`, `4 300`, `28,3 kwh/kvm`, `8 Dygn`, `680 gWh`, or words in a target (`Öka`,
`minska`, `tas fram av nämnden`, `+/- 1 %`). The raw text is always kept; these pure
functions say what it means. A text they cannot read is `unparsed`, never an error: the
controller still sees the text, and the row names the column (source-formats.md §7).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

ValueKind = Literal[
    "number", "increase", "decrease", "set_by_board", "tolerance", "empty", "unparsed"
]
PeriodKind = Literal["report", "year", "empty", "unparsed"]
Assessment = Literal["met", "partly_met", "not_met"]

VALUE_KINDS: tuple[str, ...] = get_args(ValueKind)
REPORTS: tuple[str, ...] = ("T1", "T2", "VB")
ASSESSMENTS: dict[str, Assessment] = {
    "uppfylls helt": "met",
    "uppfylls delvis": "partly_met",
    "uppfylls ej": "not_met",
}

# Canonical spelling of every unit, by its lower-cased spelling as typed. Values keep the
# unit they were reported in: `680 gWh` is 680 GWh, never silently 680 000 000 kWh.
UNITS: dict[str, str] = {
    "%": "%",
    "procent": "%",
    "st": "st",
    "st.": "st",
    "kr": "kr",
    "kronor": "kr",
    "kwh": "kWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "kwh/kvm": "kWh/kvm",
    "kwh/m2": "kWh/kvm",
    "kwh/m²": "kWh/kvm",
    "dygn": "dygn",
    "index": "index",
}

# Words a target can be instead of a number (KF:s årsmål), by their lower-cased text.
TARGET_WORDS: dict[str, ValueKind] = {
    "öka": "increase",
    "ökning": "increase",
    "minska": "decrease",
    "minskning": "decrease",
    "tas fram av nämnden": "set_by_board",
    "tas fram av nämnd": "set_by_board",
    "nämnden": "set_by_board",
    "nämnd": "set_by_board",
}

# The event table stores DECIMAL(18, 4): a number that does not fit is not guessed at.
MAX_INTEGER_DIGITS = 14
MAX_DECIMALS = 4

# `4 300`, `300 000`, `4164`, `-2,5`, `0,8`: decimal comma; thousands grouped by one
# space (no-break spaces are made plain first) or not at all. A decimal point is not a
# Swedish decimal separator and stays unparsed rather than being read as one.
_NUMBER = r"(?P<sign>-)?(?P<integer>[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:,(?P<fraction>[0-9]+))?"
_VALUE = re.compile(rf"{_NUMBER}(?: ?(?P<unit>[^\s0-9].*))?")
_TOLERANCE = re.compile(r"(?:\+ ?/ ?-|±) ?(?P<rest>.+)")
_PERIOD = re.compile(
    r"(?:(?P<tertial>tertial|t) ?(?P<number>[12])|(?P<vb>vb|verksamhetsberättelse))? ?"
    r"(?P<year>[0-9]{4})"
)


@dataclass(frozen=True)
class ParsedValue:
    """A figure of the report: its number and unit, or the word it is, or `unparsed`."""

    value: Decimal | None
    unit: str | None
    kind: ValueKind


@dataclass(frozen=True)
class ParsedPeriod:
    """The `Period` of a row: a report (T1, T2, VB) of a year, a whole year, or neither."""

    report: str | None
    year: int | None
    kind: PeriodKind


EMPTY = ParsedValue(None, None, "empty")
UNPARSED = ParsedValue(None, None, "unparsed")


def normalise(text: str | None) -> str:
    """The text as matched: NFC, no-break spaces and U+2212 made plain, spaces collapsed.

    >>> normalise("  3\\u00a0500\\u202fst ")
    '3 500 st'
    >>> normalise("\\u22122,5 %")
    '-2,5 %'
    >>> normalise(None)
    ''
    """
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2212", "-").replace("\u2013", "-")
    return " ".join(text.split())


def canonical_unit(unit: str | None) -> str | None:
    """The canonical spelling of a unit, whatever its case; None when it is not one.

    >>> canonical_unit("kwh/kvm")
    'kWh/kvm'
    >>> canonical_unit("gWh")
    'GWh'
    >>> canonical_unit("Dygn")
    'dygn'
    >>> canonical_unit("furlong") is None
    True
    """
    if unit is None:
        return None
    return UNITS.get(normalise(unit).lower().replace(" ", ""))


def parse_number(text: str) -> tuple[Decimal, str | None] | None:
    """A number with an optional unit from normalised text, or None.

    >>> parse_number("300 000 kWh")
    (Decimal('300000'), 'kWh')
    >>> parse_number("0,8%")
    (Decimal('0.8'), '%')
    >>> parse_number("4 30") is None
    True
    """
    match = _VALUE.fullmatch(text)
    if match is None:
        return None
    integer = match["integer"].replace(" ", "")
    fraction = match["fraction"] or ""
    if len(integer.lstrip("0")) > MAX_INTEGER_DIGITS or len(fraction) > MAX_DECIMALS:
        return None
    unit = None
    if match["unit"] is not None:
        unit = canonical_unit(match["unit"])
        if unit is None:
            return None
    digits = f"{integer}.{fraction}" if fraction else integer
    return Decimal(f"{match['sign'] or ''}{digits}"), unit


def parse_value(text: str | None) -> ParsedValue:
    """What a figure or target means: number and unit, a direction, or set by the board.

    >>> parse_value("28,3 kwh/kvm")
    ParsedValue(value=Decimal('28.3'), unit='kWh/kvm', kind='number')
    >>> parse_value("Öka")
    ParsedValue(value=None, unit=None, kind='increase')
    >>> parse_value("+/- 1 %")
    ParsedValue(value=Decimal('1'), unit='%', kind='tolerance')
    >>> parse_value("cirka 5").kind
    'unparsed'
    """
    plain = normalise(text)
    if not plain:
        return EMPTY
    word = TARGET_WORDS.get(plain.lower().rstrip("."))
    if word is not None:
        return ParsedValue(None, None, word)
    tolerance = _TOLERANCE.fullmatch(plain)
    if tolerance is not None:
        number = parse_number(tolerance["rest"])
        if number is None or number[0] < 0:
            return UNPARSED
        return ParsedValue(number[0], number[1], "tolerance")
    number = parse_number(plain)
    if number is None:
        return UNPARSED
    return ParsedValue(number[0], number[1], "number")


def parse_period(text: str | None) -> ParsedPeriod:
    """The report and year a row's figures are for.

    A T2 report can carry a figure measured at T1 (`Tertial 1 2011`): it stays T1.

    >>> parse_period("Tertial 2 2011")
    ParsedPeriod(report='T2', year=2011, kind='report')
    >>> parse_period("2011")
    ParsedPeriod(report=None, year=2011, kind='year')
    >>> parse_period("VB 2015")
    ParsedPeriod(report='VB', year=2015, kind='report')
    """
    plain = normalise(text)
    if not plain:
        return ParsedPeriod(None, None, "empty")
    match = _PERIOD.fullmatch(plain.lower())
    if match is None:
        return ParsedPeriod(None, None, "unparsed")
    year = int(match["year"])
    if match["number"]:
        return ParsedPeriod(f"T{match['number']}", year, "report")
    if match["vb"]:
        return ParsedPeriod("VB", year, "report")
    return ParsedPeriod(None, year, "year")


def parse_assessment(text: str | None) -> Assessment | None:
    """`Uppfylls helt/delvis/ej` as met, partly_met or not_met; None when empty or unknown.

    >>> parse_assessment("Uppfylls delvis")
    'partly_met'
    >>> parse_assessment("uppfylls  EJ")
    'not_met'
    >>> parse_assessment("") is None
    True
    """
    return ASSESSMENTS.get(normalise(text).lower())


def is_assessment(text: str | None) -> bool:
    """True for an empty Bedömning or one of the three assessments.

    >>> is_assessment("Uppfylls helt"), is_assessment(None), is_assessment("Nja")
    (True, True, False)
    """
    return not normalise(text) or parse_assessment(text) is not None

"""What the texts of an indicator follow-up parse to (no I/O)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from sources.indikatorer.parser import parse
from sources.indikatorer.values import (
    ParsedPeriod,
    ParsedValue,
    canonical_unit,
    parse_assessment,
    parse_period,
    parse_value,
)

pytestmark = pytest.mark.unit

D = Decimal

# (raw text, number, unit, kind): every form in expected.md, indikatorer_2011_T2.csv and
# the indicator tables of the T2 2011 report, then the general number rules.
VALUE_CASES = [
    # expected.md, "Indicators ... how values parse"
    ("5,5 %", D("5.5"), "%", "number"),
    ("0,8%", D("0.8"), "%", "number"),
    ("4 300", D("4300"), None, "number"),
    ("8 st", D("8"), "st", "number"),
    ("3 500 st", D("3500"), "st", "number"),
    ("300 000 kWh", D("300000"), "kWh", "number"),
    ("680 gWh", D("680"), "GWh", "number"),  # kept in GWh: 680 GWh, not 680 000 000 kWh
    ("52 kWh/kvm", D("52"), "kWh/kvm", "number"),
    ("Öka", None, None, "increase"),
    ("minska", None, None, "decrease"),
    ("tas fram av nämnden", None, None, "set_by_board"),
    ("+/- 1 %", D("1"), "%", "tolerance"),
    # indikatorer_2011_T2.csv and the report text
    ("0 %", D("0"), "%", "number"),
    ("2 %", D("2"), "%", "number"),
    ("35 %", D("35"), "%", "number"),
    ("100 %", D("100"), "%", "number"),
    ("100%", D("100"), "%", "number"),
    ("4,8 %", D("4.8"), "%", "number"),
    ("5,1 %", D("5.1"), "%", "number"),
    ("8", D("8"), None, "number"),
    ("69", D("69"), None, "number"),
    ("4164", D("4164"), None, "number"),
    ("3 000", D("3000"), None, "number"),
    ("48 st", D("48"), "st", "number"),
    ("80 kWh", D("80"), "kWh", "number"),
    ("28,3 kwh/kvm", D("28.3"), "kWh/kvm", "number"),  # source-formats.md §7
    ("8 Dygn", D("8"), "dygn", "number"),
    ("400 st", D("400"), "st", "number"),
    ("4 164", D("4164"), None, "number"),
    # spellings of the same things
    ("öka", None, None, "increase"),
    ("MINSKA", None, None, "decrease"),
    ("Tas fram av nämnden", None, None, "set_by_board"),
    ("nämnd", None, None, "set_by_board"),
    ("±1%", D("1"), "%", "tolerance"),
    ("+/-0,5 %", D("0.5"), "%", "tolerance"),
    ("1 GWh", D("1"), "GWh", "number"),
    ("12 MWh", D("12"), "MWh", "number"),
    ("250 kr", D("250"), "kr", "number"),
    ("67 index", D("67"), "index", "number"),
    ("28,3 KWH/KVM", D("28.3"), "kWh/kvm", "number"),
    # grouping, signs, empty
    ("4\u00a0300", D("4300"), None, "number"),  # no-break space
    ("1\u202f234\u202f567,5", D("1234567.5"), None, "number"),  # narrow no-break space
    ("3\u00a0500\u00a0st", D("3500"), "st", "number"),
    ("\u22122,5 %", D("-2.5"), "%", "number"),  # U+2212 minus
    ("-2,5 %", D("-2.5"), "%", "number"),
    ("  5,5 %  ", D("5.5"), "%", "number"),
    ("0,1234", D("0.1234"), None, "number"),
    ("", None, None, "empty"),
    ("   ", None, None, "empty"),
    (None, None, None, "empty"),
    # kept raw and flagged: not guessed at
    ("5.5 %", None, None, "unparsed"),  # a decimal point is not Swedish
    ("4 30", None, None, "unparsed"),  # a broken thousands group
    ("1 2345", None, None, "unparsed"),
    ("0,12345", None, None, "unparsed"),  # more decimals than DECIMAL(18, 4) holds
    ("123456789012345", None, None, "unparsed"),  # more digits than DECIMAL(18, 4) holds
    ("ca 5 %", None, None, "unparsed"),
    ("5 furlongs", None, None, "unparsed"),
    ("85-90 %", None, None, "unparsed"),
    ("+/- minska", None, None, "unparsed"),
    ("Öka kraftigt", None, None, "unparsed"),
    ("- -5", None, None, "unparsed"),
]


@pytest.mark.parametrize(("raw", "value", "unit", "kind"), VALUE_CASES)
def test_value_parses(raw: str | None, value: Decimal | None, unit: str | None, kind: str) -> None:
    parsed = parse_value(raw)
    assert parsed == ParsedValue(value, unit, kind)
    if value is not None:  # exact decimals, never floats
        assert isinstance(parsed.value, Decimal)


PERIOD_CASES = [
    ("Tertial 2 2011", ParsedPeriod("T2", 2011, "report")),
    # A T1 figure reported in the T2 report stays T1 (expected.md).
    ("Tertial 1 2011", ParsedPeriod("T1", 2011, "report")),
    ("2011", ParsedPeriod(None, 2011, "year")),
    ("VB 2015", ParsedPeriod("VB", 2015, "report")),
    ("vb 2015", ParsedPeriod("VB", 2015, "report")),
    ("T2 2011", ParsedPeriod("T2", 2011, "report")),
    ("tertial\u00a02 2011", ParsedPeriod("T2", 2011, "report")),
    ("Verksamhetsberättelse 2015", ParsedPeriod("VB", 2015, "report")),
    ("", ParsedPeriod(None, None, "empty")),
    (None, ParsedPeriod(None, None, "empty")),
    ("Tertial 3 2011", ParsedPeriod(None, None, "unparsed")),
    ("augusti 2011", ParsedPeriod(None, None, "unparsed")),
    ("11", ParsedPeriod(None, None, "unparsed")),
]


@pytest.mark.parametrize(("raw", "expected"), PERIOD_CASES)
def test_period_parses(raw: str | None, expected: ParsedPeriod) -> None:
    assert parse_period(raw) == expected


ASSESSMENT_CASES = [
    ("Uppfylls helt", "met"),
    ("Uppfylls delvis", "partly_met"),
    ("Uppfylls ej", "not_met"),
    ("uppfylls  HELT", "met"),
    ("Uppfylls\u00a0ej", "not_met"),
    ("", None),
    (None, None),
    ("Nja", None),
]


@pytest.mark.parametrize(("raw", "expected"), ASSESSMENT_CASES)
def test_assessment_parses(raw: str | None, expected: str | None) -> None:
    assert parse_assessment(raw) == expected


def test_units_are_canonical_whatever_their_case() -> None:
    spellings = ["%", "ST", "Kr", "KWH", "gwh", "mWh", "kwh/kvm", "DYGN", "Index"]
    assert [canonical_unit(s) for s in spellings] == [
        "%",
        "st",
        "kr",
        "kWh",
        "GWh",
        "MWh",
        "kWh/kvm",
        "dygn",
        "index",
    ]


HEADER = (
    "År;Rapport;Nämnd;Mål;Indikator;Periodens utfall;Prognos helår;Årsmål;KF:s årsmål;"
    "Period;Bedömning;Kommentar"
)


def test_parser_adds_typed_parsed_columns_and_flags_what_it_cannot_read() -> None:
    rows = [
        "2011;T2;142;KF 2.4;Sjukfrånvaro;5,5 %;;4 %;4,8 %;2011;Uppfylls delvis;ok",
        "2011;T2;142;KF 3.1;Prognossäkerhet;ca 5;5.5;;+/- 1 %;Tertial 1 2011;;",
        "2011;T2;142;KF 1.3;El;;;300\u00a0000 kWh;680 gWh;hösten 2011;Uppfylls ej;",
    ]
    data = "\r\n".join([HEADER, *rows]).encode("utf-8")

    parsed = parse(data, "indikatorer_2011_T2.csv", {})

    frame = parsed.rows
    assert frame.schema["utfall_value"] == pl.Decimal(18, 4)
    assert frame.schema["kf_arsmal_value"] == pl.Decimal(18, 4)
    assert frame.schema["period_year"] == pl.Int32
    assert frame.schema["unparsed"] == pl.List(pl.String)
    assert frame.columns[-1] == "extra"
    got = frame.select(
        "line_number",
        "periodens_utfall",
        "utfall_value",
        "utfall_unit",
        "utfall_kind",
        "prognos_kind",
        "arsmal_value",
        "arsmal_unit",
        "kf_arsmal_value",
        "kf_arsmal_unit",
        "kf_arsmal_kind",
        "period_report",
        "period_year",
        "assessment",
        "unparsed",
    ).rows()
    assert got == [
        (2, "5,5 %", D("5.5"), "%", "number", "empty", D("4"), "%", D("4.8"), "%", "number",
         None, 2011, "partly_met", []),
        (3, "ca 5", None, None, "unparsed", "unparsed", None, None, D("1"), "%", "tolerance",
         "T1", 2011, None, ["periodens_utfall", "prognos_helar"]),
        (4, None, None, None, "empty", "empty", D("300000"), "kWh", D("680"), "GWh", "number",
         None, None, "not_met", ["period_text"]),
    ]  # fmt: skip
    # The raw texts stay exactly as delivered (trimmed), beside what they mean.
    assert frame["prognos_helar"].to_list() == [None, "5.5", None]
    assert frame["arsmal"][2] == "300\u00a0000 kWh"

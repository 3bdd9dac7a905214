"""Personnummer and samordningsnummer: every form found and masked, nothing else (no I/O)."""

from __future__ import annotations

import polars as pl
import pytest

from sources._common.personnummer import (
    check_columns,
    contains,
    file_name_failure,
    find,
    luhn_ok,
    mask,
    masked_hits,
)

pytestmark = pytest.mark.unit

# (as written, masked): every form issue 12 lists, in a text and alone.
FORMS = [
    ("191212121212", "19121212****"),  # YYYYMMDDNNNN
    ("19121212-1212", "19121212-****"),  # YYYYMMDD-NNNN
    ("19121212+1212", "19121212+****"),  # YYYYMMDD+NNNN
    ("19121212 1212", "19121212 ****"),  # YYYYMMDD NNNN
    ("19121212\u20131212", "19121212\u2013****"),  # YYYYMMDD–NNNN (en dash)
    ("1212121212", "121212****"),  # YYMMDDNNNN
    ("121212-1212", "121212-****"),  # YYMMDD-NNNN
    ("121212+1212", "121212+****"),  # YYMMDD+NNNN (over 100 years old)
    ("121212 1212", "121212 ****"),  # YYMMDD NNNN
    ("121212\u20131212", "121212\u2013****"),  # YYMMDD–NNNN (en dash)
    # The other dash-like characters: hyphen, non-breaking hyphen, figure dash, em dash,
    # horizontal bar, minus sign; and a no-break space.
    *((f"121212{d}1212", f"121212{d}****") for d in "\u2010\u2011\u2012\u2014\u2015\u2212"),
    ("121212\u00a01212", "121212\u00a0****"),
    # Samordningsnummer: the day + 60.
    ("121272-1212", "121272-****"),
    ("198501621234", "19850162****"),
    ("19121272-1212", "19121272-****"),
    # A sole trader's organisation number is his personnummer, with or without the dash.
    ("550226-1513", "550226-****"),
    ("5502261513", "550226****"),
    # Made-up values the existing tests and the demo use (fail Luhn, dash forms: flagged).
    ("19710315-1234", "19710315-****"),
    ("800101-1234", "800101-****"),
    ("20010101-1234", "20010101-****"),
]


@pytest.mark.parametrize(("written", "masked"), FORMS)
def test_every_form_is_found_and_masked(written: str, masked: str) -> None:
    assert find(written) == [written]
    assert mask(written) == masked
    text = f"Ersättning {written} enl. beslut"
    assert find(text) == [written]
    assert mask(text) == f"Ersättning {masked} enl. beslut"
    assert contains(f"x{written}y")  # letters around it are no digits


def test_the_tax_agencys_test_numbers_pass_luhn() -> None:
    # 191212121212 (Tolvan Tolvansson) passes; so does the sole trader of BLBLOV_SIE4.SI.
    assert luhn_ok("1212121212")
    assert luhn_ok("5502261513")
    # These fail Luhn, yet are flagged: dash or 12-digit forms need no check digit.
    assert not luhn_ok("1212721212")
    assert not luhn_ok("8501621234")
    assert find("121272-1212") and find("198501621234")


@pytest.mark.parametrize(
    "text",
    [
        "212000-0142",  # Stockholm's organisation number: month 20
        "556677-8899",  # a company's: month 66
        "V201108-142-240",  # voucher id
        "V201108-142-240-K0045",
        "201108",  # period
        "2011-08-20",  # date
        "20110820",
        "-1931144,95",  # amounts
        "1 234 567,50",
        "\u22121234567,50",
        "140508,70",
        "14240",
        "1212121213",  # bare 10 digits failing Luhn: an invoice number, not a person
        "121212 1213",  # a space form failing Luhn: a date and a number in a text
        "20110915 1500",  # a date and a time
        "12121212121212",  # 14 digits: part of a longer id
        "2121212121212",  # 13 digits
        "x12121212121",  # 11 digits
        "121232-1212",  # day 32
        "121292-1212",  # day 92
        "121300-1212",  # month 13 / day 00
        "121200-1212",  # day 00
        "121260-1212",  # day 60
        "121212-121",  # 3 digits after the dash
        "121212--1212",
        "181212121212",  # century 18: no living person, and no 10-digit form inside
        "",
    ],
)
def test_what_is_no_personnummer(text: str) -> None:
    assert find(text) == []
    assert mask(text) == text
    assert not contains(text)


def test_several_in_one_text_are_all_masked() -> None:
    text = "19121212-1212, 121272-1212 och 5502261513; 212000-0142"
    assert find(text) == ["19121212-1212", "121272-1212", "5502261513"]
    assert mask(text) == "19121212-****, 121272-**** och 550226****; 212000-0142"


def test_masking_is_idempotent_and_keeps_none() -> None:
    once = mask("Lön 19121212-1212")
    assert mask(once) == once == "Lön 19121212-****"
    assert mask(None) == ""
    assert find(None) == []


def test_masked_hits_holds_the_masked_cell_or_null() -> None:
    cells = pl.Series("text", ["Lön 121212-1212", None, "Hyra 201108", "1212121213", "1212121212"])
    assert masked_hits(cells).to_list() == ["Lön 121212-****", None, None, None, "121212****"]
    shown = pl.Series(["#FNAMN row", "a", "b", "c", "#TRANS row 1212121212"])
    assert masked_hits(cells, shown).to_list() == [
        "#FNAMN row",
        None,
        None,
        None,
        "#TRANS row 121212****",
    ]


def test_check_columns_cover_every_column_under_a_masked_name() -> None:
    frame = pl.DataFrame(
        {
            "line_number": [2, 3],
            "text": ["ok", "19121212-1212"],
            "Anna 19121212-1212": ["x", "y"],
            "antal": [1, 1212121212],
        }
    )
    checks = check_columns(frame)
    assert set(checks) == {"text (masked)", "Anna 19121212-**** (masked)", "antal (masked)"}
    assert checks["antal (masked)"].to_list() == [None, "121212****"]
    assert checks["text (masked)"].to_list() == [None, "19121212-****"]
    assert checks["Anna 19121212-**** (masked)"].to_list() == [None, None]


def test_file_name_failure_is_one_masked_line() -> None:
    assert file_name_failure("huvudbok_201108.csv") is None
    assert file_name_failure("V201108-142-240.csv") is None
    reason = file_name_failure("huvudbok_201108_19121212-1212.csv")
    assert reason is not None
    assert "huvudbok_201108_19121212-****.csv" in reason
    assert "1212.csv" not in reason and "\n" not in reason
    assert "personnummer" in reason and "file name" in reason and "filnamnet" in reason


def test_a_uuid_that_holds_the_dash_form_is_no_personnummer() -> None:
    """GX's data docs carry random UUIDs; one held `360606-3899` and failed a run."""
    uuid = "e5360606-3899-4c1d-9a2b-3f6e8d7c1b2a"
    assert find(f"id {uuid} end") == []
    assert mask(uuid) == uuid
    assert find("kund 360606-3899") == ["360606-3899"]

"""SIE 4: the record tokenizer on a table of cases, and what the parser makes of records."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from sources._common.csvfile import ParseError
from sources.sie import SOURCE
from sources.sie.parser import parse
from sources.sie.records import SieSyntaxError, read_records, split_fields

pytestmark = pytest.mark.unit

# (line, fields): every form of SIE 4B §5.7 and §8.21, and what real exports write.
FIELDS = [
    ("#FLAGGA 0", ["#FLAGGA", "0"]),
    ('#FNR "4"', ["#FNR", "4"]),
    ('#FNAMN "4 - Testbolaget enskild firma"', ["#FNAMN", "4 - Testbolaget enskild firma"]),
    ("#FNAMN Övningsbolaget AB", ["#FNAMN", "Övningsbolaget", "AB"]),  # unquoted: 2 fields
    ("#TRANS 1910 {} -300.00", ["#TRANS", "1910", (), "-300.00"]),
    ("#TRANS 1910 { } -1000.00", ["#TRANS", "1910", (), "-1000.00"]),
    (
        '#TRANS 1910 {1 "100" 6 "P1"} -300.00 20210101 "Porto"',
        ["#TRANS", "1910", ("1", "100", "6", "P1"), "-300.00", "20210101", "Porto"],
    ),
    (
        '#TRANS 7010 {"1" "456" "7" "47"} 13200.00',
        ["#TRANS", "7010", ("1", "456", "7", "47"), "13200.00"],
    ),
    ('#TRANS 5010 {1 "100000"}100.00', ["#TRANS", "5010", ("1", "100000"), "100.00"]),
    ("\t#TRANS  1930\t{}   100.00", ["#TRANS", "1930", (), "100.00"]),  # tabs, many blanks
    ('#VER "K" "" 20180502 "Moms"  20180503', ["#VER", "K", "", "20180502", "Moms", "20180503"]),
    ('#VERTEXT "Sa \\"hej\\" till"', ["#VERTEXT", 'Sa "hej" till']),  # escaped quotes
    (  # a backslash before anything but a quote stays (BLBLOV_SIE4.SE)
        '#TRANS 7820 {} 1666.00 20170131 "1110\\1002 Hus 1:1"',
        ["#TRANS", "7820", (), "1666.00", "20170131", "1110\\1002 Hus 1:1"],
    ),
    ('#OBJEKT 1 "100000" "ABC {not a list}"', ["#OBJEKT", "1", "100000", "ABC {not a list}"]),
]


@pytest.mark.parametrize(("line", "fields"), FIELDS, ids=[f[0][:30] for f in FIELDS])
def test_split_fields(line: str, fields: list) -> None:
    assert split_fields(line) == fields


BROKEN = [
    ('#FNAMN "Testbolaget', "a quoted field is not closed"),
    ("#TRANS 1910 {1 {2 3}} 10", "an object list inside an object list"),
    ("#TRANS 1910 {1 2 -300.00", "an object list is not closed"),
    ("#TRANS 1910 } -300.00", "'}' without its '{'"),
]


@pytest.mark.parametrize(("line", "problem"), BROKEN, ids=[b[1] for b in BROKEN])
def test_broken_lines_name_their_problem_and_line(line: str, problem: str) -> None:
    with pytest.raises(SieSyntaxError, match=problem) as error:
        list(read_records(f"#FLAGGA 0\n\n{line}\n"))
    assert error.value.line_number == 3
    assert "line 3" in str(error.value)


def test_records_keep_line_numbers_labels_and_blocks() -> None:
    text = "#flagga 0\r\n\r\n#VER A 1 20210101\r\n{\r\n  #TRANS 1910 {} 1\r\n}\r\n"
    records = list(read_records(text))
    assert [(r.line_number, r.label) for r in records] == [
        (1, "#FLAGGA"),
        (3, "#VER"),
        (4, "{"),
        (5, "#TRANS"),
        (6, "}"),
    ]
    assert records[3].objects(1) == ()
    with pytest.raises(SieSyntaxError, match="a record starts with a #label"):
        list(read_records("FLAGGA 0\n"))


def _sie(*lines: str) -> bytes:
    return ("\r\n".join(["#FLAGGA 0", "#FORMAT PC8", "#SIETYP 4", *lines]) + "\r\n").encode("cp437")


def test_vouchers_become_ledger_lines_with_their_coding() -> None:
    data = _sie(
        '#FNR "BOLAG"',
        "#RAR 0 20110101 20111231",
        '#VER A 7 20110815 "Porto"',
        "{",
        '#TRANS 6250 {1 "14210" 2 "210" 6 "P1" 7 "47"} 800.00 20110816 "Frimärken" 2',
        "#TRANS 2640 {} 200.00",
        "#BTRANS 6110 {} 800.00",
        '#RTRANS 1910 {2 "230"} -1000.00',
        '#TRANS 1910 {2 "230"} -1000.00',
        "}",
    )
    parsed = parse(data, "sie_142_aug.se", {})

    ledger = parsed.tables["huvudbok"]
    # #BTRANS dropped, #RTRANS counted once (its #TRANS copy skipped).
    assert ledger.select(
        "line_number", "period", "namnd", "ansvar", "verksamhet", "konto", "projekt", "belopp"
    ).rows() == [
        (8, 201108, "142", "14210", "210", "6250", "P1", Decimal("800.00")),
        (9, 201108, "142", None, "-1", "2640", None, Decimal("200.00")),
        (11, 201108, "142", None, "230", "1910", None, Decimal("-1000.00")),
    ]
    assert ledger["verifikation"].to_list() == ["A 7"] * 3
    assert [d.isoformat() for d in ledger["datum"]] == ["2011-08-16", "2011-08-15", "2011-08-15"]
    assert ledger["text"].to_list() == ["Frimärken", "Porto", "Porto"]
    assert json.loads(ledger["extra"][0]) == {"objekt": {"7": "47"}, "kvantitet": "2"}
    assert json.loads(ledger["extra"][2]) == {"post": "#RTRANS"}
    assert parsed.encoding == "cp437"
    keys = SOURCE.supersession_keys(parsed)
    assert keys.rows() == [("huvudbok", "142|201108", 3)]


def test_the_board_is_the_file_name_else_fnr() -> None:
    data = _sie('#FNR "140"', '#VER A 1 20110815 ""', "{", "#TRANS 1910 {} 0", "}")
    assert parse(data, "sie_142_x.se", {}).rows["namnd"].to_list() == ["142"]
    assert parse(data, "BOKF.SE", {}).rows["namnd"].to_list() == ["140"]


def test_period_budget_of_year_zero_is_one_decision_by_slag() -> None:
    data = _sie(
        "#RAR 0 20110101 20111231",
        "#PBUDGET 0 201101 3010 {} -1000.50",
        "#PBUDGET 0 201102 3010 {} -999.50",
        '#PBUDGET 0 201101 5010 {2 "210"} 300.00',
        '#PBUDGET 0 201102 5010 {2 "210"} 200.00',
        "#PBUDGET 0 201101 8510 {} 10.00",
        "#PBUDGET 0 201101 1220 {} 4000.00",
        "#PBUDGET 0 201101 1930 {} 99.00",  # balance sheet: no budget of a board
        "#PBUDGET 0 201101 8010 {} 99.00",  # the city's, not the board's
        "#PBUDGET -1 201001 3010 {} -5000.00",  # last year: not read
        '#VER A 1 20110115 ""',
        "{",
        "#TRANS 1910 {} 0",
        "}",
    )
    parsed = parse(data, "sie_142_budget.se", {})

    budget = parsed.tables["budget"]
    assert budget.select("ar", "beslut", "typ", "namnd", "verksamhet", "slag", "belopp").sort(
        "slag", "verksamhet"
    ).rows() == [
        (2011, "SIE #PBUDGET 142 2011", "Ursprunglig", "142", "-1", "Intäkter", Decimal("2000.00")),
        (
            2011,
            "SIE #PBUDGET 142 2011",
            "Ursprunglig",
            "142",
            "-1",
            "Investering",
            Decimal("4000.00"),
        ),
        (2011, "SIE #PBUDGET 142 2011", "Ursprunglig", "142", "-1", "Kostnader", Decimal("10.00")),
        (
            2011,
            "SIE #PBUDGET 142 2011",
            "Ursprunglig",
            "142",
            "210",
            "Kostnader",
            Decimal("500.00"),
        ),
    ]
    assert {d.isoformat() for d in budget["beslutsdatum"]} == {"2011-01-01"}
    assert SOURCE.supersession_keys(parsed).rows() == [
        ("huvudbok", "142|201101", 1),
        ("budget", "SIE #PBUDGET 142 2011", 4),
    ]
    assert parsed.row_count == 5  # one ledger line and four budget rows


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (['#VER A 1 20110101 ""', "#TRANS 1910 {} 0"], "must be followed by '{'"),
        (['#VER A 1 20110101 ""', "{", "#TRANS 1910 {} 0"], "not closed with '}'"),
        (["#TRANS 1910 {} 0"], "#TRANS outside a voucher"),
        (['#VER A 1 20110101 ""', "{", "#KONTO 1910 Kassa", "}"], "#KONTO inside a voucher"),
        (['#VER A 1 20110101 ""', "{", "#TRANS 1910 {1} 0", "}"], "pairs of dimension"),
        (['#VER A 1 20110101 ""', "{", "#TRANS 1910 0", "}"], "not an object list"),
    ],
)
def test_malformed_files_cannot_be_read(lines: list[str], problem: str) -> None:
    with pytest.raises(ParseError, match=problem):
        parse(_sie(*lines), "sie_142_x.se", {})

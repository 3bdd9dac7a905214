"""What a cell means, not only its shape (issue 12 §4), in memory: calendar dates, amounts
within their caps, codes valid at the period, and SIE `#KSUMMA`.

Each rule is tested on its own function and through a source's real suites (GX on
pandas), so a bad cell is named by its rule, line and value and never raises.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from decimal import Decimal

import polars as pl
import pytest

from sources._common.batch import Reference
from sources._common.rules import valid_in_period
from sources._common.source import Source
from sources._common.values import (
    DATE_PATTERN,
    MAX_FILE_KRONOR,
    MAX_LINE_KRONOR,
    PERIOD_PATTERN,
    YEAR_PATTERN,
    beyond_cap,
    file_total_beyond_cap,
    not_a_date,
    typed,
)
from sources.budget import SOURCE as BUDGET
from sources.huvudbok import SOURCE as HUVUDBOK
from sources.lon import SOURCE as LON
from sources.medarbetarenkat import SOURCE as MEDARBETARENKAT
from sources.sie import SOURCE as SIE
from sources.sie.parser import parse as parse_sie
from sources.sie.records import Checksum, checksummed, read_records
from sources.sjukfranvaro import SOURCE as SJUKFRANVARO
from sources.verksamheter import SOURCE as VERKSAMHETER

pytestmark = pytest.mark.unit

ACTIVITIES = ("100", "210", "230", "240")
# As the reference register has it: 1011 (a department of Kommunstyrelsen) Nedlagd
# 2007-01-01; 1099 ended mid-month; activity 230 of 142 valid 2010 through 2019.
REFERENCE = Reference(
    namnd_codes=frozenset({"101", "142", "1011", "1099"}),
    verksamheter=frozenset({("142", v) for v in ACTIVITIES} | {("1011", "100")}),
    namnd_ends={
        "1011": (dt.date(2007, 1, 1), "Nedlagd"),
        "1099": (dt.date(2007, 3, 15), "Sammanslagen"),
    },
    verksamhet_spans={
        ("142", "100"): (dt.date(2010, 1, 1), None),
        ("142", "230"): (dt.date(2010, 1, 1), dt.date(2019, 12, 31)),
        ("142", "240"): (None, None),
    },
)


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("cp1252")


def _failures(source: Source, name: str, data: bytes, reference: Reference = REFERENCE):
    parsed = source.parse(data, name, {})
    return [f for outcome in source.check(parsed, reference) for f in outcome.failures]


def _named(failures, rule: str):
    found = [f for f in failures if f.rule.startswith(rule)]
    assert found, [f.rule for f in failures]
    return found[0]


# -- calendar dates ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2011-09-31", "2011-20-09", "2010-02-30", "2011-00-10"])
def test_a_date_shaped_cell_that_is_no_day_is_named(text: str) -> None:
    raw = pl.Series([text, "2012-02-29"])
    assert re.fullmatch(DATE_PATTERN, text)  # the shape holds: only the calendar says no
    assert not_a_date(raw, raw.str.to_date("%Y-%m-%d", strict=False)).to_list() == [text, None]


def test_a_cell_that_is_not_even_shaped_like_a_date_is_left_to_the_pattern_rule() -> None:
    raw = pl.Series(["2011-9-30", "30/9 2011", None])
    assert not_a_date(raw, raw.str.to_date("%Y-%m-%d", strict=False)).to_list() == [None] * 3


@pytest.mark.parametrize("period", ["201113", "201100", "20110", "2011-08"])
def test_a_period_month_13_or_0_is_refused_by_its_pattern(period: str) -> None:
    assert not re.fullmatch(PERIOD_PATTERN, period)


def test_a_period_or_year_that_matches_its_pattern_always_types() -> None:
    # So periods and years need no calendar rule: the pattern is the whole check.
    periods = pl.DataFrame({"p": ["201101", "209912", "200001"]})
    assert periods.select(typed("p", "period")).to_series().null_count() == 0
    assert re.fullmatch(YEAR_PATTERN, "2011") and not re.fullmatch(YEAR_PATTERN, "20111")


# -- amounts and quantities ----------------------------------------------------------------


def test_polars_types_an_amount_beyond_decimal_18_2_as_null_not_an_error() -> None:
    # What the cap rule relies on: the non-strict cast never raises.
    raw = pl.DataFrame({"b": ["99999999999999999999,00", "9 999 999 999 999 999,00"]})
    assert raw.select(typed("b", "money")).to_series().to_list() == [
        None,
        Decimal("9999999999999999.00"),
    ]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("1 000 000 000 000,00", False),  # exactly the cap
        ("-1 000 000 000 000,00", False),
        ("1 000 000 000 000,01", True),
        ("\u22121\u00a0000\u00a0000\u00a0000\u00a0000,01", True),  # U+2212 and no-break spaces
        ("9 999 999 999 999 999,00", True),  # fits DECIMAL(18, 2), beyond the cap
        ("99999999999999999999,00", True),  # beyond DECIMAL(18, 2): typed null
        ("12,345", False),  # malformed: the pattern rule names it, not this one
    ],
)
def test_an_amount_beyond_the_line_cap_is_named_with_its_raw_text(text: str, flagged: bool) -> None:
    raw = pl.DataFrame({"belopp": [text]})
    typed_cells = raw.select(typed("belopp", "money")).to_series()
    expected = [text] if flagged else [None]
    assert beyond_cap(raw["belopp"], typed_cells, "money").to_list() == expected
    assert MAX_LINE_KRONOR == 10**12


def test_the_file_total_is_named_at_its_largest_line() -> None:
    amounts = ["999999999999.00"] * 10 + ["-999999999999.99", "12.00"]
    typed_cells = pl.Series(amounts).cast(pl.Decimal(18, 2))
    found = file_total_beyond_cap(typed_cells).to_list()
    assert MAX_FILE_KRONOR == 10**13
    assert found[10] == "sum of |amounts| in the file: 11000000000001.99 kronor"
    assert [v for i, v in enumerate(found) if i != 10] == [None] * 11
    assert file_total_beyond_cap(typed_cells.head(10)).null_count() == 10


LEDGER_HEADER = (
    "Period;Nämnd;Ansvar;Verksamhet;Konto;Projekt;Motpart;Belopp;Verifikation;Datum;Text"
)


def _ledger_line(belopp: str = "100,00", datum: str = "2011-08-20", namnd: str = "142") -> str:
    return f"201108;{namnd};14240;240;6110;;;{belopp};V1;{datum};Telefoni"


def test_the_issues_ledger_is_rejected_with_the_cap_rule_not_a_traceback() -> None:
    # Issue 12: two lines of 9 999 999 999 999 999,00 passed ingest and broke fct_ledger.
    rows = [_ledger_line("9 999 999 999 999 999,00")] * 2 + [
        _ledger_line("99999999999999999999,00")
    ]
    failures = _failures(HUVUDBOK, "huvudbok_201108.csv", _csv(LEDGER_HEADER, rows))

    line_cap = _named(failures, "Belopp is at most ±1 000 000 000 000 kronor a line")
    assert (line_cap.column, line_cap.lines) == ("belopp_beyond_cap", (2, 3, 4))
    assert line_cap.values == (
        "9 999 999 999 999 999,00",
        "9 999 999 999 999 999,00",
        "99999999999999999999,00",
    )
    total = _named(failures, "the file's Belopp amounts sum to at most 10 000 000 000 000 kronor")
    assert total.lines == (2,)
    assert "/ Belopp får vara högst" in line_cap.rule  # Swedish and English


def test_a_ledger_of_lines_under_the_cap_summing_beyond_the_file_cap_is_rejected() -> None:
    rows = [_ledger_line("999 999 999 999,00")] * 11
    failures = _failures(HUVUDBOK, "huvudbok_201108.csv", _csv(LEDGER_HEADER, rows))
    assert [f.rule.split(" (")[0] for f in failures] == [
        "the file's Belopp amounts sum to at most 10 000 000 000 000 kronor"
    ]


@pytest.mark.parametrize("datum", ["2011-08-32", "2011-20-09", "2011-02-30"])
def test_a_ledger_date_that_is_no_day_is_named_not_a_null_insert(datum: str) -> None:
    failures = _failures(
        HUVUDBOK, "huvudbok_201108.csv", _csv(LEDGER_HEADER, [_ledger_line(datum=datum)])
    )
    failure = _named(failures, "Datum is a real calendar date")
    assert (failure.lines, failure.values) == ((2,), (datum,))


LON_HEADER = "Period;Nämnd;Anställningsform;Kön;Anställda;Årsarbetare;Utbetalda löner;Lönesumma"


@pytest.mark.parametrize(
    ("column", "rule"),
    [
        (4, "Anställda is at most 1 000 000 000 a line"),
        (5, "Årsarbetare is at most 1 000 000 000 a line"),
        (6, "Utbetalda löner is at most 1 000 000 000 a line"),
        (7, "Lönesumma is at most ±1 000 000 000 000 kronor a line"),
    ],
)
def test_quantities_beyond_their_caps_are_named(column: int, rule: str) -> None:
    cells = ["201108", "142", "Tillsvidare", "K", "151", "145,0", "151", "4718750,00"]
    cells[column] = "99999999999999999999"
    failures = _failures(LON, "lon_201108.csv", _csv(LON_HEADER, [";".join(cells)]))
    assert _named(failures, rule).values == ("99999999999999999999",)


def test_giltig_fran_that_is_no_day_is_rejected_not_silently_null() -> None:
    header = "Nämnd;Verksamhet;Namn;Överordnad;Giltig från;Giltig till"
    rows = ["142;100;Nämnd och administration;;2010-02-30;", "142;240;Ekonomi;;2010-01-01;"]
    failures = _failures(VERKSAMHETER, "verksamheter.csv", _csv(header, rows))
    failure = _named(failures, "Giltig från is a real calendar date")
    assert (failure.lines, failure.values) == ((2,), ("2010-02-30",))


# -- codes valid at the period -------------------------------------------------------------


@pytest.mark.parametrize(
    ("namnd", "period", "ended"),
    [
        ("1011", 200612, False),  # the month before the end: still the unit's
        ("1011", 200701, True),  # ended 2007-01-01: January is no longer
        ("1011", 201108, True),
        ("1099", 200703, False),  # ended 2007-03-15: March started before the end
        ("1099", 200704, True),
        ("142", 201108, False),  # never ended
        ("999", 201108, False),  # unknown: the register rule names it, not this one
    ],
)
def test_a_board_books_every_period_that_starts_before_its_end(
    namnd: str, period: int, ended: bool
) -> None:
    rows = pl.DataFrame({"namnd": [namnd], "period": [period]})
    columns, _ = valid_in_period(REFERENCE, rows, when="period", grain="period")
    assert (columns["namnd_ended"][0] is not None) is ended


@pytest.mark.parametrize(("year", "ended"), [(2006, False), (2007, True), (2011, True)])
def test_a_board_ended_on_new_years_day_has_no_year_after(year: int, ended: bool) -> None:
    rows = pl.DataFrame({"namnd": ["1011", "1099"], "ar": [year, year]})
    columns, _ = valid_in_period(REFERENCE, rows, when="ar", grain="year")
    # 1099 ended 2007-03-15: 2007 still had days of it, 2008 none.
    assert columns["namnd_ended"].to_list()[0] == (
        f"1011 in {year}: Nedlagd 2007-01-01 (organisation register)" if ended else None
    )
    assert (columns["namnd_ended"][1] is not None) is (year > 2007)


@pytest.mark.parametrize(
    ("verksamhet", "period", "outside"),
    [
        ("230", 200912, True),  # before Giltig från 2010-01-01
        ("230", 201001, False),
        ("230", 201912, False),  # Giltig till 2019-12-31 is the last valid day
        ("230", 202001, True),
        ("100", 209912, False),  # open end
        ("240", 199001, False),  # neither date given
        ("210", 199001, False),  # known, no span in the reference: unrestricted
    ],
)
def test_an_activity_books_the_periods_between_its_validity_dates(
    verksamhet: str, period: int, outside: bool
) -> None:
    rows = pl.DataFrame({"namnd": ["142"], "verksamhet": [verksamhet], "period": [period]})
    columns, _ = valid_in_period(REFERENCE, rows, when="period", grain="period", verksamhet=True)
    assert (columns["verksamhet_outside_validity"][0] is not None) is outside


def test_a_dissolved_board_cannot_report_payroll_for_2011() -> None:
    rows = ["201108;1011;Tillsvidare;K;151;145,0;151;4718750,00"]
    failure = _named(
        _failures(LON, "lon_201108.csv", _csv(LON_HEADER, rows)),
        "Nämnd is a board that exists in the period",
    )
    assert (failure.column, failure.lines) == ("namnd_ended", (2,))
    assert failure.values == ("1011 in 201108: Nedlagd 2007-01-01 (organisation register)",)
    # ... while December 2006 was still its own.
    rows = ["200612;1011;Tillsvidare;K;151;145,0;151;4718750,00"]
    assert _failures(LON, "lon_200612.csv", _csv(LON_HEADER, rows)) == []


def test_every_dated_source_checks_the_board_at_its_period() -> None:
    sick = (
        "Period;Nämnd;Kön;Åldersgrupp;Anställda;Ordinarie arbetstid;Sjukfrånvaro;"
        "Varav dag 1-14;Varav 60 dagar eller mer"
    )
    cases = [
        (
            SJUKFRANVARO,
            "sjukfranvaro_201108.csv",
            sick,
            "201108;1011;K;-29;20;3114,75;121,51;48,60;40,10",
        ),
        (
            MEDARBETARENKAT,
            "medarbetarenkat_2011.csv",
            "År;Nämnd;Index;Värde;Svarsfrekvens",
            "2011;1011;NMI;67;84",
        ),
        (
            BUDGET,
            "budget_2011_1.csv",
            "År;Beslut;Beslutsdatum;Typ;Nämnd;Verksamhet;Slag;Belopp",
            "2011;KF 2010-11-29 §1;2010-11-29;Ursprunglig;1011;100;Kostnader;100,00",
        ),
    ]
    for source, name, header, row in cases:
        failure = _named(
            _failures(source, name, _csv(header, [row])), "Nämnd is a board that exists"
        )
        assert failure.lines == (2,), name


def test_a_ledger_line_on_an_activity_outside_its_validity_is_named() -> None:
    row = "202001;142;14230;230;6110;;;100,00;V1;2020-01-15;Telefoni"
    failure = _named(
        _failures(HUVUDBOK, "huvudbok_202001.csv", _csv(LEDGER_HEADER, [row])),
        "Verksamhet is valid in the period",
    )
    assert failure.values == ("142 / 230 in 202001: Giltig 2010-01-01 – 2019-12-31",)


# -- a re-delivered activity register ------------------------------------------------------

REGISTER_HEADER = "Nämnd;Verksamhet;Namn;Överordnad;Giltig från;Giltig till"


def test_a_register_that_drops_a_booked_activity_is_rejected_at_its_board() -> None:
    asked = []

    def in_use(namnds):
        asked.append(tuple(namnds))
        return frozenset({("142", "240"), ("142", "100")})

    reference = Reference(namnd_codes=frozenset({"142"}), activities_in_use=in_use)
    rows = ["142;100;Nämnd och administration;;2010-01-01;", "142;210;Lön;;2010-01-01;"]

    failures = _failures(VERKSAMHETER, "verksamheter.csv", _csv(REGISTER_HEADER, rows), reference)

    failure = _named(failures, "a re-delivered activity register keeps every activity")
    assert (failure.lines, failure.values) == ((2,), ("142 / 240",))
    assert asked == [("142",)]
    # Listed again, ended with Giltig till: accepted (history keeps its name).
    rows.append("142;240;Ekonomiadministration;;2010-01-01;2011-12-31")
    assert _failures(VERKSAMHETER, "verksamheter.csv", _csv(REGISTER_HEADER, rows), reference) == []


# -- SIE #KSUMMA ---------------------------------------------------------------------------


def _spec_crc(data: bytes) -> int:
    """The SIE 4B §10 C code (CRC_skapa_tabell, CRC_ackumulera, CRC_retur), line by line."""
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    crc = 0xFFFFFFFF
    for byte in data:
        crc = ((crc >> 8) & 0x00FFFFFF) ^ table[(crc ^ byte) & 0xFF]
    return crc ^ 0xFFFFFFFF


def test_the_checksummed_bytes_are_those_the_spec_underlines() -> None:
    # §10.15: in `#KONTO 1915 "Kassa \"special\""` only label, fields and the escaped
    # quote count; the blanks between fields and the quotes around a field do not.
    [record] = read_records('#KONTO 1915 "Kassa \\"special\\""\n')
    assert checksummed(record) == b'#KONTO1915Kassa "special"'
    # Object lists without their braces; code page 437.
    [trans] = read_records('\t#TRANS 1910 {1 "100" 6 "P1"} -300.00 20210101 "Å"\n')
    assert checksummed(trans) == b"#TRANS191011006P1-300.0020210101\x8f"
    assert zlib.crc32(b"#KONTO1915Kassa") == _spec_crc(b"#KONTO1915Kassa")


SIE_BODY = """#FLAGGA 0
#KSUMMA
#PROGRAM "Test" 1.0
#FORMAT PC8
#SIETYP 4
#FNAMN "Servicenämnden"
#RAR 0 20110101 20111231
#VER A 1 20110815 "Porto"
{
#TRANS 6110 {2 "240"} 100.00
#TRANS 1930 {} -100.00
}
"""


def _sie_with_checksum(body: str = SIE_BODY, value: int | None = None) -> bytes:
    records = [r for r in read_records(body) if r.label not in ("{", "}", "#FLAGGA")]
    summed = b"".join(checksummed(r) for r in records[1:])  # after the opening #KSUMMA
    crc = _spec_crc(summed) if value is None else value
    return (body + f"#KSUMMA {crc}\n").replace("\n", "\r\n").encode("cp437")


def _checksum_of(data: bytes) -> Checksum:
    checksum = Checksum()
    for record in read_records(data.decode("cp437")):
        checksum.read(record)
    return checksum


def test_a_file_whose_ksumma_holds_is_accepted() -> None:
    assert _checksum_of(_sie_with_checksum()).verdict() is None
    reference = Reference(namnd_codes=frozenset({"142"}), verksamheter=frozenset({("142", "240")}))
    assert _failures(SIE, "sie_142_2011.se", _sie_with_checksum(), reference) == []


def test_a_changed_record_breaks_the_ksumma() -> None:
    data = _sie_with_checksum().replace(b"100.00", b"900.00").replace(b"-100.00", b"-900.00")
    reference = Reference(namnd_codes=frozenset({"142"}), verksamheter=frozenset({("142", "240")}))
    failure = _named(_failures(SIE, "sie_142_2011.se", data, reference), "#KSUMMA holds")
    assert failure.lines == (13,)
    assert "#KSUMMA at line 13 says" in failure.values[0]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (SIE_BODY.encode("cp437"), "is never closed by a #KSUMMA with its value: the file is cut"),
        (_sie_with_checksum() + b"#PROSA x\r\n", "is not covered by the checksum"),
        (b"#KSUMMA 123\r\n" + SIE_BODY.encode("cp437"), "is neither the opening #KSUMMA"),
    ],
    ids=["cut short", "record after the closing", "closing without opening"],
)
def test_a_ksumma_out_of_place_is_a_problem(data: bytes, problem: str) -> None:
    assert problem in (_checksum_of(data).verdict() or "")


def test_a_file_without_ksumma_is_not_checked() -> None:
    body = SIE_BODY.replace("#KSUMMA\n", "")
    checksum = _checksum_of(body.encode("cp437"))
    assert (checksum.present, checksum.verdict()) == (False, None)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_sie_file_written_in_another_encoding_keeps_its_letters_and_its_ksumma(
    encoding: str,
) -> None:
    # `#FORMAT PC8`, but an exporter wrote UTF-8 or Windows-1252: read as code page 437
    # the voucher's text would be 'Frim├ñrken' or 'FrimΣrken', without an error.
    body = SIE_BODY.replace('"Porto"', '"Frimärken"')
    records = [r for r in read_records(body) if r.label not in ("{", "}", "#FLAGGA")]
    crc = _spec_crc(b"".join(checksummed(r, encoding) for r in records[1:]))
    data = (body + f"#KSUMMA {crc}\n").replace("\n", "\r\n").encode(encoding)

    parsed = parse_sie(data, "sie_142_2011.se", {})

    assert parsed.encoding == encoding
    assert parsed.tables["huvudbok"]["text"].to_list() == ["Frimärken", "Frimärken"]
    reference = Reference(namnd_codes=frozenset({"142"}), verksamheter=frozenset({("142", "240")}))
    assert _failures(SIE, "sie_142_2011.se", data, reference) == []  # #KSUMMA holds


def test_a_sie_amount_beyond_decimal_18_2_is_named_not_a_traceback() -> None:
    body = SIE_BODY.replace("#KSUMMA\n", "").replace("100.00", "99999999999999999999.00")
    reference = Reference(namnd_codes=frozenset({"142"}), verksamheter=frozenset({("142", "240")}))
    failures = _failures(SIE, "sie_142_2011.se", body.encode("cp437"), reference)
    failure = _named(failures, "Belopp is at most ±1 000 000 000 000 kronor a line")
    assert failure.values == ("99999999999999999999.00", "-99999999999999999999.00")


def test_a_dissolved_board_cannot_book_through_sie() -> None:
    body = SIE_BODY.replace("#KSUMMA\n", "").replace('{2 "240"}', '{2 "100"}')
    failures = _failures(SIE, "sie_1011_2011.se", body.encode("cp437"))
    failure = _named(failures, "Nämnd is a board that exists in the period")
    assert failure.lines == (9, 10)

"""The HR sources' contracts and suites on small files built in memory (no I/O).

lon, sjukfranvaro and medarbetarenkat: what a controller would reject, what must still
load (a group of one person, hourly-paid FTE above headcount, a new survey index), and
the supersession keys a file delivers.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from sources._common.batch import Reference
from sources._common.source import Source
from sources.lon import SOURCE as LON
from sources.lon.expectations import person_columns
from sources.medarbetarenkat import SOURCE as MEDARBETARENKAT
from sources.registry import source_for
from sources.sjukfranvaro import SOURCE as SJUKFRANVARO

pytestmark = pytest.mark.unit

REFERENCE = Reference(namnd_codes=frozenset({"101", "142"}))

LON_HEADER = "Period;Nämnd;Anställningsform;Kön;Anställda;Årsarbetare;Utbetalda löner;Lönesumma"
LON_ROWS = [
    "201108;142;Tillsvidare;K;151;145,0;151;4 718 750,00",
    "201108;142;Visstid;M;1;1,0;1;14062,50",
    "201108;142;Timavlönad;K;1;0,4;2;5625,00",
]
SJUK_HEADER = (
    "Period;Nämnd;Kön;Åldersgrupp;Anställda;Ordinarie arbetstid;Sjukfrånvaro;"
    "Varav dag 1-14;Varav 60 dagar eller mer"
)
SJUK_ROWS = [
    "201108;142;K;-29;20;3114,75;121,51;48,60;40,10",
    "201108;142;M;-29;6;949,39;23,15;9,26;7,64",
    "201108;101;M;50-;34;5\u00a0405,10;263,57;105,43;86,98",
]
ENKAT_HEADER = "År;Nämnd;Index;Värde;Svarsfrekvens"
ENKAT_ROWS = ["2010;142;NMI;67;84", "2010;142;Tillitsindex;71,5;"]


def _file(header: str, rows: list[str], bom: bool = True) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _failures(source: Source, data: bytes) -> list[str]:
    """Every failed rule's summary (structure first; later suites only if it passed)."""
    parsed = source.parse(data, f"{source.name}_test.csv", {})
    return [f.summary() for o in source.check(parsed, REFERENCE) for f in o.failures]


def test_the_three_files_are_told_by_their_names() -> None:
    assert source_for("lon_201108.csv") is LON
    assert source_for("Sjukfranvaro_201108_rattelse.CSV") is SJUKFRANVARO
    assert source_for("medarbetarenkat_2010.csv") is MEDARBETARENKAT


def test_good_files_pass_and_are_typed_exactly() -> None:
    for source, data in [
        (LON, _file(LON_HEADER, LON_ROWS)),
        (SJUKFRANVARO, _file(SJUK_HEADER, SJUK_ROWS, bom=False)),
        (MEDARBETARENKAT, _file(ENKAT_HEADER, ENKAT_ROWS)),
    ]:
        assert _failures(source, data) == [], source.name

    lon = LON.parse(_file(LON_HEADER, LON_ROWS), "lon_201108.csv", {}).rows
    assert lon.schema["lonesumma"] == pl.Decimal(18, 2)
    assert lon["lonesumma"].to_list()[0] == Decimal("4718750.00")
    assert lon["arsarbetare"].sum() == Decimal("146.4")
    sjuk = SJUKFRANVARO.parse(_file(SJUK_HEADER, SJUK_ROWS), "sjukfranvaro_201108.csv", {}).rows
    assert sjuk["ordinarie_arbetstid"].to_list()[2] == Decimal("5405.10")
    enkat = MEDARBETARENKAT.parse(_file(ENKAT_HEADER, ENKAT_ROWS), "m.csv", {}).rows
    # A new index loads under its own name; its response rate may be empty.
    assert enkat.select("index_namn", "varde", "svarsfrekvens").rows() == [
        ("NMI", Decimal("67"), Decimal("84")),
        ("Tillitsindex", Decimal("71.5"), None),
    ]


def test_supersession_keys_are_board_and_period_or_year() -> None:
    sjuk = SJUKFRANVARO.parse(_file(SJUK_HEADER, SJUK_ROWS), "sjukfranvaro_201108.csv", {})
    assert SJUKFRANVARO.supersession_keys(sjuk).rows() == [
        ("sjukfranvaro", "101|201108", 1),
        ("sjukfranvaro", "142|201108", 2),
    ]
    enkat = MEDARBETARENKAT.parse(_file(ENKAT_HEADER, ENKAT_ROWS), "m.csv", {})
    assert MEDARBETARENKAT.supersession_keys(enkat).rows() == [("medarbetarenkat", "142|2010", 2)]


def test_hourly_paid_fte_above_headcount_loads_but_monthly_paid_does_not() -> None:
    """Timavlönad FTE counts hours of people gone by month end; a monthly-paid person
    works at most full time."""
    hourly = [*LON_ROWS[:2], "201108;142;Timavlönad;K;1;1,6;3;22500,00"]
    assert _failures(LON, _file(LON_HEADER, hourly)) == []

    monthly = [LON_ROWS[0], "201108;142;Visstid;M;1;1,2;1;14062,50", LON_ROWS[2]]
    [failure] = _failures(LON, _file(LON_HEADER, monthly))
    assert failure.startswith("Årsarbetare is at most Anställda for Tillsvidare and Visstid")
    assert "line 3: (Decimal('1'), Decimal('1.2000'))" in failure


@pytest.mark.parametrize(
    ("headers", "identifying"),
    [
        (("Personnummer",), ["Personnummer"]),
        (("PNR", "Kostnadsställe"), ["PNR"]),
        (("Anst.nr", "Förnamn", "Efternamn"), ["Anst.nr", "Förnamn", "Efternamn"]),
        (("Anstallningsnummer", "Födelsedatum"), ["Anstallningsnummer", "Födelsedatum"]),
        (("Kostnadsställe", "Kommentar", "Avtal"), []),
    ],
)
def test_person_identifying_headers(headers: tuple[str, ...], identifying: list[str]) -> None:
    assert person_columns(headers) == identifying


def test_a_payroll_file_with_a_personnummer_column_is_rejected_even_masked() -> None:
    header = f"{LON_HEADER};Personnummer"
    masked = [f"{row};19800101-XXXX" for row in LON_ROWS]
    [failure] = _failures(LON, _file(header, masked))
    assert failure.startswith("no column identifying persons")
    assert "line 2: 'Personnummer'" in failure

    real = [f"{row};19800101-1234" for row in LON_ROWS]
    failures = _failures(LON, _file(header, real))
    assert failures[0].startswith("no personnummer-like value in Personnummer")
    assert "line 2: '19800101-****'" in failures[0]


def test_a_personnummer_inside_a_known_column_is_rejected() -> None:
    rows = [*SJUK_ROWS[:2], "201108;142;K;800101-1234;1;10;1;1;0"]
    failures = _failures(SJUKFRANVARO, _file(SJUK_HEADER, rows))
    assert any(
        f.startswith("no personnummer-like value in Åldersgrupp") and "'800101-****'" in f
        for f in failures
    ), failures


@pytest.mark.parametrize(
    ("row", "rule", "value"),
    [
        (
            "201108;142;K;30-49;80;100,00;120,00;10,00;10,00",
            "Sjukfrånvaro is at most Ordinarie arbetstid",
            "(Decimal('100.0000'), Decimal('120.0000'))",
        ),
        (
            "201108;142;K;30-49;80;1000,00;120,00;121,00;10,00",
            "Varav dag 1-14 is at most Sjukfrånvaro",
            "(Decimal('120.0000'), Decimal('121.0000'))",
        ),
        (
            "201108;142;K;30-49;80;1000,00;120,00;10,00;120,01",
            "Varav 60 dagar eller mer is at most Sjukfrånvaro",
            "(Decimal('120.0000'), Decimal('120.0100'))",
        ),
        ("201108;142;K;30-49;80;1000,00;\u221212,00;0;0", "Sjukfrånvaro is not negative", "-12"),
        ("201108;142;X;30-49;80;1000,00;12,00;0;0", "Kön is K or M", "'X'"),
        ("201113;142;K;30-49;80;1000,00;12,00;0;0", "Period is a period YYYYMM", "'201113'"),
        ("201108;999;K;30-49;80;1000,00;12,00;0;0", "Nämnd is a code of the", "'999'"),
    ],
)
def test_sick_leave_rules_name_line_and_value(row: str, rule: str, value: str) -> None:
    failures = _failures(SJUKFRANVARO, _file(SJUK_HEADER, [*SJUK_ROWS, row]))
    matching = [f for f in failures if f.startswith(rule)]
    assert matching, failures
    assert "line 5" in matching[0] and value in matching[0], matching[0]


def test_the_long_term_part_may_overlap_the_short_term_part() -> None:
    """Varav 60 dagar eller mer counts whole long spells, their first 14 days too, so
    the two parts are not disjoint: together they may exceed Sjukfrånvaro."""
    row = "201108;142;K;30-49;80;1000,00;100,00;60,00;70,00"
    assert _failures(SJUKFRANVARO, _file(SJUK_HEADER, [*SJUK_ROWS, row])) == []


@pytest.mark.parametrize(
    ("row", "rule", "value"),
    [
        ("2010;142;Ledarskapsindex;100,5;84", "Värde is an index between 0 and 100", "100.5"),
        (
            "2010;142;Ledarskapsindex;70;104",
            "Svarsfrekvens is a percentage between 0 and 100",
            "104",
        ),
        ("2010;142;NMI;70;84", "one row per År, Nämnd, Index in a file", "'NMI'"),
        ("1899;142;Ledarskapsindex;70;84", "År is a survey year between 2000 and 2100", "1899"),
    ],
)
def test_survey_rules_name_line_and_value(row: str, rule: str, value: str) -> None:
    failures = _failures(MEDARBETARENKAT, _file(ENKAT_HEADER, [*ENKAT_ROWS, row]))
    matching = [f for f in failures if f.startswith(rule)]
    assert matching, failures
    assert "line 4" in matching[0] and value in matching[0], matching[0]

"""The HR sources (lon, sjukfranvaro, medarbetarenkat): the reference files, one broken
file per rule, and corrections of all three that supersede their key after one build."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SERVICENAMNDEN, Load, ingested
from tests.helpers import event_state
from warehouse.ingest import ingest
from warehouse.pipeline import run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

Edit = Callable[[list[str]], list[str]]


def hr_files(*names: str) -> list[Path]:
    """Reference files by name, after the organisation register their Nämnd resolves in."""
    return [SERVICENAMNDEN / "organisation.csv"] + [SERVICENAMNDEN / n for n in names]


def rows(database: Path, sql: str) -> list[tuple]:
    """`sql`'s rows from a database file, read-only: the home's working database
    (`home.database`) or its published copy of the event log (`home.published_events`)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_reference_hr_files_load_with_the_reports_raw_figures(servicenamnden_2011: Paths) -> None:
    """Read off the session's reference home (every export of the folder ingested once,
    tests/conftest.py) instead of ingesting the 43 files again here (~45-60 s): the HR
    event tables hold only the HR files' rows, whatever else the folder loaded. Its
    published copy of the log is read: the same tables, and no lock shared with a test
    that runs dbt on that home's working database (test_docs.py)."""
    home = servicenamnden_2011
    names = sorted(
        p.name
        for pattern in ("lon_*.csv", "sjukfranvaro_*.csv", "medarbetarenkat_*.csv")
        for p in SERVICENAMNDEN.glob(pattern)
    )
    assert len(names) == 20 + 20 + 2

    status = {r["file"]: r["status"] for r in ingested(home)}

    assert {name: status.get(name) for name in ["organisation.csv", *names]} == {
        "organisation.csv": "accepted",
        **dict.fromkeys(names, "accepted"),
    }
    # expected.md, Payroll: August 2011.
    by_type = rows(
        home.published_events,
        "select anstallningsform, sum(anstallda) from events.lon where period = 201108 "
        "group by all order by all",
    )
    assert dict(by_type) == {"Tillsvidare": 234, "Visstid": 9, "Timavlönad": 7}
    by_gender = rows(
        home.published_events,
        "select kon, sum(anstallda) from events.lon where period = 201108 "
        "group by all order by all",
    )
    assert by_gender == [("K", 160), ("M", 90)]
    [(employees, fte, payslips)] = rows(
        home.published_events,
        "select sum(anstallda), sum(arsarbetare), sum(utbetalda_loner) "
        "from events.lon where period = 201108",
    )
    assert (employees, fte, payslips) == (250, Decimal("233.5"), 250)
    # ... and December 2010: 250 employees, 231,8 FTE.
    assert rows(
        home.published_events,
        "select sum(anstallda), sum(arsarbetare) from events.lon where period = 201012",
    ) == [(250, Decimal("231.8"))]
    # Staff survey: NMI 2009 = 65, NMI 2010 = 67.
    assert rows(
        home.published_events,
        "select ar, varde from events.medarbetarenkat where index_namn = 'NMI' order by ar",
    ) == [(2009, Decimal("65")), (2010, Decimal("67"))]
    # Sick leave 2010: 4,7 % of scheduled hours; 32,8 % of it 60 days or more.
    [(total, long_term)] = rows(
        home.published_events,
        "select round(100 * sum(sjukfranvaro) / sum(ordinarie_arbetstid), 1), "
        "round(100 * sum(varav_60_dagar) / sum(sjukfranvaro), 1) "
        "from events.sjukfranvaro where period between 201001 and 201012",
    )
    assert (total, long_term) == (4.7, 32.8)  # DuckDB divides decimals as doubles
    # Hours stay exact decimals; the group of 6 persons (M, -29) is loaded like any other.
    assert rows(
        home.published_events,
        "select anstallda, typeof(sjukfranvaro) from events.sjukfranvaro "
        "where period = 201108 and kon = 'M' and aldersgrupp = '-29'",
    ) == [(6, "DECIMAL(18,4)")]


def test_a_new_survey_index_is_accepted(home: Paths, loaded: Load, tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        "medarbetarenkat_2010.csv",
        "medarbetarenkat_2010_ny.csv",
        _append("2010;142;Tillitsindex;71;84"),
    )
    loaded(home, hr_files())
    [result] = ingest(home, [path])
    assert result.status == "accepted", result.reason
    assert rows(home.database, "select index_namn from events.medarbetarenkat order by all") == [
        ("NMI",),
        ("Tillitsindex",),
    ]


def _edited(tmp_path: Path, original: str, name: str, edit: Edit) -> Path:
    """A copy of a reference file (UTF-8, LF) with one edit, under the name given."""
    lines = (SERVICENAMNDEN / original).read_text(encoding="utf-8").split("\n")
    path = tmp_path / "inbox" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(edit(lines)), encoding="utf-8")
    return path


def _set_cell(column: int, value: str, line: int = 2) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        cells = lines[line - 1].split(";")
        cells[column] = value
        return [*lines[: line - 1], ";".join(cells), *lines[line:]]

    return edit


def _repeat_line(line: int = 2) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        return [*lines[:line], lines[line - 1], *lines[line:]]

    return edit


def _append(row: str) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        body = [line for line in lines if line]
        return [*body, row, ""]

    return edit


def _add_column(header: str, value: str) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        body = [line for line in lines if line]
        return [f"{body[0]};{header}", *(f"{line};{value}" for line in body[1:]), ""]

    return edit


LON = "lon_201108.csv"
SJUK = "sjukfranvaro_201108.csv"
ENKAT = "medarbetarenkat_2010.csv"

# (reference file, edit, words the rejection's first rule must contain: rule and value)
BROKEN = [
    # lon
    (
        LON,
        _set_cell(2, "Fast"),
        ["Anställningsform is Tillsvidare, Visstid or Timavlönad", "'Fast'"],
    ),
    (LON, _set_cell(3, "X"), ["Kön is K or M", "line 2: 'X'"]),
    (LON, _set_cell(0, "199908"), ["Period is a month of a year between 2000 and 2100", "1999"]),
    (LON, _set_cell(5, "-144,0"), ["Årsarbetare is not negative", "line 2", "-144"]),
    (
        LON,
        _set_cell(5, "152,0"),
        ["Årsarbetare is at most Anställda for Tillsvidare and Visstid", "line 2", "151", "152"],
    ),
    (
        LON,
        _add_column("Personnummer", "19800101-XXXX"),
        ["no column identifying persons", "line 2: 'Personnummer'"],
    ),
    (
        LON,
        _add_column("Personnummer", "19800101-1234"),
        ["no personnummer-like value in Personnummer", "line 2: '19800101-****'"],
    ),
    (LON, _set_cell(7, "-4687500,00"), ["Lönesumma is not negative", "-4687500"]),
    (LON, _repeat_line(3), ["one row per Period, Nämnd, Anställningsform, Kön in a file", "line"]),
    (LON, _set_cell(1, "999"), ["Nämnd is a code of the organisation register", "'999'"]),
    # sjukfranvaro
    (SJUK, _set_cell(2, "Kvinna"), ["Kön is K or M", "'Kvinna'"]),
    (SJUK, _set_cell(3, "65-"), ["Åldersgrupp is -29, 30-49 or 50-", "'65-'"]),
    (SJUK, _set_cell(5, "-3114,75"), ["Ordinarie arbetstid is not negative", "-3114.75"]),
    (SJUK, _set_cell(7, "-48,60"), ["Varav dag 1-14 is not negative", "-48.6"]),
    (SJUK, _set_cell(8, "-40,10"), ["Varav 60 dagar eller mer is not negative", "-40.1"]),
    (
        SJUK,
        _set_cell(6, "4000,00"),
        ["Sjukfrånvaro is at most Ordinarie arbetstid", "line 2", "3114.75", "4000"],
    ),
    (
        SJUK,
        _set_cell(7, "130,00"),
        ["Varav dag 1-14 is at most Sjukfrånvaro", "line 2", "121.51", "130"],
    ),
    (
        SJUK,
        _set_cell(8, "125,00", line=2),
        ["Varav 60 dagar eller mer is at most Sjukfrånvaro", "line 2", "121.51", "125"],
    ),
    (SJUK, _repeat_line(4), ["one row per Period, Nämnd, Kön, Åldersgrupp in a file", "'50-'"]),
    (SJUK, _set_cell(1, "999"), ["Nämnd is a code of the organisation register", "'999'"]),
    # medarbetarenkat
    (ENKAT, _set_cell(0, "1999"), ["År is a survey year between 2000 and 2100", "1999"]),
    (ENKAT, _set_cell(3, "167"), ["Värde is an index between 0 and 100", "line 2", "167"]),
    (ENKAT, _set_cell(4, "104"), ["Svarsfrekvens is a percentage between 0 and 100", "104"]),
    (ENKAT, _repeat_line(2), ["one row per År, Nämnd, Index in a file", "'NMI'"]),
    (ENKAT, _set_cell(1, "999"), ["Nämnd is a code of the organisation register", "'999'"]),
]


@pytest.mark.parametrize(
    ("original", "edit", "words"),
    BROKEN,
    ids=[f"{b[0].split('_')[0]}-{b[2][0][:40]}" for b in BROKEN],
)
def test_bad_hr_file_is_rejected_with_rule_and_value(
    home: Paths, loaded: Load, tmp_path: Path, original: str, edit: Edit, words: list[str]
) -> None:
    loaded(home, hr_files("lon_201107.csv", "sjukfranvaro_201107.csv", "medarbetarenkat_2009.csv"))
    before = event_state(home)
    stem, suffix = original.rsplit(".", 1)
    bad = _edited(tmp_path, original, f"{stem}_fel.{suffix}", edit)

    [result] = ingest(home, [bad])

    assert result.status == "rejected"
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert result.reason.startswith(words[0]), result.reason  # the rule broken, first
    assert event_state(home) == before  # nothing of it entered the warehouse


def test_groups_of_one_and_hourly_fte_above_headcount_load(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    """Aggregates of one person are still aggregates; hourly-paid FTE counts the hours
    of people gone by month end, so it may exceed the month-end headcount."""
    small = _edited(
        tmp_path,
        LON,
        "lon_201108_liten.csv",
        lambda lines: [
            lines[0],
            "201108;142;Tillsvidare;K;1;1,0;1;31250,00",
            "201108;142;Visstid;M;1;0,5;1;14062,50",
            "201108;142;Timavlönad;K;1;1,4;3;19687,50",
            "",
        ],
    )
    loaded(home, hr_files())
    [result] = ingest(home, [small])
    assert result.status == "accepted", result.reason
    assert rows(home.database, "select sum(anstallda), sum(arsarbetare) from events.lon") == [
        (3, Decimal("2.9"))
    ]


def test_negative_whole_numbers_break_two_rules(home: Paths, loaded: Load, tmp_path: Path) -> None:
    """`-6` persons is not a whole number of the format, and the report also says why."""
    loaded(home, hr_files())
    before = event_state(home)
    bad = _edited(tmp_path, LON, "lon_201108_fel.csv", _set_cell(4, "-150"))

    [result] = ingest(home, [bad])

    assert result.status == "rejected"
    assert "Anställda is a whole number" in result.reason and "'-150'" in result.reason
    report = json.loads((result.report.parent / "report.json").read_text(encoding="utf-8"))
    assert "Anställda is not negative" in [f["rule"] for f in report["failures"]]
    assert event_state(home) == before


def test_corrections_supersede_their_key_after_one_build(
    reference_copy: Paths, tmp_path: Path
) -> None:
    """On a copy of the built reference home (its 42 HR files loaded, every mart built):
    the corrections land and one nightly run loads them and builds what they touch (the
    selective build, warehouse/selection.py), instead of loading 7 files into an empty
    home and building everything (~1 min)."""
    home = reference_copy
    by_name = dict(
        rows(
            home.database,
            "select file_name, batch_id from events.batches where status = 'accepted' "
            "and file_name in ('sjukfranvaro_201107.csv', 'sjukfranvaro_201108.csv', "
            "'lon_201108.csv', 'medarbetarenkat_2009.csv')",
        )
    )
    assert len(by_name) == 4
    # The correction drops the two M groups of 30 and over and corrects one figure.
    correction = _edited(
        tmp_path,
        SJUK,
        "sjukfranvaro_201108_rattelse.csv",
        lambda lines: [*_set_cell(6, "120,00")(lines)[:5], ""],
    )
    # July's payroll re-delivered with the Tillsvidare rows only (2 rows where 6 were).
    payroll = _edited(
        tmp_path, "lon_201107.csv", "lon_201107_rattelse.csv", lambda lines: [*lines[:3], ""]
    )
    # 2010's survey re-delivered with a corrected NMI.
    survey = _edited(tmp_path, ENKAT, "medarbetarenkat_2010_rattelse.csv", _set_cell(3, "68"))
    for path in (correction, payroll, survey):
        shutil.move(path, home.landing / path.name)
    # Loaded in name order (lon, medarbetarenkat, sjukfranvaro), like any night's files.
    night = run(home, settle_seconds=0)
    fixes = {r.path.name: r for r in night.files}
    assert {r.status for r in fixes.values()} == {"accepted"} and len(fixes) == 3
    assert night.published is not None, night.skipped
    second = fixes[correction.name]
    payroll_fix, survey_fix = fixes[payroll.name], fixes[survey.name]
    assert second.batch_id > by_name[SJUK]

    current = rows(
        home.database,
        "select period, batch_id, count(*), sum(sick_hours), max(delivery_count) "
        "from intermediate.int_sick_leave_hours_current where period in (201107, 201108) "
        "group by all order by all",
    )
    july_batch = by_name["sjukfranvaro_201107.csv"]
    assert current == [
        (201107, july_batch, 6, Decimal("2201.88"), 1),
        (201108, second.batch_id, 4, Decimal("1369.91"), 2),
    ]
    # Both deliveries stay in the event log; only the current view forgot the first.
    assert rows(
        home.database,
        "select count(*) from staging.stg_sjukfranvaro__sick_leave_hours where period = 201108",
    ) == [(10,)]
    # Payroll: July is the correction's two rows only; August keeps the report's figures.
    assert rows(
        home.database,
        "select period, batch_id, count(*), sum(employees), sum(fte), sum(payslips), "
        "sum(gross_pay), max(delivery_count) "
        "from intermediate.int_payroll_counts_current where period in (201107, 201108) "
        "group by all order by all",
    ) == [
        (201107, payroll_fix.batch_id, 2, 230, Decimal("220.8"), 230, Decimal("7187500.00"), 2),
        (201108, by_name[LON], 6, 250, Decimal("233.5"), 250, Decimal("7537500.00"), 1),
    ]
    # Survey: 2010 is the corrected NMI; 2009 is untouched.
    assert rows(
        home.database,
        "select year, batch_id, index_value, delivery_count "
        "from intermediate.int_survey_indices_current where index_name = 'NMI' order by year",
    ) == [
        (2009, by_name["medarbetarenkat_2009.csv"], Decimal("65"), 1),
        (2010, survey_fix.batch_id, Decimal("68"), 2),
    ]

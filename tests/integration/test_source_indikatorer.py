"""Indicator follow-ups (indikatorer) into a real event log, and their current state."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SERVICENAMNDEN, Load, ingested, ledger_files
from tests.helpers import event_state
from warehouse.ingest import ingest
from warehouse.pipeline import run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

REFERENCE = "indikatorer_2011_T2.csv"
Edit = Callable[[list[str]], list[str]]


def reference_lines() -> list[str]:
    """The reference export's lines (UTF-8 with BOM), header first."""
    return (SERVICENAMNDEN / REFERENCE).read_text(encoding="utf-8-sig").splitlines()


def delivered(tmp_path: Path, name: str, edit: Edit = lambda lines: lines) -> Path:
    """A copy of the reference export with one edit, written as the system writes it."""
    path = tmp_path / "inbox" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(("\r\n".join(edit(reference_lines())) + "\r\n").encode("utf-8-sig"))
    return path


def set_cell(header: str, value: str, line: int = 5) -> Edit:
    """Set the cell of column `header` on file line `line` (header = line 1)."""

    def edit(lines: list[str]) -> list[str]:
        column = lines[0].split(";").index(header)
        cells = lines[line - 1].split(";")
        cells[column] = value
        lines[line - 1] = ";".join(cells)
        return lines

    return edit


def test_reference_file_loads_with_parsed_values(servicenamnden_2011: Paths) -> None:
    """Read off the session's reference home (the folder ingested once, tests/conftest.py):
    its published copy of the event log holds the same tables, `indikatorer` only this
    file's rows."""
    home = servicenamnden_2011
    status = {r["file"]: r["status"] for r in ingested(home)}
    assert [status.get(p.name) for p in ledger_files(REFERENCE)] == ["accepted"] * 3

    with duckdb.connect(str(home.published_events), read_only=True) as con:
        rows = {
            indikator: rest
            for indikator, *rest in con.execute(
                """
                select indikator, periodens_utfall, utfall_value, utfall_unit, arsmal_value,
                       arsmal_unit, kf_arsmal_value, kf_arsmal_unit, kf_arsmal_kind,
                       period_report, period_year, assessment, unparsed
                from events.indikatorer
                """
            ).fetchall()
        }
        count, unparsed, value_type = con.execute(
            "select count(*), count(*) filter (where len(unparsed) > 0), "
            "any_value(typeof(utfall_value)) from events.indikatorer"
        ).fetchone()
        keys = con.execute(
            "select key, row_count from events.supersession_keys where source = 'indikatorer'"
        ).fetchall()

    D = Decimal
    assert rows["Sjukfrånvaro (alla nämnder/bolag)"] == [
        "5,5 %", D("5.5"), "%", D("4"), "%", D("4.8"), "%", "number", None, 2011,
        "partly_met", [],
    ]  # fmt: skip
    assert rows["Elförbrukning (alla nämnder/bolag)"][3:8] == [
        D("300000"), "kWh", D("680"), "GWh", "number",
    ]  # fmt: skip
    assert rows["Nämndens prognossäkerhet T2 (alla nämnder)"][5:8] == [D("1"), "%", "tolerance"]
    assert rows["Antal inträffade incidenter"][5:8] == [None, None, "decrease"]
    assert rows["Antal kundfakturer per månad och administratör/heltid, genomsnitt"][3:5] == [
        D("4300"), None,
    ]  # fmt: skip
    # A T1 figure in the T2 report stays T1.
    assert rows["Antal löner per månad och administratör/heltid, genomsnitt"][8:10] == ["T1", 2011]
    assert (count, unparsed, value_type) == (22, 0, "DECIMAL(18,4)")
    assert keys == [("142|2011|T2", 22)]


def test_unparseable_value_is_flagged_not_rejected(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    loaded(home, ledger_files())
    odd = delivered(
        tmp_path,
        REFERENCE,
        lambda lines: set_cell("Period", "hösten 2011", 12)(
            set_cell("Periodens utfall", "ca 5,5 %", 12)(lines)
        ),
    )

    [result] = ingest(home, [odd])

    assert result.status == "accepted", result.reason
    with duckdb.connect(str(home.database), read_only=True) as con:
        flagged = con.execute(
            """
            select line_number, periodens_utfall, utfall_value, utfall_kind, period_text,
                   period_year, unparsed
            from events.indikatorer where len(unparsed) > 0
            """
        ).fetchall()
    assert flagged == [
        (12, "ca 5,5 %", None, "unparsed", "hösten 2011", None, ["periodens_utfall", "period_text"])
    ]


def test_file_without_the_optional_bedomning_column_loads(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    loaded(home, ledger_files())
    without = delivered(
        tmp_path, REFERENCE, lambda lines: [line.rsplit(";", 1)[0] for line in lines]
    )

    [result] = ingest(home, [without])

    assert result.status == "accepted", result.reason
    with duckdb.connect(str(home.database), read_only=True) as con:
        assessed = con.execute(
            "select count(*), count(assessment) from events.indikatorer"
        ).fetchone()
    assert assessed == (22, 0)


def _duplicate_line(line: int) -> Edit:
    return lambda lines: [*lines, lines[line - 1]]


# (file name, edit, words the rejection must contain: the rule and the value or line)
BROKEN = [
    (
        "indikatorer_2011_T2_namnd.csv",
        set_cell("Nämnd", "999"),
        ["Nämnd is a code of the organisation register", "'999'", "line 5"],
    ),
    (
        "indikatorer_2011_T2_rapport.csv",
        set_cell("Rapport", "T3"),
        ["Rapport is one of T1, T2, VB", "'T3'", "line 5"],
    ),
    (
        "indikatorer_2011_T2_ar.csv",
        set_cell("År", "1999"),
        ["År is a year between 2000 and 2100", "'1999'", "line 5"],
    ),
    (
        "indikatorer_2011_T2_indikator.csv",
        set_cell("Indikator", ""),
        ["Indikator is filled", "line 5"],
    ),
    (
        "indikatorer_2011_T2_bedomning.csv",
        set_cell("Bedömning", "Uppfylls nästan"),
        ["Bedömning is empty or one of", "'Uppfylls nästan'", "line 5"],
    ),
    (
        "indikatorer_2011_T2_dubblett.csv",
        _duplicate_line(5),
        ["one row per År, Rapport, Nämnd, Mål, Indikator in a file", "line 5", "line 24"],
    ),
    (
        "indikatorer_2011_T2_pnr.csv",
        set_cell("Mål", "Nämndmål 19710315-1234"),
        ["personnummer", "Mål", "19710315-****"],
    ),
    (
        "indikatorer_2011_T2_kolumn.csv",
        lambda lines: [";".join(line.split(";")[:4] + line.split(";")[5:]) for line in lines],
        ["required columns present", "missing: Indikator"],
    ),
    ("indikatorer_2011_T2_tom.csv", lambda lines: lines[:1], ["at least one data row"]),
]


@pytest.mark.parametrize(("name", "edit", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_bad_file_is_rejected_with_rule_and_value(
    home: Paths, loaded: Load, tmp_path: Path, name: str, edit: Edit, words: list[str]
) -> None:
    loaded(home, ledger_files(REFERENCE))
    before = event_state(home)

    [result] = ingest(home, [delivered(tmp_path, name, edit)])

    assert result.status == "rejected"
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert event_state(home) == before  # nothing of it entered the warehouse


def test_correction_supersedes_the_report_it_corrects(
    reference_copy: Paths, tmp_path: Path
) -> None:
    """On a copy of the built reference home (its T2 report loaded, every mart built): a
    T1 report and the T2 correction land, and one nightly run loads them and builds only
    what they touch (warehouse/selection.py), instead of loading five files into an empty
    home and building everything (~30-50 s)."""
    home = reference_copy
    t1 = delivered(
        tmp_path,
        "indikatorer_2011_T1.csv",
        lambda lines: [lines[0], *(line.replace(";T2;", ";T1;", 1) for line in lines[1:6])],
    )
    # The complete re-export of (142, 2011, T2): fewer rows, one figure changed.
    correction = delivered(
        tmp_path,
        "indikatorer_2011_T2_rattelse.csv",
        lambda lines: set_cell("Periodens utfall", "5,6 %", 12)(lines[:12]),
    )
    for path in (t1, correction):
        shutil.move(path, home.landing / path.name)
    night = run(home, settle_seconds=0)
    assert [(r.path.name, r.status) for r in night.files] == [
        (t1.name, "accepted"),
        (correction.name, "accepted"),
    ]
    assert night.published is not None, night.skipped
    batch = {r.path.name: r.batch_id for r in night.files}

    with duckdb.connect(str(home.database), read_only=True) as con:
        current = con.execute(
            """
            select report, batch_id, count(*), max(delivery_count)
            from intermediate.int_indicator_values_current
            group by report, batch_id
            order by report
            """
        ).fetchall()
        sick_leave = con.execute(
            """
            select outcome_text, outcome_value, outcome_unit
            from intermediate.int_indicator_values_current
            where report = 'T2' and indicator_name = 'Sjukfrånvaro (alla nämnder/bolag)'
            """
        ).fetchall()
        history = con.execute(
            "select count(*) from staging.stg_indikatorer__indicator_values where report = 'T2'"
        ).fetchone()
    assert current == [
        ("T1", batch[t1.name], 5, 1),
        ("T2", batch[correction.name], 11, 2),
    ]
    assert sick_leave == [("5,6 %", Decimal("5.6"), "%")]
    assert history == (22 + 11,)  # the superseded delivery stays in the event log

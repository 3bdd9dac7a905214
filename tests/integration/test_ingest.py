"""Ingesting real and broken exports into a real DuckDB event log."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tertial.cli import main
from tests.conftest import SERVICENAMNDEN, Load, ledger_files
from tests.helpers import event_state
from warehouse.ingest import ingest
from warehouse.settings import Paths

pytestmark = pytest.mark.integration


def test_reference_ledger_loads_with_duplicate_and_correction(home: Paths) -> None:
    names = [
        "huvudbok_201103.csv",
        "huvudbok_201103_kopia.csv",
        "huvudbok_201106_leverans1.csv",
        "huvudbok_201106_leverans2.csv",
        "huvudbok_201108.csv",
    ]
    results = ingest(home, ledger_files(*names))
    status = {r.path.name: r.status for r in results}
    assert status == {
        "organisation.csv": "accepted",
        "verksamheter.csv": "accepted",
        "huvudbok_201103.csv": "accepted",
        "huvudbok_201103_kopia.csv": "duplicate",
        "huvudbok_201106_leverans1.csv": "accepted",
        "huvudbok_201106_leverans2.csv": "accepted",
        "huvudbok_201108.csv": "accepted",
    }
    by_name = {r.path.name: r for r in results}
    # The copy is the same batch as the original, found by its bytes.
    assert by_name["huvudbok_201103_kopia.csv"].batch_id == by_name["huvudbok_201103.csv"].batch_id
    # leverans2 is recorded after leverans1: the newer batch for (142, 201106).
    assert (
        by_name["huvudbok_201106_leverans2.csv"].batch_id
        > by_name["huvudbok_201106_leverans1.csv"].batch_id
    )

    con = duckdb.connect(str(home.database), read_only=True)
    rows, total, encodings = con.execute(
        """
        select count(*), sum(belopp), list(distinct b.encoding order by b.encoding)
        from events.huvudbok h join events.batches b using (batch_id)
        where b.file_name = 'huvudbok_201108.csv'
        """
    ).fetchone()
    # huvudbok_201108.ctl: 415 rows summing to -1 931 144,95 kronor, exactly.
    assert (rows, total) == (415, Decimal("-1931144.95"))
    assert encodings == ["cp1252"]
    keys = con.execute(
        "select key, count(*) from events.supersession_keys where source = 'huvudbok' "
        "group by key order by key"
    ).fetchall()
    assert keys == [("142|201103", 1), ("142|201106", 2), ("142|201108", 1)]
    typ = con.execute("select typeof(belopp) from events.huvudbok limit 1").fetchone()[0]
    assert typ == "DECIMAL(18,2)"
    con.close()


def test_loading_the_same_folder_twice_changes_nothing(home: Paths) -> None:
    files = ledger_files("huvudbok_201101.csv", "huvudbok_201102.csv", "expected.md")
    first = ingest(home, files)
    state = event_state(home)
    batches = (
        duckdb.connect(str(home.database), read_only=True)
        .execute("select count(*) from events.batches")
        .fetchone()
    )
    second = ingest(home, files)
    assert [r.status for r in second] == ["duplicate"] * 4 + ["rejected"]
    assert [r.batch_id for r in second] == [r.batch_id for r in first]
    assert event_state(home) == state
    after = (
        duckdb.connect(str(home.database), read_only=True)
        .execute("select count(*) from events.batches")
        .fetchone()
    )
    assert after == batches


def _broken(tmp_path: Path, name: str, edit) -> Path:
    """A copy of the reference August ledger with one edit (in its own cp1252 encoding)."""
    text = (SERVICENAMNDEN / "huvudbok_201108.csv").read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    lines = edit(lines)
    path = tmp_path / "inbox" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def _set_cell(column: int, value: str, line: int = 5):
    def edit(lines: list[str]) -> list[str]:
        cells = lines[line - 1].split(";")
        cells[column] = value
        lines[line - 1] = ";".join(cells)
        return lines

    return edit


# (file name, edit, words the rejection must contain: the rule and the value)
BROKEN = [
    (
        "huvudbok_201108_konto.csv",
        _set_cell(4, "61100"),
        ["Konto is a 4-digit", "'61100'", "line 5"],
    ),
    (
        "huvudbok_201108_datum.csv",
        _set_cell(9, "2011-09-02"),
        ["Datum falls inside Period", "line 5", "201109"],
    ),
    (
        "huvudbok_201108_namnd.csv",
        _set_cell(1, "999"),
        ["Nämnd is a code of the organisation register", "'999'"],
    ),
    (
        "huvudbok_201108_verksamhet.csv",
        _set_cell(3, "777"),
        ["Verksamhet is an activity of its Nämnd", "142 / 777"],
    ),
    (
        "huvudbok_201108_pnr.csv",
        _set_cell(10, "Lön 19710315-1234"),
        ["personnummer", "Text", "19710315-****"],
    ),
    (
        "huvudbok_201108_belopp.csv",
        _set_cell(7, "12.345,50"),
        ["Belopp is a money amount", "'12.345,50'", "points between its thousands: write 12345,50"],
    ),
    (
        "huvudbok_201108_decimalpunkt.csv",
        _set_cell(7, "-1234.50"),
        ["Belopp is a money amount", "'-1234.50' has a decimal point", "comma, -1234,50"],
    ),
    (
        "huvudbok_201108_parentes.csv",
        _set_cell(7, "(1 234,50)"),
        ["Belopp is a money amount", "accounting form of a negative amount: write -1 234,50"],
    ),
    (
        "huvudbok_201108_period.csv",
        _set_cell(0, "201113"),
        ["Period is a period YYYYMM", "'201113'"],
    ),
    (
        "huvudbok_201108_excel_datum.csv",
        _set_cell(9, "40775"),
        ["Datum is a date", "line 5: '40775'", "Excel's day number of 2011-08-20"],
    ),
    (
        "huvudbok_201108_datum_utan_streck.csv",
        _set_cell(9, "20110815"),
        ["Datum is a date", "'20110815' is a date without its dashes: write 2011-08-15"],
    ),
    (
        "huvudbok_201108_excel_belopp.csv",
        _set_cell(7, "1,75856E+08"),
        ["Belopp is a money amount", "Excel's scientific notation, which has lost digits"],
    ),
    ("huvudbok_201108_tom.csv", lambda lines: lines[:1], ["at least one data row"]),
    (
        "huvudbok_201108_kolumn.csv",
        lambda lines: [
            ";".join(c for i, c in enumerate(line.split(";")) if i != 4) for line in lines
        ],
        ["required columns present", "missing: Konto"],
    ),
    (
        "huvudbok_201108_rubrik.csv",
        lambda lines: [lines[0].replace("Nämnd", "Nämd"), *lines[1:]],
        ["missing: Nämnd; found: Period, Ansvar,", "; other columns: Nämd)"],
    ),
]


@pytest.mark.parametrize(("name", "edit", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_bad_file_is_rejected_with_rule_and_value(
    home: Paths, loaded: Load, tmp_path: Path, name, edit, words
) -> None:
    loaded(home, ledger_files("huvudbok_201107.csv"))
    before = event_state(home)
    bad = _broken(tmp_path, name, edit)

    [result] = ingest(home, [bad])

    assert result.status == "rejected"
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert event_state(home) == before  # nothing of it entered the warehouse
    report = json.loads((result.report.parent / "report.json").read_text(encoding="utf-8"))
    assert report["sha256"] and report["failures"][0]["rule"] in result.reason
    assert (report["failures"][0]["hint"] or "") in result.reason  # Excel's forms named
    assert (result.report.parent / name).read_bytes() == bad.read_bytes()  # kept, unchanged
    assert bad.exists()  # `ingest PATH` copies; only the nightly run moves from landing/
    # Said in the file's terms: not the check frame's own columns.
    assert "line_number" not in result.reason


def test_control_total_mismatch_rejects(home: Paths, tmp_path: Path) -> None:
    ingest(home, ledger_files())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "huvudbok_201108.csv").write_bytes(
        (SERVICENAMNDEN / "huvudbok_201108.csv").read_bytes()
    )
    (inbox / "huvudbok_201108.ctl").write_text(
        "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144,94\r\n", encoding="cp1252"
    )
    before = event_state(home)
    [result] = ingest(home, [inbox])
    assert result.status == "rejected"
    assert "sum of Belopp" in result.reason
    # As the .ctl and the export write kronor (decimal comma), control first.
    assert "'-1931144,94', '-1931144,95'" in result.reason
    assert event_state(home) == before

    # A .ctl saved with a decimal point: its own rule, and what to write instead.
    (inbox / "huvudbok_201108.ctl").write_text(
        "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144.95\r\n", encoding="cp1252"
    )
    [result] = ingest(home, [inbox])
    assert result.status == "rejected"
    assert "control file Summa is a money amount" in result.reason
    assert "'-1931144.95' has a decimal point: the exports write a decimal comma, -1931144,95" in (
        result.reason
    )
    assert event_state(home) == before


def test_cli_ingest_exit_codes_and_batches(home: Paths, tmp_path: Path, capsys) -> None:
    assert main(["ingest", *map(str, ledger_files("huvudbok_201101.csv"))]) == 0
    out = capsys.readouterr().out
    assert "accepted   huvudbok_201101.csv" in out and "3 file(s): 3 accepted" in out

    bad = _broken(tmp_path, "huvudbok_201108_x.csv", _set_cell(4, "61"))
    assert main(["ingest", str(bad), str(SERVICENAMNDEN / "huvudbok_201102.csv")]) == 1
    out = capsys.readouterr().out
    assert "rejected   huvudbok_201108_x.csv" in out
    assert "accepted   huvudbok_201102.csv" in out  # the good file stays accepted

    assert main(["batches", "--format", "json"]) == 0
    batches = json.loads(capsys.readouterr().out)
    assert [(b["file_name"], b["status"]) for b in batches] == [
        ("organisation.csv", "accepted"),
        ("verksamheter.csv", "accepted"),
        ("huvudbok_201101.csv", "accepted"),
        ("huvudbok_201102.csv", "accepted"),
        ("huvudbok_201108_x.csv", "rejected"),
    ] or [(b["file_name"], b["status"]) for b in batches][-2:] == [
        ("huvudbok_201108_x.csv", "rejected"),
        ("huvudbok_201102.csv", "accepted"),
    ]
    assert all(len(b["sha256"]) == 64 for b in batches)


def test_optional_columns_may_be_left_out(home: Paths, tmp_path: Path) -> None:
    # Projekt, Motpart and Text are optional: an export without them is still a ledger.
    def drop_optional(lines: list[str]) -> list[str]:
        return [
            ";".join(c for i, c in enumerate(line.split(";")) if i not in (5, 6, 10))
            for line in lines
        ]

    ingest(home, ledger_files())
    [result] = ingest(home, [_broken(tmp_path, "huvudbok_201108.csv", drop_optional)])
    assert result.status == "accepted", result.reason
    con = duckdb.connect(str(home.database), read_only=True)
    assert con.execute("select count(*), count(projekt) from events.huvudbok").fetchone() == (
        415,
        0,
    )
    con.close()

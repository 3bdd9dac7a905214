"""`tertial query --format xlsx --out FILE`: the answer as a workbook Excel reads as numbers,
dates and text, with the marts' Swedish labels as headers.

Read back two ways: the sheet's XML itself (zipfile + ElementTree: what each cell is) and
DuckDB's excel extension (`read_xlsx`, an independent reader of the file).
"""

from __future__ import annotations

import datetime as dt
import decimal
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pytest

from tertial.cli import main
from warehouse.comments import label
from warehouse.extensions import extension_path
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
FOLLOWUP = (
    "select * from rpt_budget_followup "
    "where namnd_code = '142' and year = 2011 and report = 'T2' order by all"
)


def snapshot(home: Paths, sql: str) -> tuple[list[str], list[tuple]]:
    con = duckdb.connect(str(home.published), read_only=True)
    try:
        con.execute("set search_path = 'marts,meta'")
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        con.close()


def comment_labels(home: Paths, table: str) -> dict[str, str]:
    con = duckdb.connect(str(home.published), read_only=True)
    try:
        rows = con.execute(
            "select column_name, comment from duckdb_columns() where table_name = ?", [table]
        ).fetchall()
    finally:
        con.close()
    return {column: label(comment) for column, comment in rows}


def sheet(path: Path) -> tuple[list[list[ElementTree.Element | None]], list[str]]:
    """The cells of the one sheet by row and column (None: empty), and the number format
    of each cell style."""
    with zipfile.ZipFile(path) as book:
        assert book.namelist().count("xl/worksheets/sheet1.xml") == 1
        assert "xl/worksheets/sheet2.xml" not in book.namelist()
        root = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    formats = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//x:numFmt", NS)}
    xfs = [
        formats.get(xf.get("numFmtId"), xf.get("numFmtId"))
        for xf in styles.find("x:cellXfs", NS).iterfind("x:xf", NS)
    ]
    rows = []
    for row in root.iterfind(".//x:sheetData/x:row", NS):
        cells: dict[int, ElementTree.Element] = {}
        for cell in row.iterfind("x:c", NS):
            letters = "".join(ch for ch in cell.get("r") if ch.isalpha())
            index = 0
            for ch in letters:
                index = index * 26 + ord(ch) - ord("A") + 1
            cells[index - 1] = cell
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i) for i in range(width)])
    return rows, xfs


def text(cell: ElementTree.Element) -> str:
    assert cell.get("t") == "inlineStr", ElementTree.tostring(cell)
    return "".join(t.text or "" for t in cell.iterfind(".//x:t", NS))


def number(cell: ElementTree.Element) -> str:
    assert cell.get("t") is None, ElementTree.tostring(cell)  # a number cell has no type
    return cell.find("x:v", NS).text


def query(home: Paths, sql: str, out: Path, *extra: str) -> int:
    return main(
        ["--home", str(home.home), "query", sql, "--format", "xlsx", "--out", str(out), *extra]
    )


def test_budget_followup_as_a_workbook(
    servicenamnden_2011: Paths, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "uppfoljning.xlsx"
    assert query(servicenamnden_2011, FOLLOWUP, out) == 0
    columns, expected = snapshot(servicenamnden_2011, FOLLOWUP)
    assert expected and f"Wrote {len(expected):,} rows to {out}" in capsys.readouterr().out

    rows, _ = sheet(out)
    labels = comment_labels(servicenamnden_2011, "rpt_budget_followup")
    headers = [text(cell) for cell in rows[0]]
    assert headers == [labels[c] for c in columns]
    assert headers[:3] == ["Nämnd (kod)", "Nämnd (namn)", "År"]
    assert "Justerad budget (kr)" in headers and "Bokfört t.o.m. (kr)" in headers
    assert len(rows) == 1 + len(expected)
    money = 0
    for cells, values in zip(rows[1:], expected, strict=True):
        cells = cells + [None] * (len(values) - len(cells))
        for cell, value in zip(cells, values, strict=True):
            if value is None:
                assert cell is None
            elif isinstance(value, bool):
                assert cell.get("t") == "b" and cell.find("x:v", NS).text == str(int(value))
            elif isinstance(value, decimal.Decimal):
                # Exact: the DECIMAL(18,2)'s own digits, a number cell.
                assert decimal.Decimal(number(cell)) == value
                assert number(cell) == f"{value:f}"
                money += 1
            elif isinstance(value, int):
                assert int(number(cell)) == value
            else:
                assert text(cell) == value
    assert money > 0

    # An independent reader sees the same numbers as numbers.
    reader = duckdb.connect()
    try:
        reader.execute(f"load '{extension_path('excel')}'")
        total = reader.execute(
            f'select sum("Justerad budget (kr)"), typeof(any_value("Justerad budget (kr)")) '
            f"from read_xlsx('{out}', header = true)"
        ).fetchone()
    finally:
        reader.close()
    exact = sum(row[columns.index("adjusted_budget")] or 0 for row in expected)
    assert total[1] == "DOUBLE" and round(decimal.Decimal(str(total[0])), 2) == exact


def test_dates_are_dates_and_computed_columns_keep_their_names(
    servicenamnden_2011: Paths, tmp_path: Path
) -> None:
    sql = (
        "select b.decision_date, b.amount, b.amount * 2 as twice, n.namnd_name, "
        "b.slag as slag_namn "
        "from fct_budget b join dim_namnd n on n.namnd_key = b.namnd_key and n.is_current "
        "order by all limit 20"
    )
    out = tmp_path / "beslut.xlsx"
    assert query(servicenamnden_2011, sql, out) == 0
    _, expected = snapshot(servicenamnden_2011, sql)
    rows, xfs = sheet(out)
    assert [text(c) for c in rows[0]] == [
        "Beslutsdatum",
        "Belopp (kr)",
        "twice",
        "Nämnd (namn)",
        "slag_namn",  # renamed by the analyst: the analyst's header
    ]
    for cells, values in zip(rows[1:], expected, strict=True):
        decided = cells[0]
        assert isinstance(values[0], dt.date)
        assert xfs[int(decided.get("s"))] == "yyyy-mm-dd"  # a date format
        assert dt.date(1899, 12, 30) + dt.timedelta(days=int(number(decided))) == values[0]
        assert decimal.Decimal(number(cells[2])) == values[2]

    reader = duckdb.connect()
    try:
        reader.execute(f"load '{extension_path('excel')}'")
        types = reader.execute(
            f"describe select * from read_xlsx('{out}', header = true)"
        ).fetchall()
    finally:
        reader.close()
    assert types[0][:2] == ("Beslutsdatum", "DATE")


def test_an_existing_workbook_is_kept_unless_forced(
    servicenamnden_2011: Paths, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "svar.xlsx"
    out.write_bytes(b"the analyst's own")
    assert query(servicenamnden_2011, "select 1 as x", out) == 2
    assert "exists: give --force" in capsys.readouterr().err
    assert out.read_bytes() == b"the analyst's own"
    assert query(servicenamnden_2011, "select 1 as x", out, "--force") == 0
    assert zipfile.is_zipfile(out)
    # --out without --format xlsx, and the other way round: one line, exit 2.
    home = str(servicenamnden_2011.home)
    assert main(["--home", home, "query", "select 1", "--out", str(out)]) == 2
    assert main(["--home", home, "query", "select 1", "--format", "xlsx"]) == 2
    # A refused statement writes nothing.
    assert query(servicenamnden_2011, "copy fct_ledger to 'x.csv'", tmp_path / "no.xlsx") == 2
    assert not (tmp_path / "no.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["svar.xlsx"]  # no temporary left

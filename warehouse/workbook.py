"""An analyst's answer as an Excel workbook: `tertial query --format xlsx --out FILE`.

The SQL runs where every analyst's SQL runs, in the locked read-only connection
(warehouse/readonly.py: no COPY, no file written); this process fetches the rows and
writes the workbook itself, with the standard library (an .xlsx is a zip of XML): a
DECIMAL, INTEGER or DOUBLE is a number cell holding the value's exact digits
(`<v>123456.78</v>`), a DATE or TIMESTAMP an Excel date (its serial number, shown
yyyy-mm-dd), a BOOLEAN a boolean, text an inline string (`=1+2` stays text, never a
formula), NULL an empty cell; one sheet, `Resultat`.

Why not DuckDB's excel extension (`COPY ... TO 'x.xlsx' (FORMAT xlsx)`), which writes
the same cells: the result must leave the locked connection for a connection that may
write files, and the only way between two DuckDB connections is Arrow, whose scan
imports pyarrow.dataset and with it pandas (0.5 s warm, 2.6 s cold here) in a command
that must stay light (tests/integration/test_query_security.py).

The headers are the Swedish labels of the columns (warehouse/comments.py) where a result
column is a mart column as it stands (`select namnd_code, f.amount from ...`, `select *
from rpt_budget_followup`); anything computed, or renamed by the analyst (`sum(amount)`,
`amount as belopp`), keeps its own name.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import duckdb

from warehouse.comments import labels

# A sheet holds 1,048,576 rows (one is the header) and 16,384 columns; a cell 32,767
# characters.
MAX_ROWS = 1_048_575
MAX_COLUMNS = 16_384
MAX_TEXT = 32_767
# Rows fetched at a time: a big answer never sits in memory whole.
FETCH_ROWS = 10_000
# Excel's day 0 (its 1900 leap-year bug makes serials from March 1900 on count from here).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# XML 1.0 allows no control character but tab, LF and CR.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Cell styles (xl/styles.xml's cellXfs): 0 plain, 1 date, 2 date and time, 3 time of
# day, 4 header (bold).
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _parts(sheets: Sequence[str]) -> dict[str, str]:
    """The workbook's fixed parts for sheets named `sheets` (sheet1.xml, sheet2.xml, ...)."""
    numbers = range(1, len(sheets) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{OOXML}.worksheet+xml"/>'
        for n in numbers
    )
    entries = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in zip(numbers, sheets, strict=True)
    )
    relations = "".join(
        f'<Relationship Id="rId{n}" Type="{DOC}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    return {
        "[Content_Types].xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>{overrides}\
<Override PartName="/xl/styles.xml" ContentType="{OOXML}.styles+xml"/></Types>""",
        "_rels/.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" \
Target="xl/workbook.xml"/></Relationships>""",
        "xl/workbook.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>{entries}</sheets></workbook>""",
        "xl/_rels/workbook.xml.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{RELS}">{relations}<Relationship Id="rId{len(sheets) + 1}" \
Type="{DOC}/styles" Target="styles.xml"/></Relationships>""",
        "xl/styles.xml": STYLES,
    }


def sheet_names(titles: Sequence[str]) -> list[str]:
    r"""Excel's sheet names for `titles`: at most 31 characters, none of `[]:*?/\`, unique
    (case aside).

    >>> sheet_names(["Investeringar", "Sjukfrånvaro per kön och åldersgrupp, rullande",
    ...              "Sjukfrånvaro per kön och åldersgrupp, 2011", "A/B"])
    ['Investeringar', 'Sjukfrånvaro per kön och ålders', 'Sjukfrånvaro per kön och ål (2)', 'A B']
    """
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Blad"
        name = base[:31]
        number = 2
        while name.lower() in taken:
            suffix = f" ({number})"
            name = base[: 31 - len(suffix)].rstrip() + suffix
            number += 1
        taken.add(name.lower())
        names.append(name)
    return names


def write_sheets(
    out: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[tuple]]], *, force: bool = False
) -> None:
    """A workbook of several sheets: (title, headers, rows) each, as `write_workbook`
    writes its one (numbers as numbers, bold frozen headers), renamed into place whole."""
    out = Path(out)
    if out.exists() and not force:
        raise WorkbookRefused(f"{out} exists: give --force to replace it")
    names = sheet_names([title for title, _, _ in sheets])
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as book:
            for name, text in _parts(names).items():
                book.writestr(name, text)
            for number, (_, headers, rows) in enumerate(sheets, start=1):
                with book.open(f"xl/worksheets/sheet{number}.xml", "w") as sheet:
                    _write_sheet(sheet, list(headers), [list(rows)])
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class WorkbookRefused(ValueError):
    """The workbook cannot be written as asked (the file exists, no such folder, too big)."""


def write_workbook(
    con: duckdb.DuckDBPyConnection, sql: str, out: Path, *, force: bool = False
) -> int:
    """Run `sql` on `con` (the analysts' locked connection) and write its result to `out`.

    Refuses an existing `out` unless `force`. The workbook is written beside `out` under
    a temporary name and renamed into place: a failed query leaves no half file.
    Returns the number of data rows.
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise WorkbookRefused(f"{out}: a workbook's name ends in .xlsx")
    if out.is_dir():
        raise WorkbookRefused(f"{out} is a folder")
    if out.exists() and not force:
        raise WorkbookRefused(f"{out} exists: give --force to replace it")
    if not out.parent.is_dir():
        raise WorkbookRefused(f"no folder {out.parent} to write {out.name} into")

    headers = result_headers(con, sql)
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description] if cursor.description else []
    if len(columns) > MAX_COLUMNS:
        raise WorkbookRefused(f"{len(columns)} columns: a sheet holds {MAX_COLUMNS:,}")
    if not headers or len(headers) != len(columns):
        headers = [None] * len(columns)
    names = unique_headers(columns, [h or c for h, c in zip(headers, columns, strict=True)])

    def batches() -> Iterable[list[tuple]]:
        while batch := cursor.fetchmany(FETCH_ROWS):
            yield batch

    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as book:
            for name, text in _parts(["Resultat"]).items():
                book.writestr(name, text)
            with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                rows = _write_sheet(sheet, names, batches())
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return rows


def _write_sheet(sheet: IO[bytes], headers: Sequence[str], batches: Iterable[list[tuple]]) -> int:
    """sheet1.xml: the header row (bold), then every row; returns the data rows written."""
    letters = [_column_letter(i) for i in range(len(headers))]
    sheet.write(
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'.encode()
    )
    sheet.write(
        (
            '<row r="1">'
            + "".join(
                _cell(f"{letter}1", header, style=4)
                for letter, header in zip(letters, headers, strict=True)
            )
            + "</row>"
        ).encode()
    )
    count = 0
    for batch in batches:
        if count + len(batch) > MAX_ROWS:
            raise WorkbookRefused(
                f"the answer has more than {MAX_ROWS:,} rows, more than a sheet holds: "
                "narrow the query, or use --format csv"
            )
        parts = []
        for row in batch:
            count += 1
            parts.append(f'<row r="{count + 1}">')
            for letter, value in zip(letters, row, strict=True):
                if value is not None:
                    parts.append(_cell(f"{letter}{count + 1}", value))
            parts.append("</row>")
        sheet.write("".join(parts).encode())
    sheet.write(b"</sheetData></worksheet>")
    return count


def _cell(ref: str, value: Any, style: int = 0) -> str:
    """One cell: a number, a date, a boolean or text, as Excel stores each.

    >>> _cell("A2", decimal.Decimal("-40208.36"))
    '<c r="A2"><v>-40208.36</v></c>'
    >>> _cell("B2", dt.date(2011, 8, 31))
    '<c r="B2" s="1"><v>40786</v></c>'
    >>> _cell("C2", dt.datetime(2011, 9, 15, 6))
    '<c r="C2" s="2"><v>40801.25</v></c>'
    >>> _cell("D2", "=1+2 & <b>")
    '<c r="D2" t="inlineStr"><is><t xml:space="preserve">=1+2 &amp; &lt;b&gt;</t></is></c>'
    >>> _cell("E2", True)
    '<c r="E2" t="b"><v>1</v></c>'
    """
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return f'<c r="{ref}"><v>{value:f}</v></c>'
    if isinstance(value, dt.datetime):
        # Excel has no time zone: an instant is written as the wall-clock time DuckDB
        # gave it in (the connection's TimeZone).
        days = (value.replace(tzinfo=None) - EXCEL_EPOCH) / dt.timedelta(days=1)
        return f'<c r="{ref}" s="2"><v>{days!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    if isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c r="{ref}" s="3"><v>{seconds / 86400!r}</v></c>'
    text = _NOT_XML.sub("", value if isinstance(value, str) else _text(value))[:MAX_TEXT]
    styled = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(text)}</t></is></c>"
    )


def _text(value: Any) -> str:
    """A value Excel has no cell type for (a list, an interval, a UUID) as text."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join("" if v is None else _text(v) for v in value) + "]"
    return str(value)


def _column_letter(index: int) -> str:
    """A, B, ..., Z, AA, ...

    >>> [_column_letter(i) for i in (0, 25, 26, 16383)]
    ['A', 'Z', 'AA', 'XFD']
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def result_headers(con: duckdb.DuckDBPyConnection, sql: str) -> list[str | None] | None:
    """The label of each result column that is a mart column as it stands, else None.

    From DuckDB's own parse of the statement (`json_serialize_sql`): the outer SELECT's
    list, its FROM's tables (joins included; CTEs and subqueries are not marts). None
    when the statement is not one plain SELECT.
    """
    from warehouse.readonly import sql_literal  # not a bound parameter: see there

    try:
        (text,) = con.execute(f"select json_serialize_sql({sql_literal(sql)})").fetchone()
        tree = json.loads(text)
    except (duckdb.Error, ValueError):
        return None
    if tree.get("error") or len(tree.get("statements", [])) != 1:
        return None
    node = tree["statements"][0]["node"]
    if node.get("type") != "SELECT_NODE":
        return None
    ctes = {entry["key"] for entry in node.get("cte_map", {}).get("map", [])}
    tables = [t for t in _base_tables(node.get("from_table")) if t["table_name"] not in ctes]
    known = labels(con)
    columns = _table_columns(con)
    headers: list[str | None] = []
    for item in node.get("select_list", []):
        if item.get("class") == "STAR":
            star = _star(item, tables, columns)
            if star is None:
                return None
            headers += [known.get((table, column)) for table, column in star]
        elif item.get("class") == "COLUMN_REF" and not item.get("alias"):
            *qualifier, column = item["column_names"]
            found = {
                known.get((t["table_name"], column))
                for t in tables
                if (not qualifier or qualifier[-1] in (t["alias"], t["table_name"]))
                and column in columns.get(t["table_name"], ())
            }
            headers.append(found.pop() if len(found) == 1 else None)
        else:
            headers.append(None)
    return headers


def unique_headers(columns: Sequence[str], headers: Sequence[str]) -> list[str]:
    """Headers as given, but a label two columns share gets each column's name after it.

    >>> unique_headers(["a", "b", "c"], ["Nämnd", "Nämnd", "c"])
    ['Nämnd (a)', 'Nämnd (b)', 'c']
    """
    counts: dict[str, int] = {}
    for header in headers:
        counts[header] = counts.get(header, 0) + 1
    return [
        f"{header} ({column})" if counts[header] > 1 and header != column else header
        for column, header in zip(columns, headers, strict=True)
    ]


def _base_tables(node: Any) -> list[dict]:
    """The tables a FROM clause names (through joins), each as DuckDB's parse has it."""
    if not isinstance(node, dict):
        return []
    if node.get("type") == "BASE_TABLE" and not node.get("column_name_alias"):
        return [node]
    if node.get("type") == "JOIN":
        return _base_tables(node.get("left")) + _base_tables(node.get("right"))
    return []


def _star(
    item: dict, tables: list[dict], columns: dict[str, list[str]]
) -> list[tuple[str, str]] | None:
    """What `*` (or `t.*`, `* exclude (...)`) stands for: one table's columns, in order."""
    if item.get("replace_list") or item.get("rename_list") or item.get("expr"):
        return None
    if item.get("columns") or item.get("qualified_exclude_list"):
        return None
    relation = item.get("relation_name")
    chosen = [t for t in tables if not relation or relation in (t["alias"], t["table_name"])]
    if len(chosen) != 1 or chosen[0]["table_name"] not in columns:
        return None
    table = chosen[0]["table_name"]
    excluded = set(item.get("exclude_list") or [])
    return [(table, c) for c in columns[table] if c not in excluded]


def _table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """{table: its columns in order} of the published schemas."""
    result: dict[str, list[str]] = {}
    for table, column in con.execute(
        """
        select table_name, column_name from duckdb_columns()
        where schema_name in ('marts', 'meta') order by table_name, column_index
        """
    ).fetchall():
        result.setdefault(table, []).append(column)
    return result

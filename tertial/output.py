"""Rendering rows for the terminal: table, CSV or JSON (`--format`)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Sequence
from typing import Any

FORMATS = ("table", "csv", "json")

# A spreadsheet takes a cell starting with one of these as a formula (CSV injection:
# `=HYPERLINK(...)`, `@SUM(...)`, `-2+3`); tab and carriage return too, in some.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def _csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: text starting like a formula
    gets a leading `'`. Numbers stay numbers (`-40208.36` is an amount, not a formula).

    >>> [_csv_cell(v) for v in ("=1+2", "@x", "Kök", -1, decimal.Decimal("-2.50"), None)]
    ["'=1+2", "'@x", 'Kök', '-1', '-2.50', '']
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return _text(value)


def _csv_line(cells: Sequence[str]) -> str:
    """One CSV record (RFC 4180): a cell with `,`, `"`, CR or LF is quoted.

    Python's csv writer (3.11) leaves a lone CR unquoted when the line ends in LF, which
    splits the record in a spreadsheet; this quotes it.

    >>> _csv_line(["a", "d,e", "f\\rg", ""])
    'a,"d,e","f\\rg",'
    """
    if len(cells) == 1 and cells[0] == "":
        return '""'  # a record of one empty cell, not an empty line
    return ",".join(
        '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell
        for cell in cells
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        # Exact money survives JSON as a string; a float would lose öre at scale.
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table") -> str:
    """Rows as an aligned text table, CSV (header first) or a JSON list of objects.

    CSV is safe to open in a spreadsheet: text cells that would start a formula are
    prefixed with `'` (`_csv_cell`); numbers, dates and NULLs are written as they are.
    """
    if fmt == "json":
        return json.dumps(
            [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows],
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "csv":
        lines = [_csv_line([_csv_cell(c) for c in columns])]
        lines.extend(_csv_line([_csv_cell(v) for v in row]) for row in rows)
        return "\n".join(lines)
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float | decimal.Decimal) or row[i] is None for row in rows)
        and bool(rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)

"""Reading a delivered CSV file: encoding, header names, raw text cells.

Every cell is read as text first. Typing happens afterwards in Polars expressions so a
bad value never aborts a read: it becomes null in the typed column while its raw text
stays available to the expectations, which then name the row, column and value.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import polars as pl

from sources._common.contract import Contract

UTF8_BOM = b"\xef\xbb\xbf"


class ParseError(ValueError):
    """The file cannot be read as the source's CSV at all (encoding, structure)."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode the bytes of an export, detecting UTF-8 (with or without BOM) or Windows-1252.

    A file that decodes as UTF-8 is UTF-8: Windows-1252 text with Swedish letters
    (å = 0xE5) is practically never valid UTF-8, so the order of the tries decides.

    >>> decode("Nämnd".encode("cp1252"))
    ('Nämnd', 'cp1252')
    >>> decode(b"\\xef\\xbb\\xbfN\\xc3\\xa4mnd")
    ('Nämnd', 'utf-8-sig')
    """
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ParseError(f"starts with a UTF-8 BOM but is not UTF-8: {exc}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ParseError(f"neither UTF-8 nor Windows-1252: {exc}") from exc


def normalise_header(header: str) -> str:
    """Header as matched: trimmed, lower case, å/ä → a and ö → o (some systems strip them).

    >>> normalise_header("  Överordnad ")
    'overordnad'
    >>> normalise_header("Nämnd") == normalise_header("NAMND")
    True
    """
    text = unicodedata.normalize("NFC", header.strip().lower())
    return text.translate(str.maketrans({"å": "a", "ä": "a", "ö": "o"}))


@dataclass(frozen=True)
class RawTable:
    """The cells of a file as text, columns renamed to the contract's names."""

    frame: pl.DataFrame  # contract columns (as text) + "line_number" + unknown columns
    encoding: str
    extra_columns: tuple[str, ...]  # unknown headers as delivered, kept in the payload
    missing_headers: tuple[str, ...]  # required headers not found


def read_raw(data: bytes, contract: Contract) -> RawTable:
    """Read a `;`-separated export into text columns named as in the contract."""
    text, encoding = decode(data)
    if not text.strip():
        raise ParseError("the file is empty (no header row)")
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            separator=";",
            infer_schema=False,
            truncate_ragged_lines=False,
            missing_utf8_is_empty_string=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise ParseError(f"not a ;-separated file with a header row: {exc}") from exc

    by_normalised = {normalise_header(header): header for header in frame.columns}
    renames: dict[str, str] = {}
    for column in contract.columns:
        found = by_normalised.get(normalise_header(column.header))
        if found is not None:
            renames[found] = column.name
    extra = tuple(c for c in frame.columns if c not in renames)
    missing = tuple(
        c.header for c in contract.columns if c.required and c.name not in renames.values()
    )
    frame = frame.rename(renames)
    # Cells are trimmed; an empty cell is null (source-formats.md, general rules).
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in frame.columns)
    # Header is line 1, so data row i (0-based) is line i + 2 of the file.
    frame = frame.with_row_index("line_number", offset=2).with_columns(
        pl.col("line_number").cast(pl.Int32)
    )
    return RawTable(frame, encoding, extra, missing)

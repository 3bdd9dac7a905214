"""Reading a delivered CSV file: encoding, header names, raw text cells.

Every cell is read as text first. Typing happens afterwards in Polars expressions so a
bad value never aborts a read: it becomes null in the typed column while its raw text
stays available to the expectations, which then name the row, column and value.

A file that cannot be read as a `;`-separated export at all raises `ParseError`, whose
text names the rule (`separator: ...`, `ragged-line: ...`) and says what to change in
the export, in English and Swedish. Nothing else a file holds may raise: every check
below is a rule with a name, and the loader turns the error into a rejection.

What is accepted although awkward: UTF-8 (with or without BOM), Windows-1252 and
UTF-16 with a BOM (Excel's "Unicode text", when `;`-separated); CRLF, LF and CR-only
(old Mac) line ends; blank lines and lines of only `;` anywhere (ignored, the other
lines keep their line numbers in the file); an unnamed column whose cells are all empty
(a `;` at the end of every line, ordinary Excel output, or of every line but the
header, a record terminator: dropped); quoted cells; DOS's
end-of-file mark (Ctrl-Z) as the last byte; Excel's separator line `sep=;` before the
header.

What is rejected, each with its rule: an Excel workbook renamed `.csv`
(`excel-workbook`, also Excel's XML spreadsheet), a web page saved as `.csv` (`web-page`:
a portal's login or error page in the export's place), another XML file (`xml-file`), a
gzip-compressed file (`compressed-file`), a PDF document (`pdf-document`), another
separator than `;`
(`separator`: tab, comma), bytes that are neither UTF-8 nor Windows-1252 (`encoding`),
UTF-8 and Windows-1252 lines in one file (`mixed-encodings`), NUL and other control
characters (`control-character`), a cell longer than `MAX_CELL_CHARS` (`cell-length`), a
header twice (`duplicate-column`), an unnamed column with values (`unnamed-column`), a
line with more or fewer cells than the header (`ragged-line`), lines above the header
row (`header-not-first`), the header row again further down (`repeated-header`), a quote
that is not closed or stands where no quote may (`quotes`), an empty file (`empty-file`).

Why Polars reads the cells and not DuckDB's `read_csv` (issue 14 asked to compare): the
text of a 947,274-line ledger month, every cell as text, takes Polars 0.17 s and DuckDB
`read_csv(all_varchar = true)` into a temporary table 0.50 s (into Arrow 0.54 s), on
this 2-core machine, 2026-12-05. The typed rows then go to DuckDB as Arrow in 16 record
batches (sources/_common/arrow.py), which its threads scan in parallel.

Cost: on the ordinary file (one encoding, `;`, no quotes, rectangular) the checks are a
few whole-buffer scans in C (`bytes.translate`, `count`, `in`) and one Polars aggregate;
the line-by-line work runs only when a quick scan says a file needs it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from sources._common import personnummer
from sources._common.contract import Contract

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_LE_BOM = b"\xff\xfe"
UTF16_BE_BOM = b"\xfe\xff"
# UTF-32's little-endian mark starts with UTF-16's (FF FE 00 00): look for it first, or
# a UTF-32 file decodes as UTF-16 full of NULs and is misreported.
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")

# The longest cell a text column may hold, in characters. The longest cell in the
# reference exports is 395 characters (a tertial report comment; the longest of a
# loaded source is 152, an indicator's name); 1 000 leaves room for any real text
# while a runaway cell (a whole file pasted into one, 10 M characters) is refused
# before it reaches the event log, the marts and every report that shows it.
MAX_CELL_CHARS = 1000

# Excel workbooks renamed `.csv`: XLSX (and any ZIP) and the old binary XLS (OLE2).
WORKBOOK_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
# A gzip-compressed export named `.csv` (its first byte, 0x1F, read as text is a control
# character, which told the controller nothing about what to do).
GZIP_MAGIC = b"\x1f\x8b"
# A report printed to PDF and named `.csv`: its binary streams read as "neither UTF-8 nor
# Windows-1252", which sent a controller to the export's encoding.
PDF_MAGIC = b"%PDF-"
# A web page or XML saved in an export's place: a portal's "session expired" or error
# page downloaded as `huvudbok_202501.csv`, a report saved as a web page, Excel's XML
# spreadsheet. Read as CSV its first tag line has no `;`, and the rejection said
# "separator", which sends a controller to the wrong setting. How a file opens (after a
# BOM and blank space), lower case; no CSV header starts with `<`.
_HTML_STARTS = ("<!doctype html", "<html", "<head", "<body", "<table", "<meta", "<title")
_XML_START = "<?xml"
_EXCEL_XML = 'progid="excel.sheet"'  # the processing instruction Excel writes
# Excel's separator hint, a first line `sep=;` (quoted by some writers, padded with the
# separator by others); `_without_separator_hint`.
_SEPARATOR_HINT = re.compile(r'"?sep=(.)"?;*', re.IGNORECASE)
_SEPARATOR_NAMES = {",": "',' (comma)", "\t": "TAB", "|": "'|'"}
# How far below line 1 a header row is looked for when line 1 is not one (a report's
# title and export date above the header: 2-4 lines in the exports seen).
_HEADER_SEARCH_LINES = 20

# C0 control characters except TAB, LF and CR, and DEL: never part of a text cell.
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C0_PATTERN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same and the C1 controls U+0080-U+009F, in decoded text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Windows-1252's decoding table with the C0 controls and DEL undefined ("\ufffe").
_CP1252_WITHOUT_CONTROLS = "".join(
    "\ufffe"
    if byte in _C0_BYTES
    else bytes([byte]).decode("cp1252", errors="replace").replace("\ufffd", "\ufffe")
    for byte in range(256)
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED_CELL = r'(^|;)\s*"(?:[^"]|"")*"\s*(;|$)'  # a whole cell in quotes, with its ;
_BLANK = re.compile(rb"\s*\Z")
# A UTF-8 multibyte sequence (lead byte, continuation byte).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
# The lead bytes of nearly every UTF-8 character a Swedish or Western text holds:
# U+0080-U+00FF (å ä ö é, no-break space) and U+2000-U+2FFF (– — ’ € …). A `in`
# test for each is a memchr; only a file holding one pays for the exact scan.
_COMMON_UTF8_LEADS = (b"\xc3", b"\xc2", b"\xe2")

_CSV_FIELD_LIMIT = csv.field_size_limit()  # Python's csv reader refuses longer cells
SAVE_AS_CSV = "save it as CSV (semicolon) / spara den som CSV (semikolonavgränsad)"
# Files of another kind named `.csv`, told by their first bytes: (magic, rule, reason).
_NOT_CSV = (
    (
        WORKBOOK_MAGIC,
        "excel-workbook",
        f"this is an Excel workbook, not a CSV export: {SAVE_AS_CSV}",
    ),
    (
        PDF_MAGIC,
        "pdf-document",
        "this is a PDF document, not a CSV export: export the data itself as CSV "
        "(semicolon) / filen är ett PDF-dokument, inte en CSV-export: exportera "
        "uppgifterna som CSV (semikolonavgränsad)",
    ),
    (
        GZIP_MAGIC,
        "compressed-file",
        "the file is gzip-compressed, not a CSV export: unpack it (gunzip) and deliver "
        "the .csv itself / filen är gzip-komprimerad: packa upp den och leverera "
        "själva .csv-filen",
    ),
)

SHOWN = 5  # lines named in a message; the count is always complete


class ParseError(ValueError):
    """The file cannot be read as the source's CSV at all (encoding, structure).

    `rule` is the name of the rule the file broke; the text starts with it.
    """

    def __init__(self, message: str, rule: str | None = None) -> None:
        super().__init__(f"{rule}: {message}" if rule else message)
        self.rule = rule


def decode(data: bytes) -> tuple[str, str]:
    """Decode the bytes of an export: UTF-8 (with or without BOM), UTF-16 with a BOM, or
    Windows-1252.

    A file that decodes as UTF-8 is UTF-8: Windows-1252 text with Swedish letters
    (å = 0xE5) is practically never valid UTF-8, so the order of the tries decides.
    Windows-1252 decodes almost any bytes, UTF-8 ones included (as `Ã¤`), so a file
    that is not UTF-8 as a whole but holds UTF-8 sequences is looked at line by line:
    UTF-8 lines beside Windows-1252 lines are mixed encodings, which would otherwise
    load as damaged text.

    >>> decode("Nämnd".encode("cp1252"))
    ('Nämnd', 'cp1252')
    >>> decode(b"\\xef\\xbb\\xbfN\\xc3\\xa4mnd")
    ('Nämnd', 'utf-8-sig')
    >>> decode("Nämnd".encode("utf-16"))
    ('Nämnd', 'utf-16')
    >>> decode("Nämnd".encode("utf-32"))
    ('Nämnd', 'utf-32')
    """
    for marks, encoding in ((UTF32_BOMS, "utf-32"), ((UTF16_LE_BOM, UTF16_BE_BOM), "utf-16")):
        if data.startswith(marks):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"starts with a {encoding.upper()} byte order mark but is not "
                    f"{encoding.upper()} ({exc.reason}): {SAVE_AS_CSV}",
                    "encoding",
                ) from exc
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        failed = exc
    if bom or (any(lead in body for lead in _COMMON_UTF8_LEADS) and _UTF8_SEQUENCE.search(body)):
        _reject_mixed_encodings(body)
    if bom:
        raise ParseError(
            f"starts with a UTF-8 BOM but is not UTF-8 (line {_line_of(body, failed.start)}): "
            "export the whole file as UTF-8 / filen börjar som UTF-8 men är det inte: "
            "exportera hela filen som UTF-8",
            "encoding",
        )
    try:
        # Windows-1252 with every control character (but TAB, CR, LF) undefined: the
        # decode that every Windows-1252 file needs is also its control character check.
        return codecs.charmap_decode(body, "strict", _CP1252_WITHOUT_CONTROLS)[0], "cp1252"
    except UnicodeDecodeError as exc:
        byte = body[exc.start]
        if byte in _C0_BYTES:
            raise _control_error(data, exc.start + (len(data) - len(body)), byte) from exc
        raise ParseError(
            f"neither UTF-8 nor Windows-1252 (byte 0x{byte:02X} on line "
            f"{_line_of(body, exc.start)}): export it as UTF-8 or Windows-1252 (ANSI) / "
            "filen är varken UTF-8 eller Windows-1252: exportera den som UTF-8",
            "encoding",
        ) from exc


def _check_not_markup(data: bytes) -> None:
    """A web page (HTML) or XML file is named as what it is, with what to do.

    >>> _check_not_markup(b"\\xef\\xbb\\xbf  <!DOCTYPE html><title>Sessionen har g\\xc3\\xa5tt ut")
    Traceback (most recent call last):
    ...
    sources._common.csvfile.ParseError: web-page: this is a web page (HTML), not a CSV export ...
    >>> _check_not_markup(b"Period;N\\xe4mnd;Belopp\\r\\n")  # a CSV export: nothing to say
    """
    head = data[:1024]
    if head.startswith((UTF16_LE_BOM, UTF16_BE_BOM)):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.removeprefix(UTF8_BOM).decode("latin-1")
    text = text.lstrip("\ufeff \t\r\n").lower()
    if not text.startswith("<"):
        return
    # XHTML opens as XML, a saved page often with a comment: its <html> tag tells.
    if text.startswith(_HTML_STARTS) or "<html" in text:
        raise ParseError(
            "this is a web page (HTML), not a CSV export (a login or error page saved in "
            "the export's place, or a report saved as a web page): export the data again "
            "as CSV (semicolon) / filen är en webbsida (HTML), inte en CSV-export: "
            "exportera uppgifterna igen som CSV (semikolonavgränsad)",
            "web-page",
        )
    if text.startswith(_XML_START) and _EXCEL_XML in text:
        raise ParseError(
            f"this is an Excel XML spreadsheet, not a CSV export: {SAVE_AS_CSV}",
            "excel-workbook",
        )
    if text.startswith(_XML_START):
        raise ParseError(
            "this is an XML file, not a CSV export: export the data as CSV (semicolon) / "
            "filen är en XML-fil, inte en CSV-export: exportera uppgifterna som CSV "
            "(semikolonavgränsad)",
            "xml-file",
        )


def _line_of(data: bytes, offset: int) -> int:
    """The line (1-based, any line end) of a byte offset."""
    return len(data[:offset].splitlines()) if offset else 1


def _reject_mixed_encodings(data: bytes) -> None:
    """Raise when some lines are UTF-8 (with non-ASCII characters) and others are not.

    Bytes with control characters are no text in any encoding: left to that rule.
    """
    if len(data.translate(None, _C0_BYTES)) != len(data):
        return
    utf8: list[int] = []
    other: list[int] = []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    if utf8 and other:
        raise ParseError(
            f"{_lines(utf8)} UTF-8 but {_lines(other)} Windows-1252 (or another "
            "encoding): export the whole file in one encoding (UTF-8) / blandade "
            "teckenkodningar i filen: exportera hela filen i en kodning (UTF-8)",
            "mixed-encodings",
        )


def _lines(numbers: list[int]) -> str:
    """`line 3` / `lines 3, 7, 9 (+12 more)`."""
    shown = ", ".join(str(n) for n in numbers[:SHOWN])
    more = f" (+{len(numbers) - SHOWN} more)" if len(numbers) > SHOWN else ""
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}{more}"


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
    data = _without_end_of_file_mark(data)
    if _BLANK.match(data):
        raise ParseError(
            "the file is empty (no header row): export it again / filen är tom: exportera den igen",
            "empty-file",
        )
    for magic, rule, reason in _NOT_CSV:
        if data.startswith(magic):
            raise ParseError(reason, rule)
    _check_not_markup(data)
    decoded, encoding = decode(data)
    text, first_line = _without_separator_hint(*_from_header(_normalise_line_ends(decoded)))
    header_line = _first_line(text)
    _check_control_characters(data, decoded, encoding)
    _check_header_first(text, first_line, contract)
    _check_separator(header_line, encoding)
    headers = _header_fields(header_line)
    _check_headers(headers, contract)

    # Polars reads UTF-8 bytes faster than a Python string (which it encodes first).
    buffer = data if encoding == "utf-8" and text is decoded else text.encode("utf-8")
    buffer, text = _without_trailing_blank_lines(buffer, text)
    frame, line_numbers, headers = _read_records(buffer, text, headers, first_line)
    # The decoded text and its UTF-8 copy are read: let them go before the cells are
    # cleaned (strip, empty as null), the ingest's high-water mark, 0.97 GiB for the
    # 947,274-line probe month otherwise (bench/findings.md).
    del decoded, text, buffer
    frame.columns = [f"column {i + 1}" for i in range(len(headers))]
    frame = frame.with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in frame.columns
    ).with_columns(line_numbers.alias("line_number"))
    # Blank lines and lines of only `;` are no rows (a trailing blank line is common).
    blank = pl.all_horizontal(pl.exclude("line_number").is_null())
    if frame.select(blank.any()).item():
        frame = frame.filter(~blank)
    _check_header_not_repeated(frame, headers)
    frame = _drop_unnamed(frame, headers)
    _check_cell_length(frame, headers)

    names = {f"column {i + 1}": h for i, h in enumerate(headers) if h.strip()}
    by_normalised = {normalise_header(h): c for c, h in names.items()}
    renames: dict[str, str] = {}
    for column in contract.columns:
        found = by_normalised.get(normalise_header(column.header))
        if found is not None:
            renames[found] = column.name
    extra = {c: h for c, h in names.items() if c not in renames}
    missing = tuple(
        c.header for c in contract.columns if c.required and c.name not in renames.values()
    )
    frame = frame.rename({**renames, **extra})
    frame = frame.select("line_number", *(c for c in frame.columns if c != "line_number"))
    return RawTable(frame, encoding, tuple(extra.values()), missing)


def _without_end_of_file_mark(data: bytes) -> bytes:
    r"""The file without DOS's end-of-file mark (Ctrl-Z, 0x1A) as its last byte.

    Exports written the way DOS programs wrote files may end with it; it is no cell of
    any line, so it goes as a trailing blank line does. Anywhere else it is a control
    character, and rejected as one. UTF-16 and UTF-32 files are left as they are (a
    0x1A there is half of a character).

    >>> _without_end_of_file_mark(b"Period\r\n201108\r\n\x1a")
    b'Period\r\n201108\r\n'
    >>> _without_end_of_file_mark(b"Period\r\n2011\x1a08\r\n")
    b'Period\r\n2011\x1a08\r\n'
    """
    if not data.endswith(b"\x1a") or data.startswith((*UTF32_BOMS, UTF16_LE_BOM, UTF16_BE_BOM)):
        return data
    return data.rstrip(b"\x1a")


def _normalise_line_ends(text: str) -> str:
    """CR-only (old Mac) and mixed line ends as LF; CRLF throughout is left to Polars.

    The header line tells: a file whose first line break is LF (or CRLF) is read as is
    (a stray CR elsewhere then makes that line ragged, which is rejected by name).
    """
    newline = text.find("\n")
    first = text if newline < 0 else text[:newline]
    if "\r" in first.rstrip("\r"):
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _without_trailing_blank_lines(buffer: bytes, text: str) -> tuple[bytes, str]:
    """Blank lines at the end cut off (they are no rows): the file then stays on the
    fast path, which needs one row per line."""
    tail = buffer[-4096:]
    trailing = tail[len(tail.rstrip(b" \t\r\n")) :]
    breaks = trailing.count(b"\n") + trailing.count(b"\r") - trailing.count(b"\r\n")
    if breaks <= 1 or len(trailing) == len(tail):
        return buffer, text
    return buffer[: len(buffer) - len(trailing)] + b"\n", text.rstrip(" \t\r\n") + "\n"


def _read_records(
    buffer: bytes, text: str, headers: list[str], first_line: int
) -> tuple[pl.DataFrame, pl.Series, list[str]]:
    """The cells and line numbers (`_read_cells`), and the headers they were read with.

    When every record ends with `;` and the header does not (a record terminator some
    systems write), the records have the empty, unnamed last column a header ending with
    `;` has too: read so, and dropped as that one is. A line with a cell more than that
    is still ragged, and said with the header's own count.
    """
    try:
        frame, line_numbers = _read_cells(buffer, text, headers, first_line)
        return frame, line_numbers, headers
    except ParseError as exc:
        if exc.rule != "ragged-line" or not _records_terminated(text):
            raise
    terminated = [*headers, ""]
    text = _with_header_terminated(text)
    try:
        frame, line_numbers = _read_cells(text.encode("utf-8"), text, terminated, first_line)
    except RaggedLines as again:
        header = f"{len(headers)} and the ';' ending every line"
        raise RaggedLines(again.lines, again.cells, header) from again
    return frame, line_numbers, terminated


def _records_terminated(text: str) -> bool:
    """Every line below the header that is not blank ends with `;`, the header does not.

    >>> _records_terminated("Period;Belopp\\r\\n201108;1,00;\\r\\n\\r\\n201108;2,00;\\r\\n")
    True
    >>> _records_terminated("Period;Belopp\\r\\n201108;1,00;\\r\\n201108;2,00\\r\\n")
    False
    """
    header, *records = (line.rstrip("\r") for line in text.split("\n"))
    filled = [line for line in records if line.strip(" \t")]
    return not header.endswith(";") and bool(filled) and all(r.endswith(";") for r in filled)


def _with_header_terminated(text: str) -> str:
    """The text with a `;` at the end of its header line (before its line end)."""
    header = _first_line(text)
    return f"{header};{text[len(header) :]}"


def _first_line(text: str) -> str:
    """The text's first line, without its line end (LF or CRLF)."""
    newline = text.find("\n")
    return (text if newline < 0 else text[:newline]).rstrip("\r")


def _from_header(text: str) -> tuple[str, int]:
    """The text from its first non-blank line (the header), and that line's number."""
    stripped = text.lstrip(" \t\r\n")
    if stripped is text:
        return text, 1
    skipped = text[: len(text) - len(stripped)]
    start = skipped.rfind("\n") + 1  # keep the header line's own leading spaces
    return text[start:], skipped.count("\n") + 1


def _without_separator_hint(text: str, first_line: int) -> tuple[str, int]:
    """Excel's separator hint before the header (`sep=;`) is no header: the header is the
    next line that is not blank, and the lines keep their numbers in the file.

    Excel writes and obeys the line so that the file opens in columns whatever the
    machine's list separator; read as the header it made every line "ragged", 11 cells
    against its 2. A hint naming another separator is that separator's rejection.

    >>> _without_separator_hint('sep=;\\r\\nPeriod;Belopp\\r\\n201108;1,00\\r\\n', 1)
    ('Period;Belopp\\r\\n201108;1,00\\r\\n', 2)
    >>> _without_separator_hint('"sep=,"\\nPeriod,Belopp\\n', 1)
    Traceback (most recent call last):
    ...
    sources._common.csvfile.ParseError: separator: the file's first line "sep=," says ...
    """
    line = _first_line(text).strip(" ")  # not TAB: `sep=TAB`
    hint = _SEPARATOR_HINT.fullmatch(line)
    if hint is None:
        return text, first_line
    if hint.group(1) != ";":
        raise ParseError(
            f"the file's first line {line} says its separator is "
            f"{_SEPARATOR_NAMES.get(hint.group(1), repr(hint.group(1)))}, not ';': save it "
            "as CSV (semicolon) / filen har ett annat avgränsningstecken än semikolon: "
            "spara den som CSV (semikolonavgränsad)",
            "separator",
        )
    rest, offset = _from_header(text.partition("\n")[2])
    if not rest.strip():
        raise ParseError(
            "the file has Excel's separator line (sep=;) but no header row: export it again "
            "/ filen har ingen rubrikrad: exportera den igen",
            "empty-file",
        )
    return rest, first_line + offset


def _check_header_first(text: str, first_line: int, contract: Contract) -> None:
    """Lines above the header row (a report's title, an export date) are named as such:
    read as the header they made the rejection "separator" or "ragged-line" (11 cells
    against a title's 3), which sent a controller to the wrong setting.

    A preamble is a first line with fewer than half the contract's required headers
    while a line below it, among the first `_HEADER_SEARCH_LINES`, has all of them.

    >>> from sources.huvudbok.contract import CONTRACT
    >>> header = "Period;Nämnd;Ansvar;Verksamhet;Konto;Belopp;Verifikation;Datum"
    >>> _check_header_first(f"Huvudbok augusti 2011\\r\\n\\r\\n{header}\\r\\n", 1, CONTRACT)
    Traceback (most recent call last):
    ...
    sources._common.csvfile.ParseError: header-not-first: the header row is line 3, not line 1: ...
    >>> _check_header_first(f"{header}\\r\\n201108;142\\r\\n", 1, CONTRACT)
    """
    required = {normalise_header(h) for h in contract.required_headers}
    if not required:
        return

    def known(line: str) -> int:
        return len(required & {normalise_header(f.strip(' "')) for f in line.split(";")})

    head = text[:65_536].split("\n", _HEADER_SEARCH_LINES)[:_HEADER_SEARCH_LINES]
    lines = [line.rstrip("\r") for line in head]
    if not lines or known(lines[0]) * 2 >= len(required):
        return
    for offset, line in enumerate(lines[1:], start=1):
        if known(line) == len(required):
            title = _masked(lines[0].strip())
            raise ParseError(
                f"the header row is line {first_line + offset}, not line {first_line}: "
                f"delete the {offset} line(s) above it (line {first_line}: {title!r}); "
                "the header row must come first / rubrikraden ska vara filens första rad: "
                f"ta bort raderna ovanför den (rad {first_line + offset})",
                "header-not-first",
            )


def _check_separator(header_line: str, encoding: str) -> None:
    """The header must be `;`-separated: name the separator the file has instead."""
    if ";" in header_line:
        return
    if "\t" in header_line:
        unicode_text = " ('Unicode text' from Excel)" if encoding == "utf-16" else ""
        raise ParseError(
            f"the file is tab-separated{unicode_text}, not ;-separated: save it as CSV "
            "(semicolon) / filen är tabbavgränsad: spara den som CSV (semikolonavgränsad)",
            "separator",
        )
    if "," in header_line:
        raise ParseError(
            "the file is comma-separated, not ;-separated (the header row has ',' but no "
            "';'): save it as CSV (semicolon) or export with ';' between columns / filen är "
            "kommaavgränsad: spara den som CSV (semikolonavgränsad)",
            "separator",
        )
    raise ParseError(
        "the header row has no ';' between column names: export the file with ';' between "
        "columns and the header row first / rubrikraden saknar ';' mellan kolumnnamnen: "
        "exportera med ';' mellan kolumnerna och rubrikraden först",
        "separator",
    )


def _header_fields(header_line: str) -> list[str]:
    """The header's column names as delivered (quotes removed)."""
    if len(header_line) > _CSV_FIELD_LIMIT:
        raise ParseError(
            f"the header row has {len(header_line):,} characters: fix the header row / "
            "rubrikraden är för lång: rätta den",
            "cell-length",
        )
    try:
        return next(csv.reader([header_line], delimiter=";", strict=True))
    except (csv.Error, StopIteration) as exc:
        raise ParseError(f"the header row cannot be read ({exc}): {SAVE_AS_CSV}", "quotes") from exc


def _check_headers(headers: list[str], contract: Contract) -> None:
    """Each column once (after matching: `Nämnd` and `NAMND` are one), none too long, and
    no unknown header named as a column the warehouse makes itself (`line_number`, or
    a contract column's event-log name such as `giltig_fran`)."""
    for number, header in enumerate(headers, start=1):
        if len(header) > MAX_CELL_CHARS:
            raise ParseError(
                f"column {number}'s header has {len(header):,} characters (at most "
                f"{MAX_CELL_CHARS:,}): fix the header row / rubriken i kolumn {number} är "
                "för lång: rätta rubrikraden",
                "cell-length",
            )
    positions: dict[str, list[int]] = {}
    for number, header in enumerate(headers, start=1):
        if header.strip():
            positions.setdefault(normalise_header(header), []).append(number)
    for numbers in positions.values():
        if len(numbers) > 1:
            name = _masked(headers[numbers[0] - 1].strip())
            where = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
            var = where.replace(" and ", " och ")
            times = "twice" if len(numbers) == 2 else f"{len(numbers)} times"
            raise ParseError(
                f"column {name} appears {times} (columns {where}): keep one / kolumnen "
                f"{name} finns flera gånger (kolumn {var}): behåll en",
                "duplicate-column",
            )
    known = {normalise_header(c.header) for c in contract.columns}
    reserved = {"line_number", *(c.name for c in contract.columns)}
    for number, header in enumerate(headers, start=1):
        if header not in reserved or normalise_header(header) in known:
            continue
        raise ParseError(
            f"column {number}'s header {header!r} is a name the warehouse uses itself: "
            "rename that column / kolumnrubriken används av lagret självt: döp om kolumnen",
            "duplicate-column",
        )


def _check_control_characters(data: bytes, text: str, encoding: str) -> None:
    """No NUL or other control character (C0 but TAB, CR, LF; DEL; C1) in any cell.

    Windows-1252 is checked while it is decoded (`decode`). UTF-8 shares ASCII with it,
    so C0 is one `translate` over the bytes; C1 is U+0080-U+009F, in UTF-8 0xC2 and a
    byte 0x80-0x9F. Only a file that has one is searched for where. UTF-16 is searched.
    """
    if encoding == "cp1252":
        return
    if encoding.startswith("utf-8"):
        if len(data.translate(None, _C0_BYTES)) != len(data):
            found = _C0_PATTERN.search(data)
            assert found is not None
            raise _control_error(data, found.start(), found.group()[0])
        if b"\xc2" not in data:
            return
    found = CONTROL_CHARACTERS.search(text)
    if found is not None:
        raise _control_error(text, found.start(), ord(found.group()))


def _control_error(buffer: str | bytes, offset: int, code: int) -> ParseError:
    """The rejection of a control character at `offset`: its line and column."""
    if code == 0 and buffer.count(buffer[offset : offset + 1]) * 4 > len(buffer):
        return ParseError(
            "the file looks like UTF-16 ('Unicode text' from Excel) without a byte order "
            f"mark: {SAVE_AS_CSV}",
            "encoding",
        )
    text = buffer if isinstance(buffer, str) else buffer.decode("latin-1")  # offsets kept
    breaks = _LINE_BREAK.findall(text, 0, offset)
    line = len(breaks) + 1
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    column = text.count(";", line_start, offset) + 1
    first = text.lstrip(" \t\r\n\ufeff").removeprefix("\xef\xbb\xbf")
    header = _LINE_BREAK.split(first, 1)[0].split(";")
    name = _masked(header[column - 1].strip()) if column <= len(header) else ""
    where = f"column {name} ({column})" if name.strip("?") else f"column {column}"
    label = " (NUL)" if code == 0 else ""
    return ParseError(
        f"line {line}, {where} holds the control character U+{code:04X}{label}: remove it "
        f"from the export / rad {line}, kolumn {column} innehåller ett styrtecken: ta bort "
        "det ur exporten",
        "control-character",
    )


def _read_cells(
    buffer: bytes, text: str, headers: list[str], first_line: int
) -> tuple[pl.DataFrame, pl.Series]:
    """Every cell as text, and the line of the file each row starts on.

    Rectangular and free of quotes (every ordinary export): the row's line is its
    position, checked by counting `;` in the whole file. Otherwise the lines are
    looked at one by one (a line with a quote with Python's csv reader). Only when a
    quoted cell holds a line break, or Polars refuses a quote Python's csv reader takes
    (`Skärm 24"` unquoted), is the whole file read by Python's csv reader: slower, and
    rare.
    """
    try:
        frame = pl.read_csv(
            buffer,
            separator=";",
            infer_schema=False,
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
        failure = None
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        frame, failure = None, exc
    read = frame is not None and frame.width == len(headers)
    quoted = b'"' in buffer
    numbers = _rectangular(buffer, frame, headers, quoted, first_line) if read else None
    if numbers is not None:
        return frame, numbers
    numbers = _check_lines(buffer, len(headers), first_line)
    if numbers is not None and read and len(numbers) == frame.height:
        return frame, numbers
    if quoted:
        records, lines = _csv_records(text, len(headers), first_line)
        if read and len(lines) == frame.height:
            return frame, pl.Series(lines, dtype=pl.Int32)
        # Polars refuses what Python's csv reads: the csv reader's cells, as text.
        frame = pl.DataFrame(records, schema=[f"c{i}" for i in range(len(headers))], orient="row")
        return frame, pl.Series(lines, dtype=pl.Int32)
    detail = str(failure).splitlines()[0] if failure is not None else "unexpected shape"
    raise ParseError(
        f"not a ;-separated file with a header row ({detail}): {SAVE_AS_CSV}", "unreadable"
    )


def _rectangular(
    buffer: bytes, frame: pl.DataFrame, headers: list[str], quoted: bool, first_line: int
) -> pl.Series | None:
    """The line each row starts on, when every line has the header's cells: the file's
    `;` outside cells are exactly (columns - 1) per record, header included. None
    otherwise (the lines are then looked at one by one).

    Polars refuses a line with too many cells, so a line with too few would lower the
    count (blank lines too). The `;` and line breaks inside quoted cells are counted in
    the cells Polars read: a row starts after the line breaks of the rows before it.
    """
    separators = buffer.count(b";") - sum(h.count(";") for h in headers)
    breaks = None
    if quoted:
        separators -= frame.select(
            pl.sum_horizontal(pl.all().str.count_matches(";", literal=True).sum())
        ).item()
        in_rows = frame.select(
            pl.sum_horizontal(pl.all().str.count_matches("\n", literal=True)).cast(pl.Int32)
        ).to_series()
        if in_rows.sum():
            breaks = in_rows
    if separators != (len(headers) - 1) * (frame.height + 1):
        return None
    numbers = _numbers(first_line + 1, frame.height)
    if breaks is not None:
        numbers = numbers + (breaks.cum_sum() - breaks)
    return numbers


def _numbers(first: int, count: int) -> pl.Series:
    return pl.int_range(first, first + count, dtype=pl.Int32, eager=True)


def _check_lines(buffer: bytes, columns: int, first_line: int) -> pl.Series | None:
    """The line numbers of the data lines, blank ones included; ragged lines raise.

    A line's cells are its `;` plus one; a line with a quote is read by Python's csv
    reader. None when such a line cannot be read on its own (a quoted cell holding a
    line break, or a broken quote): the caller then reads the whole file that way.
    Polars reads the lines as one column (NUL, rejected before, as the separator): a
    blank line is null.
    """
    try:
        lines = pl.read_csv(
            buffer,
            has_header=False,
            separator="\x00",
            quote_char=None,
            infer_schema=False,
            new_columns=["text"],
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
        return None
    data = lines.with_row_index("line", offset=first_line).slice(1)
    # Quoted cells (`"a;b"`, `"24"""`) count as one plain cell; a quote left over is
    # one Python's csv reader decides.
    plain = (
        pl.when(pl.col("text").str.contains('"', literal=True))
        .then(
            # Twice: a match takes the `;` after its cell, which the next cell needs.
            pl.col("text")
            .str.replace_all(_QUOTED_CELL, "${1}Q${2}")
            .str.replace_all(_QUOTED_CELL, "${1}Q${2}")
        )
        .otherwise(pl.col("text"))
    )
    cells = plain.str.count_matches(";", literal=True) + 1
    quote = plain.str.contains('"', literal=True).fill_null(False)
    odd = data.filter(cells.ne(columns) | quote).select("line", "text", cells.alias("cells"))
    ragged: list[tuple[int, int]] = []
    for line, text, _ in odd.iter_rows():
        cells_of_line = text.split(";")
        if '"' in text:
            try:
                cells_of_line = next(csv.reader([text], delimiter=";", strict=True))
            except csv.Error:
                return None
        count = len(cells_of_line)
        if count != columns and any(c.strip() for c in cells_of_line):
            ragged.append((line, count))
    if ragged:
        _raise_ragged([r[0] for r in ragged], [r[1] for r in ragged], columns)
    return data["line"].cast(pl.Int32)


def _csv_records(
    text: str, columns: int, first_line: int
) -> tuple[list[list[str]] | None, list[int]]:
    """Python's csv reading of a file with quotes: each record's cells and first line.

    A quote that is not closed, or text right after a closing quote, raises `quotes`;
    ragged records raise `ragged-line`. Blank records come back as empty cells.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    records: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    start = first_line
    try:
        for fields in reader:
            if start != first_line:  # the header is not a row
                blank = not any(f.strip() for f in fields)
                if not blank and len(fields) != columns:
                    ragged.append((start, len(fields)))
                records.append(fields if not blank else [""] * columns)
                numbers.append(start)
            start = first_line + reader.line_num
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise ParseError(
                f"line {start} holds a cell of more than {_CSV_FIELD_LIMIT:,} characters (at "
                f"most {MAX_CELL_CHARS:,} per cell): shorten it in the export / rad {start}: "
                f"cellen är för lång (högst {MAX_CELL_CHARS} tecken)",
                "cell-length",
            ) from exc
        raise ParseError(
            f"line {start}: a quoted cell is not closed, or text follows its closing "
            f"quote ({exc}): quote a cell holding '\"' and write that '\"' as '\"\"' (as "
            f"Excel's CSV (semicolon) does) / rad {start}: citattecken som inte stängs",
            "quotes",
        ) from exc
    if ragged:
        _raise_ragged([r[0] for r in ragged], [r[1] for r in ragged], columns)
    return records, numbers


def _raise_ragged(lines: list[int], cells: list[int], columns: int) -> None:
    raise RaggedLines(lines, cells, str(columns))


class RaggedLines(ParseError):
    """Lines with more or fewer cells than the header: which, how many cells each, and the
    header's count as said (`header`: "11", or "11 and the ';' ending every line")."""

    def __init__(self, lines: list[int], cells: list[int], header: str) -> None:
        self.lines, self.cells = lines, cells
        first = f"line {lines[0]} has {cells[0]} cells"
        others = f"; in all {_lines(lines)}" if len(lines) > 1 else ""
        rader = _lines(lines).replace("lines", "rad").replace("line", "rad")
        super().__init__(
            f"{first}, the header {header}{others}: every line must have the header's "
            "columns (a ';' inside a cell must be quoted) / varje rad ska ha lika många "
            f"fält som rubrikraden ({rader})",
            "ragged-line",
        )


def _check_header_not_repeated(frame: pl.DataFrame, headers: list[str]) -> None:
    """No row is the header row again (two exports put together, each with its header).

    Each of its cells then broke its column's rule ("Period is a period YYYYMM: line
    5845: 'Period'", and five rules more), which did not say what happened. One compare
    of the first column on every file (~3 ms for a million rows); the rest only if that
    one finds its header. An appended UTF-8 export keeps its byte-order mark before its
    header's first cell (`\ufeffPeriod`): that is its header too.
    """
    named = [(f"column {i + 1}", h.strip()) for i, h in enumerate(headers) if h.strip()]
    if not named:
        return
    (first, header), rest = named[0], named[1:]
    starts = pl.col(first).is_in([header, "\ufeff" + header])
    if not frame.select(starts.any()).item():
        return
    again = frame.filter(pl.all_horizontal(starts, *(pl.col(c) == h for c, h in rest)))
    again = again["line_number"]
    if again.len():
        lines = again.to_list()
        shown = ", ".join(str(n) for n in lines[:SHOWN])
        one = len(lines) == 1
        raise ParseError(
            f"{_lines(lines)} {'repeats' if one else 'repeat'} "
            f"the header row (were exports put together?): delete {'it' if one else 'them'}, "
            f"and check that no rows are there twice / {'rad' if one else 'raderna'} {shown} "
            f"upprepar rubrikraden: ta bort {'den' if one else 'dem'} och kontrollera att inga "
            "rader finns två gånger",
            "repeated-header",
        )


def _drop_unnamed(frame: pl.DataFrame, headers: list[str]) -> pl.DataFrame:
    """Drop columns without a header whose cells are all empty; refuse ones with values."""
    unnamed = [f"column {i + 1}" for i, h in enumerate(headers) if not h.strip()]
    if not unnamed:
        return frame
    counts = frame.select(pl.col(unnamed).is_not_null().sum()).row(0)
    for column, filled in zip(unnamed, counts, strict=True):
        if filled:
            line = frame.filter(pl.col(column).is_not_null())["line_number"][0]
            raise ParseError(
                f"{column} has no header but {filled} cell(s) with values (first on line "
                f"{line}): give it a header or remove it / {column.replace('column', 'kolumn')}"
                " saknar rubrik men har värden: ge den en rubrik eller ta bort den",
                "unnamed-column",
            )
    return frame.drop(unnamed)


def _check_cell_length(frame: pl.DataFrame, headers: list[str]) -> None:
    """No cell over `MAX_CELL_CHARS`: one max over byte lengths, characters only if over."""
    columns = [c for c in frame.columns if c != "line_number"]
    if not columns:
        return
    longest = frame.select(pl.col(columns).str.len_bytes().max()).row(0)
    for column, size in zip(columns, longest, strict=True):
        if size is None or size <= MAX_CELL_CHARS:
            continue
        chars = pl.col(column).str.len_chars()
        over = frame.filter(chars > MAX_CELL_CHARS).select("line_number", chars.alias("n"))
        if not over.height:
            continue
        number = int(column.removeprefix("column "))
        name = _masked(headers[number - 1].strip())
        raise ParseError(
            f"line {over['line_number'][0]}, column {name} holds {over['n'][0]:,} characters "
            f"(at most {MAX_CELL_CHARS:,} per cell"
            f"{f'; {over.height} cells in all' if over.height > 1 else ''}): shorten it in "
            f"the export / rad {over['line_number'][0]}, kolumn {name}: cellen är för lång "
            f"(högst {MAX_CELL_CHARS} tecken)",
            "cell-length",
        )


def _masked(text: str) -> str:
    """A header as shown in a message: a personnummer in it masked, at most 60
    characters, and only if printable (a binary file's "header" is not shown)."""
    if not text.isprintable():
        return "?"
    shown = personnummer.mask(text)
    return shown if len(shown) <= 60 else f"{shown[:57]}..."

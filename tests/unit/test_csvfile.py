"""Reading a delivered CSV file: no file raises anything but a named rejection.

Every malformed file ends as a `ParseError` whose text starts with its rule; every
awkward but valid one (CR-only line ends, UTF-16 `;`-separated, a `;` at the end of
every line, blank lines, quoted cells) reads, and the reference ledger so altered still
passes every suite. A required header missing from any source's file is a structure
rejection naming it, never an exception.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from sources._common.batch import Reference, for_validation
from sources._common.csvfile import MAX_CELL_CHARS, ParseError, decode, normalise_header
from sources._common.source import Source
from sources.huvudbok import SOURCE as HUVUDBOK
from sources.organisation import SOURCE as ORGANISATION
from sources.registry import SOURCES
from sources.verksamheter import SOURCE as VERKSAMHETER
from tests.conftest import ANSVAR, BALANS, ORGANISATIONSMAPPNING, RESULTATFOND, SERVICENAMNDEN

pytestmark = pytest.mark.unit

LEDGER = "huvudbok_201108.csv"
HEADER = "Period;Nämnd;Ansvar;Verksamhet;Konto;Projekt;Motpart;Belopp;Verifikation;Datum;Text"
LINE = "201108;142;14240;240;5710;;;51963,69;V201108-142-240-K0048;2011-08-12;Förbrukning"


def ledger(*lines: str, header: str = HEADER, end: str = "\r\n") -> str:
    return end.join([header, *lines]) + end


def parse(data: bytes, name: str = LEDGER, source: Source = HUVUDBOK):
    return source.parse(data, name, {})


def rejected(data: bytes, source: Source = HUVUDBOK, name: str = LEDGER) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(data, name, source)
    error = caught.value
    assert "\n" not in str(error)  # one line
    assert str(error).startswith(f"{error.rule}: ")
    return error


@pytest.fixture(scope="module")
def reference() -> Reference:
    """The codes of the reference registers, read through their own parsers."""
    organisation = ORGANISATION.parse(
        (SERVICENAMNDEN / "organisation.csv").read_bytes(), "organisation.csv", {}
    )
    activities = VERKSAMHETER.parse(
        (SERVICENAMNDEN / "verksamheter.csv").read_bytes(), "verksamheter.csv", {}
    )
    return Reference(
        namnd_codes=frozenset(organisation.rows["kod"].drop_nulls().to_list()),
        verksamheter=frozenset(activities.rows.select("namnd", "verksamhet").iter_rows()),
    )


def reference_ledger() -> list[str]:
    """The reference August ledger's lines (cp1252, CRLF), header first."""
    return (SERVICENAMNDEN / LEDGER).read_bytes().decode("cp1252").splitlines()


# --- rejected, each with its rule ------------------------------------------------------

REJECTED: list[tuple[str, bytes, str, list[str]]] = [
    (
        "utf16-tab (Excel 'Unicode text')",
        ledger(LINE.replace(";", "\t"), header=HEADER.replace(";", "\t")).encode("utf-16"),
        "separator",
        ["tab-separated", "'Unicode text' from Excel", "CSV (semicolon)"],
    ),
    (
        "utf8-tab",
        ledger(LINE.replace(";", "\t"), header=HEADER.replace(";", "\t")).encode(),
        "separator",
        ["tab-separated", "CSV (semicolon)"],
    ),
    (
        "comma-separated",
        ledger(LINE.replace(";", ","), header=HEADER.replace(";", ",")).encode(),
        "separator",
        ["comma-separated", "CSV (semicolon)"],
    ),
    (
        "no separator at all",
        b"just some text\r\nmore text\r\n",
        "separator",
        ["no ';'"],
    ),
    (
        "xlsx renamed .csv",
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(200),
        "excel-workbook",
        ["Excel workbook, not a CSV export", "save it as CSV (semicolon)"],
    ),
    (
        "xls renamed .csv",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
        "excel-workbook",
        ["Excel workbook"],
    ),
    (
        "a portal's expired-session page saved as the export",
        "\ufeff\r\n<!DOCTYPE html>\r\n<html><head><title>Sessionen har gått ut</title>"
        "</head><body>Logga in igen; sidan</body></html>\r\n".encode(),
        "web-page",
        ["web page (HTML), not a CSV export", "export the data again as CSV", "webbsida"],
    ),
    (
        "a report saved as a web page (UTF-16, a table)",
        "<table><tr><td>Period</td><td>Nämnd</td></tr></table>".encode("utf-16"),
        "web-page",
        ["web page (HTML)"],
    ),
    (
        "an XHTML page (it opens as XML)",
        b'<?xml version="1.0"?>\n<!-- saved -->\n<html xmlns="http://www.w3.org/1999/xhtml">',
        "web-page",
        ["web page (HTML)"],
    ),
    (
        "Excel's XML spreadsheet named .csv",
        b'<?xml version="1.0"?>\r\n<?mso-application progid="Excel.Sheet"?>\r\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
        "excel-workbook",
        ["Excel XML spreadsheet, not a CSV export", "save it as CSV (semicolon)"],
    ),
    (
        "another XML file named .csv",
        b'<?xml version="1.0" encoding="utf-8"?><rows><row period="201101"/></rows>',
        "xml-file",
        ["XML file, not a CSV export"],
    ),
    (
        "a report's title and date above the header",
        ("Huvudbok augusti 2011\r\nUtskriven;2011-09-02\r\n\r\n" + ledger(LINE)).encode(),
        "header-not-first",
        [
            "the header row is line 4, not line 1",
            "delete the 3 line(s) above it (line 1: 'Huvudbok augusti 2011')",
            "rad 4",
        ],
    ),
    (
        "a title line with a personnummer above the header",
        ("Lönelista 19121212-1212\r\n" + ledger(LINE)).encode(),
        "header-not-first",
        ["(line 1: 'Lönelista 19121212-****')"],
    ),
    (
        "the header row again in the middle (two exports put together)",
        ledger(LINE, LINE, HEADER, LINE, f'"{HEADER}"'.replace(";", '";"')).encode(),
        "repeated-header",
        ["lines 4, 6 repeat the header row", "delete them", "raderna 4, 6 upprepar rubrikraden"],
    ),
    (
        "two UTF-8 exports put together, the second with its byte-order mark",
        b"\xef\xbb\xbf" + ledger(LINE, LINE).encode() + b"\xef\xbb\xbf" + ledger(LINE).encode(),
        "repeated-header",
        ["line 4 repeats the header row", "delete it"],
    ),
    (
        "a record terminator on some lines only",
        ledger(LINE + ";", LINE, LINE + ";").encode(),
        "ragged-line",
        ["line 2 has 12 cells, the header 11", "in all lines 2, 4"],
    ),
    (
        "a record terminator and a cell more on one line",
        ledger(LINE + ";", LINE + ";x;", LINE + ";").encode(),
        "ragged-line",
        ["line 3 has 13 cells, the header 11 and the ';' ending every line"],
    ),
    (
        "Excel's separator line names a comma",
        b"sep=,\r\n" + ledger(LINE.replace(";", ","), header=HEADER.replace(";", ",")).encode(),
        "separator",
        ["first line sep=, says its separator is ',' (comma)", "CSV (semicolon)"],
    ),
    (
        "Excel's separator line names a tab",
        b"sep=\t\r\n" + ledger(LINE.replace(";", "\t"), header=HEADER.replace(";", "\t")).encode(),
        "separator",
        ["separator is TAB"],
    ),
    (
        "only Excel's separator line",
        b"sep=;\r\n\r\n",
        "empty-file",
        ["no header row"],
    ),
    (
        "a report printed to PDF, named .csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\nx\x9c\xed\x8f\n",
        "pdf-document",
        ["PDF document, not a CSV export", "export the data itself as CSV"],
    ),
    (
        "gzip-compressed export named .csv",
        gzip.compress(ledger(LINE).encode()),
        "compressed-file",
        ["gzip-compressed", "gunzip"],
    ),
    (
        "NUL byte (UTF-8)",
        ledger(LINE, LINE.replace("Förbrukning", "För\x00brukning")).encode(),
        "control-character",
        ["line 3", "column Text (11)", "U+0000"],
    ),
    (
        "NUL byte (cp1252)",
        ledger(LINE.replace("V201108", "V2011\x0008"), LINE).encode("cp1252"),
        "control-character",
        ["line 2", "column Verifikation (9)", "U+0000"],
    ),
    (
        "C0 control (BEL) with UTF-8 BOM",
        b"\xef\xbb\xbf" + ledger(LINE, LINE, LINE.replace("14240", "14\x07240")).encode(),
        "control-character",
        ["line 4", "column Ansvar (3)", "U+0007"],
    ),
    (
        "Ctrl-Z (DOS's end-of-file mark) before the end",
        ledger(LINE, LINE).encode("cp1252") + b"\x1a" + (LINE + "\r\n").encode("cp1252"),
        "control-character",
        ["line 4", "column Period (1)", "U+001A"],
    ),
    (
        "C1 control (NEL) in UTF-8",
        ledger(LINE.replace("Förbrukning", "För\x85brukning")).encode(),
        "control-character",
        ["line 2", "column Text (11)", "U+0085"],
    ),
    (
        "C0 control in UTF-16",
        ledger(LINE.replace("5710", "57\x1b10")).encode("utf-16"),
        "control-character",
        ["line 2", "column Konto (5)", "U+001B"],
    ),
    (
        "UTF-16 without BOM",
        ledger(LINE).encode("utf-16-le"),
        "encoding",
        ["UTF-16", "without a byte order mark"],
    ),
    (
        "a UTF-8 line in a cp1252 file",
        ledger(LINE, LINE).encode("cp1252") + (LINE + "\r\n").encode("utf-8"),
        "mixed-encodings",
        ["line 4 UTF-8", "lines 1, 2, 3 Windows-1252", "one encoding"],
    ),
    (
        "a cp1252 line in a UTF-8 file",
        ledger(LINE, LINE).encode("utf-8") + (LINE + "\r\n").encode("cp1252"),
        "mixed-encodings",
        ["lines 1, 2, 3 UTF-8", "line 4 Windows-1252"],
    ),
    (
        "a cp1252 line in a UTF-8 file with BOM",
        b"\xef\xbb\xbf" + ledger(LINE).encode() + (LINE + "\r\n").encode("cp1252"),
        "mixed-encodings",
        ["line 3 Windows-1252"],
    ),
    (
        "neither UTF-8 nor Windows-1252",
        ledger(LINE).encode("cp1252").replace(b"V2011", b"V\x81011"),
        "encoding",
        ["neither UTF-8 nor Windows-1252", "0x81", "line 2"],
    ),
    (
        "a 10-million-character cell",
        ledger(LINE, LINE.replace("Förbrukning", "x" * 10_000_000)).encode("cp1252"),
        "cell-length",
        ["line 3", "column Text", "10,000,000 characters", f"at most {MAX_CELL_CHARS:,}"],
    ),
    (
        "a 10-million-character quoted cell",
        ledger(LINE.replace("Förbrukning", '"' + "x" * 10_000_000 + '"')).encode(),
        "cell-length",
        ["line 2"],
    ),
    (
        "a cell one character over the cap",
        ledger(LINE.replace("Förbrukning", "ö" * (MAX_CELL_CHARS + 1))).encode(),
        "cell-length",
        ["line 2", "column Text", f"{MAX_CELL_CHARS + 1:,} characters"],
    ),
    (
        "Belopp twice",
        ledger(LINE + ";5,00", header=HEADER + ";Belopp").encode(),
        "duplicate-column",
        ["column Belopp appears twice (columns 8 and 12): keep one"],
    ),
    (
        "Nämnd and NAMND",
        ledger(LINE + ";142", header=HEADER + ";NAMND").encode(),
        "duplicate-column",
        ["column Nämnd appears twice (columns 2 and 12)"],
    ),
    (
        "an unknown column twice",
        ledger(LINE + ";a;b", header=HEADER + ";Extra;extra ").encode(),
        "duplicate-column",
        ["column Extra appears twice (columns 12 and 13)"],
    ),
    (
        "a column named as the warehouse's own line_number",
        ledger(LINE + ";1", header=HEADER + ";line_number").encode(),
        "duplicate-column",
        ["line_number", "rename"],
    ),
    (
        "an unnamed column with values",
        ledger(LINE + ";", LINE + ";x", header=HEADER + ";").encode(),
        "unnamed-column",
        ["column 12 has no header", "line 3"],
    ),
    (
        "a line with fewer cells",
        ledger(LINE, "201108;142;14240", LINE).encode(),
        "ragged-line",
        ["line 3 has 3 cells, the header 11"],
    ),
    (
        "a line with more cells",
        ledger(LINE, LINE, LINE + ";extra").encode(),
        "ragged-line",
        ["line 4 has 12 cells, the header 11"],
    ),
    (
        "several ragged lines",
        ledger(*([LINE] * 3), *(["201108;142"] * 7)).encode(),
        "ragged-line",
        ["line 5 has 2 cells", "lines 5, 6, 7, 8, 9 (+2 more)"],
    ),
    (
        "a ragged line in a file with quotes",
        ledger(LINE.replace("Förbrukning", '"a;b"'), "201108;142").encode(),
        "ragged-line",
        ["line 3 has 2 cells"],
    ),
    (
        "a ragged line after a cell with a line break",
        ledger(LINE.replace("Förbrukning", '"två\r\nrader"'), LINE, "201108;142").encode(),
        "ragged-line",
        ["line 5 has 2 cells"],
    ),
    (
        "an unclosed quote",
        ledger(LINE, LINE.replace("Förbrukning", '"Förbrukning'), LINE).encode(),
        "quotes",
        ["line 3", "not closed"],
    ),
    (
        "text after a closing quote",
        ledger(LINE.replace("Förbrukning", '"Förbruk"ning')).encode(),
        "quotes",
        ["line 2"],
    ),
    ("an empty file", b"", "empty-file", ["empty"]),
    ("only whitespace", b" \r\n\t\r\n  \n", "empty-file", ["empty"]),
    ("only a UTF-8 BOM", b"\xef\xbb\xbf", "separator", ["no ';'"]),
]


@pytest.mark.parametrize(
    ("data", "rule", "words"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_malformed_file_is_a_named_rejection(data: bytes, rule: str, words: list[str]) -> None:
    error = rejected(data)
    assert error.rule == rule, str(error)
    for word in words:
        assert word in str(error), (word, str(error))


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_are_a_clean_rejection(seed: int) -> None:
    data = random.Random(seed).randbytes(random.Random(seed).randint(1, 5000))
    for source in SOURCES:
        if source.name == "sie":
            continue
        error = rejected(data, source, f"{source.name}_201108.csv")
        assert error.rule in {
            "control-character",
            "encoding",
            "separator",
            "excel-workbook",
            "compressed-file",
            "web-page",
            "xml-file",
            "header-not-first",
            "repeated-header",
            "pdf-document",
        }


def test_personnummer_in_a_header_is_masked_in_the_reason() -> None:
    error = rejected(ledger(LINE + ";1;2", header=HEADER + ";19121212-1212;19121212-1212").encode())
    assert error.rule == "duplicate-column"
    assert "19121212-****" in str(error) and "1212-1212" not in str(error)


# --- awkward but valid: read, with the file's own line numbers ------------------------

ACCEPTED: list[tuple[str, bytes, list[int]]] = [
    ("CRLF", ledger(LINE, LINE).encode("cp1252"), [2, 3]),
    ("LF", ledger(LINE, LINE, end="\n").encode("cp1252"), [2, 3]),
    ("CR only (old Mac)", ledger(LINE, LINE, end="\r").encode("cp1252"), [2, 3]),
    ("mixed line ends", (HEADER + "\r" + LINE + "\n" + LINE + "\r\n").encode(), [2, 3]),
    ("UTF-16 LE, ;-separated", ledger(LINE, LINE).encode("utf-16"), [2, 3]),
    ("UTF-16 BE, ;-separated", b"\xfe\xff" + ledger(LINE).encode("utf-16-be"), [2]),
    ("UTF-32 LE, ;-separated", ledger(LINE, LINE).encode("utf-32"), [2, 3]),
    ("UTF-32 BE, ;-separated", b"\x00\x00\xfe\xff" + ledger(LINE).encode("utf-32-be"), [2]),
    ("UTF-8 with BOM", b"\xef\xbb\xbf" + ledger(LINE).encode(), [2]),
    (
        "a ; at the end of every line",
        ledger(LINE + ";", LINE + ";", header=HEADER + ";").encode(),
        [2, 3],
    ),
    ("two empty columns at the end", ledger(LINE + ";;", header=HEADER + ";;").encode(), [2]),
    (
        "a ; ending every record but not the header (a record terminator)",
        ledger(LINE + ";", "", LINE + ";").encode("cp1252"),
        [2, 4],
    ),
    ("a trailing blank line", ledger(LINE, LINE).encode() + b"\r\n", [2, 3]),
    ("trailing blank lines, LF", ledger(LINE, end="\n").encode() + b"\n\n\n", [2]),
    ("a blank line inside", ledger(LINE, "", LINE).encode(), [2, 4]),
    ("lines of only ;", ledger(LINE, ";" * 10, " ; ;;", LINE, ";" * 10).encode(), [2, 5]),
    ("a whitespace line", ledger(LINE, "   ", LINE).encode(), [2, 4]),
    ("Excel's separator line", b"sep=;\r\n" + ledger(LINE, LINE).encode("cp1252"), [3, 4]),
    (
        "Excel's separator line, quoted and padded, a blank line after it",
        b'\xef\xbb\xbf"sep=;";;;\r\n\r\n' + ledger(LINE).encode(),
        [4],
    ),
    ("blank lines before the header", b"\r\n\r\n" + ledger(LINE).encode(), [4]),
    (
        "a quoted cell with ;",
        ledger(LINE.replace("Förbrukning", '"För;brukning"'), LINE).encode(),
        [2, 3],
    ),
    (
        "a quoted cell with a line break",
        ledger(LINE.replace("Förbrukning", '"För\r\nbrukning"'), LINE).encode(),
        [2, 4],
    ),
    ("a doubled quote", ledger(LINE.replace("Förbrukning", '"Skärm 24"""'), LINE).encode(), [2, 3]),
    (
        "a quote inside an unquoted cell",
        ledger(LINE.replace("Förbrukning", 'Skärm 24"'), LINE).encode(),
        [2, 3],
    ),
    (
        "quoted headers",
        ledger(LINE, header=";".join(f'"{h}"' for h in HEADER.split(";"))).encode(),
        [2],
    ),
    ("a cell at the cap", ledger(LINE.replace("Förbrukning", "ö" * MAX_CELL_CHARS)).encode(), [2]),
    (
        "Windows-1252 with – and €",
        ledger(LINE.replace("Förbrukning", "Möte – 5 €")).encode("cp1252"),
        [2],
    ),
    ("UTF-8 with no-break space", ledger(LINE.replace("51963,69", "51\u00a0963,69")).encode(), [2]),
    ("TAB inside a cell", ledger(LINE.replace("Förbrukning", "För\tbrukning")).encode(), [2]),
    (
        "every cell quoted, a blank line inside",
        ledger(
            *(";".join(f'"{c}"' for c in line.split(";")) for line in [LINE, "", LINE]),
            header=";".join(f'"{h}"' for h in HEADER.split(";")),
        ).encode(),
        [2, 4],
    ),
    (
        "DOS's end-of-file mark (Ctrl-Z) at the end",
        ledger(LINE, LINE).encode("cp1252") + b"\x1a",
        [2, 3],
    ),
    ("header only", (HEADER + "\r\n").encode(), []),
    ("header and blank lines only", (HEADER + "\r\n\r\n;;;\r\n").encode(), []),
]


@pytest.mark.parametrize(
    ("data", "lines"), [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED]
)
def test_awkward_but_valid_file_is_read(data: bytes, lines: list[int]) -> None:
    parsed = parse(data)
    assert parsed.rows["line_number"].to_list() == lines
    assert parsed.missing_headers == ()
    assert parsed.extra_columns == ()
    if lines:
        first = parsed.rows.row(0, named=True)
        assert first["namnd"] == "142" and first["konto"] == "5710"
        assert str(first["belopp"]) == "51963.69"


def test_quoted_cells_keep_their_text() -> None:
    parsed = parse(
        ledger(
            LINE.replace("Förbrukning", '"För;brukning"'),
            LINE.replace("Förbrukning", '"Skärm 24"""'),
            LINE.replace("Förbrukning", '"två\r\nrader"'),
        ).encode()
    )
    assert parsed.rows["text"].to_list() == ["För;brukning", 'Skärm 24"', "två\r\nrader"]


def test_utf16_reads_as_utf16() -> None:
    assert decode(ledger(LINE).encode("utf-16")) == (ledger(LINE), "utf-16")
    assert parse(ledger(LINE).encode("utf-16")).encoding == "utf-16"


def test_utf32_is_not_taken_for_utf16() -> None:
    """UTF-32's little-endian mark begins with UTF-16's: a UTF-32 file read as UTF-16
    was rejected as "UTF-16 without a byte order mark", which told the controller wrong."""
    assert decode(ledger(LINE).encode("utf-32")) == (ledger(LINE), "utf-32")
    assert parse(ledger(LINE).encode("utf-32")).encoding == "utf-32"


def test_unknown_columns_stay_extra_and_unnamed_empty_ones_go() -> None:
    parsed = parse(ledger(LINE + ";x;", header=HEADER + ";Kommentar;").encode())
    assert parsed.extra_columns == ("Kommentar",)
    assert parsed.rows["extra"].to_list() == ['{"Kommentar":"x"}']


# Edits of the reference August ledger that must still pass every suite.
VALID_EDITS: dict[str, Callable[[list[str]], bytes]] = {
    "trailing blank line": lambda lines: ("\r\n".join(lines) + "\r\n\r\n").encode("cp1252"),
    "; at every line end": lambda lines: "".join(f"{line};\r\n" for line in lines).encode("cp1252"),
    "CR only": lambda lines: ("\r".join(lines) + "\r").encode("cp1252"),
    "UTF-16 ;-separated": lambda lines: ("\r\n".join(lines) + "\r\n").encode("utf-16"),
    "blank and ; lines": lambda lines: (
        "\r\n".join([*lines[:10], "", ";;;;;;;;;;", *lines[10:], "", ""])
    ).encode("cp1252"),
}


@pytest.mark.parametrize("edit", list(VALID_EDITS), ids=list(VALID_EDITS))
def test_awkward_reference_ledger_passes_every_suite(edit: str, reference: Reference) -> None:
    lines = reference_ledger()
    parsed = parse(VALID_EDITS[edit](lines))
    assert parsed.row_count == len(lines) - 1
    outcomes = HUVUDBOK.check(parsed, reference)
    assert [f.summary() for o in outcomes for f in o.failures] == []


def test_line_numbers_skip_blank_lines_as_in_the_file(reference: Reference) -> None:
    """A rule broken after a blank line names the line as the file numbers it."""
    lines = reference_ledger()
    cells = lines[20].split(";")
    cells[4] = "61100"
    edited = [*lines[:10], "", *lines[10:20], ";".join(cells), *lines[21:]]
    parsed = parse(("\r\n".join(edited) + "\r\n").encode("cp1252"))
    failures = [f for o in HUVUDBOK.check(parsed, reference) for f in o.failures]
    assert failures and failures[0].lines == (22,)  # line 21 of the file, one blank before


# --- a required header missing: a structure rejection for every source ---------------

REFERENCE_FILE = {
    "organisation": "organisation.csv",
    "verksamheter": "verksamheter.csv",
    "huvudbok": "huvudbok_201108.csv",
    "budget": "budget_2011_1.csv",
    "prognos": "prognos_2011_T1.csv",
    "lon": "lon_201108.csv",
    "sjukfranvaro": "sjukfranvaro_201108.csv",
    "medarbetarenkat": "medarbetarenkat_2010.csv",
    "indikatorer": "indikatorer_2011_T2.csv",
    # Kept beside the reference folder (loaded after it), not inside it.
    "kommentarer": "../kommentarer/kommentarer_2011_T2.csv",
    # Kept with the tests (tests/fixtures/; SERVICENAMNDEN / an absolute path is the path).
    "resultatfond": str(RESULTATFOND),
    "balans": str(BALANS),
    "organisationsmappning": str(ORGANISATIONSMAPPNING),
    "ansvar": str(ANSVAR),
}
CSV_SOURCES = [s for s in SOURCES if s.name != "sie"]  # SIE has records, not headers
MISSING = [(s, c.header) for s in CSV_SOURCES for c in s.contract.columns if c.required]


def test_every_csv_source_has_a_reference_file() -> None:
    assert {s.name for s in CSV_SOURCES} == set(REFERENCE_FILE)
    assert {s.name for s in SOURCES} - {s.name for s in CSV_SOURCES} == {"sie"}


def without_column(source: Source, header: str) -> bytes:
    """The source's reference file with the column `header` left out of every line."""
    data = (SERVICENAMNDEN / REFERENCE_FILE[source.name]).read_bytes()
    text, encoding = decode(data)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    names = [normalise_header(h) for h in rows[0]]
    drop = names.index(normalise_header(header))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([c for i, c in enumerate(row) if i != drop] for row in rows)
    return out.getvalue().encode("utf-8-sig" if encoding == "utf-8-sig" else encoding)


@pytest.mark.parametrize(("source", "header"), MISSING, ids=[f"{s.name}-{h}" for s, h in MISSING])
def test_missing_required_header_is_a_structure_rejection(
    source: Source, header: str, reference: Reference
) -> None:
    name = Path(REFERENCE_FILE[source.name]).name
    parsed = source.parse(without_column(source, header), name, {})
    assert parsed.missing_headers == (header,)

    outcomes = source.check(parsed, reference)

    assert [o.suite for o in outcomes] == [f"{source.name}.structure"]
    [failure] = [f for f in outcomes[0].failures if "required columns" in f.rule]
    assert f"missing: {header}" in failure.rule


def test_derived_columns_over_a_missing_column_are_null() -> None:
    """`for_validation`: a derived column may read a missing required column (it reads
    nulls), and the missing column stays missing for the structure suite."""
    parsed = parse(without_column(HUVUDBOK, "Nämnd"))
    pair = pl.concat_str([pl.col("namnd"), pl.col("verksamhet")], separator=" / ")
    cells = for_validation(parsed, namnd_verksamhet=pair)
    assert "namnd" not in cells.columns
    assert cells["namnd_verksamhet"].is_null().all()


@pytest.mark.parametrize("source", CSV_SOURCES, ids=[s.name for s in CSV_SOURCES])
def test_reference_file_still_passes(source: Source, reference: Reference) -> None:
    path = SERVICENAMNDEN / REFERENCE_FILE[source.name]
    parsed = source.parse(path.read_bytes(), path.name, {})
    assert parsed.missing_headers == ()
    outcomes = source.check(parsed, reference)
    assert [f.summary() for o in outcomes for f in o.failures] == []

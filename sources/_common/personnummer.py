"""Personnummer and samordningsnummer: find them anywhere, mask them everywhere.

Person-level data must never enter the warehouse. Every cell, header, file name and
SIE record is searched for a Swedish personnummer (or samordningsnummer, the day + 60)
in each of the forms an export or a hand-typed text can hold it:

    YYYYMMDDNNNN   YYYYMMDD-NNNN   YYYYMMDD+NNNN   YYYYMMDD NNNN   YYYYMMDD–NNNN
    YYMMDDNNNN     YYMMDD-NNNN     YYMMDD+NNNN     YYMMDD NNNN     YYMMDD–NNNN

The dash may be `-`, any of U+2010–U+2015 (hyphen, non-breaking hyphen, figure dash,
en dash, em dash, horizontal bar) or U+2212 (minus sign); the space an ordinary, a
no-break or a narrow no-break space. The century, when given, is 19 or 20. Month
01–12, day 01–31 or 61–91 (samordningsnummer). The number is not preceded or followed
by another digit, so a 13-digit id or a longer amount is not one.

The Luhn check digit (over the ten digits YYMMDDNNNC) is required only where a form
is easily something else:

- a bare 10-digit run (`1212121212`): an invoice or customer number, a voucher id or
  an amount in öre can be 10 digits. Of uniformly random 10-digit numbers 7.4 % have a
  plausible month and day (12/100 × 62/100); the check digit leaves 0.74 %;
- a space-separated form (`121212 1212`, `19121212 1212`): a date and a time, a
  date and an amount in a free text, or two SIE fields (`#PSALDO 0 201101 6110`: a
  period and an account; SIE records are searched field by field for that reason).

A form with a dash or plus (`121212-1212`, `19121212-1212`, `121212–1212`) or a bare
12-digit run with the century (`191212121212`) is flagged whether or not its check
digit holds: it is written the way only a personnummer is written, a mistyped check
digit is still a person, and two of the forms issue 12 names fail Luhn themselves
(`121272-1212`, `198501621234`), as do the made-up values of the tests
(`19710315-1234`). `19121212-1212`, the Swedish Tax Agency's test person, passes.
The price: an id written as a date, a dash and four digits (`20110820-0001`) is taken
for a personnummer and its file rejected; the city's voucher ids (`V201108-142-240`)
and organisation numbers (`212000-0142`, month 20) are not, and no export of the
reference or the demo holds such an id.

Measured false positives (2026-12-05; `tests/integration/test_personnummer.py` scans
the same files and asserts them):

- the reference exports `servicenamnden-2011/*`: 74 files, 102,679 cells (headers
  included) and file names: 0 hits, and 0 candidates even before the Luhn rule;
- the SIE reference files: 3 files, 3,605 records and names: 1 hit, the sole trader's
  `#ORGNR 550226-1513` of BLBLOV_SIE4.SI, which is his personnummer (a true hit);
- the demo city of 2022–2024 (`demo.write_demo_city`): 153 files, 4,752,343
  cells and file names: 1 candidate and 1 hit, the one personnummer its bad file
  `huvudbok_202410_140_rattelse.csv` was made with; 0 false positives;
- the public data of `shared/reference/public-data` (Kolada, RS): 9,942 cells, 0.

So on real data the false-positive rate is 0 with or without the Luhn rule; the rule
is there for numbers the reference does not happen to hold.

Cost: the candidate search is one vectorised Polars regex per text column; Python
(Luhn, masking) runs only on the candidate cells.

Masking keeps everything but the last four digits of each hit: `19121212-1212` ->
`19121212-****`, `1212121212` -> `121212****`. Only the quarantined file itself keeps
the value; every reason, report, event-log row and docs page shows it masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import polars as pl

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
SPACES = " \u00a0\u202f"
SEPARATORS = f"+{DASHES}{SPACES}"

_MONTH = r"(?:0[1-9]|1[0-2])"
# Day 01–31, or 61–91 for a samordningsnummer.
_DAY = r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"
_SEP_CLASS = "[" + re.escape(SEPARATORS) + "]"

# One hit: optional century, YYMMDD, optional separator, NNNN. Not inside a digit run.
_FORM = (
    rf"(?P<century>19|20)?(?P<date>[0-9]{{2}}{_MONTH}{_DAY})"
    rf"(?P<sep>{_SEP_CLASS})?(?P<serial>[0-9]{{4}})"
)
_PYTHON = re.compile(rf"(?<![0-9]){_FORM}(?![0-9])")

# The same shape for Polars (Rust regex: no look-around): a cell that matches this is
# a candidate; only candidates are searched in Python, with the Luhn rule.
CANDIDATE_PATTERN = (
    rf"(?:^|[^0-9])(?:19|20)?[0-9]{{2}}{_MONTH}{_DAY}{_SEP_CLASS}?[0-9]{{4}}(?:[^0-9]|$)"
)


def luhn_ok(ten_digits: str) -> bool:
    """The Luhn check over YYMMDDNNNC (weights 2, 1, 2, 1, ...)."""
    total = 0
    for i, char in enumerate(ten_digits):
        product = int(char) * (2 - i % 2)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


# Random UUIDs (GX writes them into every data docs page) hold digit runs of the dash
# form about once in a few thousand: `...a360606-3899-...` is an id, not a person.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _inside_uuid(match: re.Match[str]) -> bool:
    start = max(match.start() - 36, 0)
    window = match.string[start : match.end() + 36]
    return any(
        u.start() + start <= match.start() and match.end() <= u.end() + start
        for u in _UUID.finditer(window)
    )


def _is_hit(match: re.Match[str]) -> bool:
    if _inside_uuid(match):
        return False
    sep = match.group("sep")
    if sep is not None and sep not in SPACES:
        return True  # dash or plus: written as only a personnummer is written
    if sep is None and match.group("century"):
        return True  # 12 digits with the century
    return luhn_ok(match.group("date") + match.group("serial"))


def _matches(text: str) -> Iterator[re.Match[str]]:
    """The hits in `text`, left to right, not overlapping.

    A shape that is no hit (a space form failing Luhn, `20110915 1500`) is passed by
    one character: what follows its first digit is preceded by a digit, so no shorter
    form inside it can be one either.
    """
    pos = 0
    while (match := _PYTHON.search(text, pos)) is not None:
        if _is_hit(match):
            yield match
            pos = match.end()
        else:
            pos = match.start() + 1


def find(text: str | None) -> list[str]:
    """Every personnummer or samordningsnummer in `text`, as written there."""
    if not text:
        return []
    return [m.group(0) for m in _matches(text)]


def mask(text: str | None) -> str:
    """`text` with the last four digits of every hit replaced by `****`."""
    if not text:
        return text or ""
    parts = []
    last = 0
    for match in _matches(text):
        start = match.start("serial")
        parts.append(text[last:start])
        parts.append("****")
        last = match.end("serial")
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def contains(text: str | None) -> bool:
    """Whether `text` holds a personnummer or samordningsnummer."""
    return bool(text) and next(_matches(text or ""), None) is not None


def masked_hits(values: pl.Series, shown: pl.Series | None = None) -> pl.Series:
    """Per cell: the cell masked when it holds a personnummer, else null.

    `shown`, when given, is what to show (masked) for a hit instead of the searched
    value itself: a SIE record's line as delivered, searched field by field.
    Vectorised candidate search in Polars; Python only on candidate cells, so a
    1 M-row month with no personnummer costs one regex pass per column.
    """
    text = values if values.dtype == pl.String else values.cast(pl.String)
    candidates = text.str.contains(CANDIDATE_PATTERN).fill_null(False)
    if not candidates.any():
        return _nothing(len(text)).alias(values.name)
    result = pl.repeat(None, len(text), dtype=pl.String, eager=True).alias(values.name)
    index = candidates.arg_true()
    show = (shown if shown is not None else text).gather(index).to_list()
    masked = [
        mask(s if s is not None else v) if contains(v) else None
        for v, s in zip(text.gather(index).to_list(), show, strict=True)
    ]
    return result.scatter(index, pl.Series(masked, dtype=pl.String))


def _nothing(length: int) -> pl.Series:
    """A check column with no finding: all null, of Polars' Null type.

    It becomes a pandas column of None in milliseconds; an all-null String column of a
    million rows took ~0.3 s to convert (measured), and a month has a dozen columns.
    """
    return pl.repeat(None, length, dtype=pl.Null, eager=True)


def check_name(column: str) -> str:
    """The derived check column of a text column (its header masked, never the raw one).

    A failure reads "... in column text (masked): 1 row(s): line 2: 'Lön 121212-****'".
    """
    return f"{mask(column)} (masked)"


def check_columns(frame: pl.DataFrame, skip: Iterable[str] = ("line_number",)) -> dict:
    """`check_name(column)` -> `masked_hits` for every column of `frame` but `skip`.

    Every column, so that each rule `expectations` makes has its check column: the raw
    frames are text throughout; a number is searched as its text.
    """
    skipped = set(skip)
    return {
        check_name(column): (
            _nothing(frame.height).alias(column)
            if dtype.is_nested()
            else masked_hits(frame[column])
        )
        for column, dtype in frame.schema.items()
        if column not in skipped
    }


def rule_label(header: str) -> str:
    """The rule a cell with a personnummer fails, as a controller reads it."""
    return (
        f"no personnummer-like value in {mask(header)} (no personnummer or "
        "samordningsnummer: person-level data must never enter; remove it from the export "
        "/ inga personnummer eller samordningsnummer: ta bort dem ur exporten)"
    )


def header_rule_label(header: str) -> str:
    """The rule a column header with a personnummer fails."""
    return (
        f"no personnummer-like value in a column header ({mask(header)!r}: person-level "
        "data must never enter; remove or rename that column in the export / inga "
        "personnummer i kolumnrubriker: ta bort eller döp om kolumnen)"
    )


def expectations(headers: dict[str, str]) -> list:
    """Great Expectations rules: no personnummer in any cell of `headers`' columns
    (column name -> header as delivered), nor in a header itself.

    Each cell rule reads the column's `check_columns` column, which holds the masked
    cell where a personnummer is found: the failure names the line and the masked
    value, never the value itself. A header rule exists only for a header that holds
    one: it expects a column named `header '<the header masked>'`, which no export has,
    so the rule fails and its report shows only the masked header.
    """
    import great_expectations as gx

    from sources._common.validation import rule

    result = []
    for column, header in headers.items():
        if contains(header):
            result.append(
                rule(
                    gx.expectations.ExpectColumnToExist(column=f"header {mask(header)!r}"),
                    header_rule_label(header),
                )
            )
        result.append(
            rule(
                gx.expectations.ExpectColumnValuesToBeNull(column=check_name(column)),
                rule_label(header),
            )
        )
    return result


def file_name_failure(file_name: str) -> str | None:
    """A one-line, masked rejection reason when a file name holds a personnummer."""
    if not contains(file_name):
        return None
    return (
        f"no personnummer or samordningsnummer in the file name ({mask(file_name)!r}): "
        "rename the export without it / inget personnummer eller samordningsnummer i "
        "filnamnet: döp om filen utan det (person-level data must never enter)"
    )

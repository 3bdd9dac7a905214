"""SIE 4 records: each line of a file as its label and fields (SIE 4B, §5.3–5.7).

Pure functions on text, no I/O. A record is `#LABEL field field ...`: fields are
separated by spaces or tabs, may be quoted (`"Kontant lön"`, a quote inside written as
`\\"`), and an object list `{1 "100" 6 "P1"}` is one field of (dimension, object)
pairs. The braces that open and close a voucher's transactions stand alone on their
lines (§5.4) and are records of their own, labelled `{` and `}`.

>>> split_fields('#TRANS 1910 {1 "100" 6 "P1"} -300.00 20210101 "Porto \\\\"A\\\\""')
['#TRANS', '1910', ('1', '100', '6', 'P1'), '-300.00', '20210101', 'Porto "A"']
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

Field = str | tuple[str, ...]  # a word, a quoted string, or an object list's items

_BLANKS = " \t"
_BLOCK = frozenset({"{", "}"})


class SieSyntaxError(ValueError):
    """A line that is no SIE record: the message names the line and what is wrong."""

    def __init__(self, line_number: int, problem: str, line: str) -> None:
        super().__init__(f"line {line_number}: {problem}: {line.strip()!r}")
        self.line_number = line_number


@dataclass(frozen=True)
class Record:
    """One line of a SIE file: its label (`#VER`, `#TRANS`, `{`, `}`) and its fields."""

    line_number: int  # 1-based, blank lines counted
    label: str  # upper case, with its `#`
    fields: tuple[Field, ...]
    text: str  # the line as delivered (decoded), for the expectations' messages

    def field(self, index: int, default: str = "") -> str:
        """A word field by position, `default` when absent; an object list is an error."""
        if index >= len(self.fields):
            return default
        value = self.fields[index]
        if isinstance(value, tuple):
            raise SieSyntaxError(
                self.line_number, f"field {index + 1} is an object list", self.text
            )
        return value

    def objects(self, index: int) -> tuple[tuple[str, str], ...]:
        """The (dimension, object) pairs of the object list at `index` (`{}`: none)."""
        value = self.fields[index] if index < len(self.fields) else ()
        if not isinstance(value, tuple):
            raise SieSyntaxError(
                self.line_number, f"field {index + 1} is not an object list {{...}}", self.text
            )
        if len(value) % 2:
            raise SieSyntaxError(
                self.line_number,
                "an object list holds pairs of dimension and object number",
                self.text,
            )
        return tuple(zip(value[::2], value[1::2], strict=True))


def split_fields(line: str, line_number: int = 1) -> list[Field]:
    """The fields of one line, quotes removed and `\\"` unescaped.

    A backslash before anything but a quote is kept as it is: real exports write paths
    like `"1110\\1002 Hus 1:1"` (BLBLOV_SIE4.SE) and the spec escapes only quotes.

    >>> split_fields('#VER "K" "" 20180502 "Porto 25%"')
    ['#VER', 'K', '', '20180502', 'Porto 25%']
    >>> split_fields("#TRANS 1910 { } -1000.00")
    ['#TRANS', '1910', (), '-1000.00']
    """
    fields: list[Field] = []
    objects: list[str] | None = None  # items of an open object list
    word: list[str] = []
    position = 0

    def emit(value: str) -> None:
        (objects if objects is not None else fields).append(value)

    def end_word() -> None:
        if word:
            emit("".join(word))
            word.clear()

    while position < len(line):
        char = line[position]
        if char in _BLANKS:
            end_word()
        elif char == '"':
            end_word()
            value, position = _quoted(line, position, line_number)
            emit(value)
            continue
        elif char == "{":
            end_word()
            if objects is not None:
                raise SieSyntaxError(line_number, "an object list inside an object list", line)
            objects = []
        elif char == "}":
            end_word()
            if objects is None:
                raise SieSyntaxError(line_number, "'}' without its '{'", line)
            fields.append(tuple(objects))
            objects = None
        else:
            word.append(char)
        position += 1
    end_word()
    if objects is not None:
        raise SieSyntaxError(line_number, "an object list is not closed with '}'", line)
    return fields


def _quoted(line: str, start: int, line_number: int) -> tuple[str, int]:
    """The string opened by the quote at `start`, and the position after its closing quote."""
    chars: list[str] = []
    position = start + 1
    while position < len(line):
        char = line[position]
        if char == "\\" and line[position + 1 : position + 2] == '"':
            chars.append('"')
            position += 2
            continue
        if char == '"':
            return "".join(chars), position + 1
        chars.append(char)
        position += 1
    raise SieSyntaxError(line_number, "a quoted field is not closed", line)


def read_records(text: str) -> Iterator[Record]:
    """Every record of a decoded SIE file, in order; blank lines are skipped (§5.6).

    >>> [(r.line_number, r.label) for r in read_records('#VER A 1 20210101\\n{\\n\\n}\\n')]
    [(1, '#VER'), (2, '{'), (4, '}')]
    """
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip(_BLANKS)
        if not stripped:
            continue
        if stripped in _BLOCK:
            yield Record(number, stripped, (), line)
            continue
        fields = split_fields(line, number)
        label = fields[0]
        if not isinstance(label, str) or not label.startswith("#"):
            raise SieSyntaxError(number, "a record starts with a #label", line)
        yield Record(number, label.upper(), tuple(fields[1:]), line)


@dataclass
class Checksum:
    """SIE 4B §10 `#KSUMMA`: a CRC-32 over the records between two `#KSUMMA` records.

    Optional: a file without `#KSUMMA` is accepted, a file with one is verified (§10.3).
    The first `#KSUMMA` (no fields) opens the sum; the last one holds it, in decimal. The
    sum runs over every record between them (§10.14): each record's label and fields in
    code page 437, without the blanks between fields, the quotes around a field, the
    braces of an object list or the `{` `}` lines of a voucher; an escaped quote in a
    field counts as the quote. The CRC is the common CRC-32 (polynomial EDB88320,
    preset and inverted with FFFFFFFF: §10.11-13), which is zlib's. Verified against
    real exports that carry one (Norstedts Bokslut SIE 1, 4E and 4I, Norstedts Revision,
    Visma Compact: the test files of the jsisie SIE library).
    """

    opened_at: int | None = None  # line of the opening #KSUMMA
    closed_at: int | None = None  # line of the closing #KSUMMA
    given: str | None = None  # the checksum the closing #KSUMMA states
    crc: int = 0
    problem: str | None = None  # a #KSUMMA out of place
    encoding: str = "cp437"  # the file's (PC8 unless an exporter wrote another: parser.decode)

    def read(self, record: Record) -> None:
        """Take the next record of the file into the sum (or open or close it)."""
        if record.label == "#KSUMMA":
            self._mark(record)
        elif self.opened_at is not None and self.closed_at is None:
            if record.label not in _BLOCK:
                self.crc = zlib.crc32(checksummed(record, self.encoding), self.crc)
        elif self.closed_at is not None and self.problem is None:
            self.problem = (
                f"a {record.label} record (line {record.line_number}) after the closing "
                f"#KSUMMA (line {self.closed_at}) is not covered by the checksum"
            )

    def _mark(self, record: Record) -> None:
        if self.opened_at is None and self.closed_at is None and not record.fields:
            self.opened_at = record.line_number
        elif self.opened_at is not None and self.closed_at is None:
            self.closed_at = record.line_number
            self.given = " ".join(v for v in record.fields if isinstance(v, str))
        elif self.problem is None:
            self.problem = (
                f"#KSUMMA at line {record.line_number} is neither the opening #KSUMMA "
                "(without a value, before the records) nor the one closing it"
            )

    @property
    def present(self) -> bool:
        return self.opened_at is not None or self.closed_at is not None or bool(self.problem)

    def verdict(self) -> str | None:
        """None when the file has no checksum or its checksum holds, else what is wrong."""
        if self.problem:
            return self.problem
        if self.opened_at is None:
            return None
        if self.closed_at is None:
            return (
                f"the checksum opened by #KSUMMA at line {self.opened_at} is never closed "
                "by a #KSUMMA with its value: the file is cut short"
            )
        if self.given != str(self.crc):
            return (
                f"#KSUMMA at line {self.closed_at} says {self.given or '(nothing)'}, the "
                f"records from line {self.opened_at} sum to {self.crc} (CRC-32)"
            )
        return None


def checksummed(record: Record, encoding: str = "cp437") -> bytes:
    """The bytes of a record that #KSUMMA sums: label and fields, nothing between them.

    >>> checksummed(Record(1, "#KONTO", ("1915", 'Kassa "special"'), '#KONTO 1915 "..."'))
    b'#KONTO1915Kassa "special"'
    >>> checksummed(Record(2, "#TRANS", ("1910", ("1", "100"), "-300.00"), "\t#TRANS ..."))
    b'#TRANS19101100-300.00'
    """
    # The label as written (Record.label is upper-cased), as the exporter summed it.
    written = record.text.lstrip(_BLANKS)[: len(record.label)]
    parts = [written if written.upper() == record.label else record.label]
    for value in record.fields:
        parts.extend(value if isinstance(value, tuple) else (value,))
    return "".join(parts).encode(encoding, errors="replace")

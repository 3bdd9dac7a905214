"""The parsed batch every source hands to the warehouse, and the generic parts of
parsing that every `;`-separated export shares. The rules on it are in `rules.py`: this
module imports no Great Expectations, so a file is read while GX still imports
(warehouse/ingest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from sources._common import personnummer
from sources._common.contract import Contract
from sources._common.csvfile import ParseError, read_raw
from sources._common.values import (
    typed,
)


def _nothing_in_use(namnds: Sequence[str]) -> frozenset[tuple[str, str]]:
    return frozenset()


@dataclass(frozen=True)
class Reference:
    """What the event log already knows, to resolve the codes of a new file.

    Validity, decided the way the warehouse's dimensions decide it:
    - `namnd_ends`: a code of the organisation register whose newest event (by Datum) is
      Nedlagd, Sammanslagen or Delad ended on that date, as dim_namnd's `valid_to`
      (exclusive): a board ended 2007-01-01 books December 2006, never January 2007. Only
      the end is enforced: the register's Skapad is no start of reporting (`1970-01-01`
      stands for "before the register"; Servicenämnden, Skapad 2010-01-01, reports its
      staff survey of 2009).
    - `verksamhet_spans`: (Giltig från, Giltig till) of each activity of the current
      register, both inclusive and either open (None); several rows of one activity span
      the earliest start to the latest end, as int_verksamheter_registered (dim_verksamhet
      keeps each row as a version).
    - `activities_in_use(namnds)`: the (Nämnd, Verksamhet) pairs the current ledger,
      budget and forecast deliveries of those boards use. A call reads the event log, so it
      is made only when a new activity register is checked.
    """

    namnd_codes: frozenset[str] = frozenset()
    verksamheter: frozenset[tuple[str, str]] = frozenset()  # (namnd, verksamhet)
    namnd_ends: Mapping[str, tuple[dt.date, str]] = field(default_factory=dict)  # (date, event)
    verksamhet_spans: Mapping[tuple[str, str], tuple[dt.date | None, dt.date | None]] = field(
        default_factory=dict
    )
    activities_in_use: Callable[[Sequence[str]], frozenset[tuple[str, str]]] = field(
        default=_nothing_in_use, compare=False, repr=False
    )


@dataclass(frozen=True)
class ParsedBatch:
    """One file, read and typed, ready to be checked and appended as one batch."""

    source: str
    file_name: str
    encoding: str
    raw: pl.DataFrame  # every cell as delivered (text), for the expectations' messages
    rows: pl.DataFrame  # typed rows in event-log column order (+ line_number, extra)
    extra_columns: tuple[str, ...]
    missing_headers: tuple[str, ...]
    companions: dict[str, pl.DataFrame] = field(default_factory=dict)  # e.g. control totals
    # Rows per event table when a file feeds tables other than its source's own: a SIE
    # file's vouchers are ledger lines (`huvudbok`) and its period budgets `budget` rows.
    # Empty for every CSV export: `rows` go to `events.<source>`.
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def event_tables(self) -> dict[str, pl.DataFrame]:
        """The rows to append, by event table."""
        return self.tables or {self.source: self.rows}

    @property
    def row_count(self) -> int:
        return sum(rows.height for rows in self.event_tables.values())

    @cached_property
    def checked_raw(self) -> pl.DataFrame:
        """`raw` and, per text column, the cell masked where it holds a personnummer (else
        null): what every suite's frame starts from. Polars, no GX: the loader asks for it
        while GX still imports (0.13 s for the 947,274-line probe month)."""
        return self.raw.with_columns(**personnummer.check_columns(self.raw))


def parse_csv(data: bytes, contract: Contract, file_name: str) -> ParsedBatch:
    """Read and type a `;`-separated export according to its contract.

    Unknown columns are kept as a JSON object in `extra` (never an error); a required
    header that is missing leaves its column null so the structure suite can name it.
    """
    raw = read_raw(data, contract)
    frame = raw.frame
    # The raw text the expectations see: every delivered column, and an optional column
    # that was left out as empty cells (it is optional). A missing required column stays
    # missing, so the structure suite names it instead of every cell rule failing on it.
    text = frame.select(
        "line_number",
        *(
            pl.col(c.name) if c.name in frame.columns else pl.lit(None, pl.String).alias(c.name)
            for c in contract.columns
            if c.name in frame.columns or not c.required
        ),
        *raw.extra_columns,
    )
    for column in contract.columns:
        if column.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column.name))
    if raw.extra_columns:
        extra = pl.struct([pl.col(c) for c in raw.extra_columns]).struct.json_encode()
    else:
        extra = pl.lit(None, dtype=pl.String)
    rows = frame.select(
        pl.col("line_number"),
        *(typed(c.name, c.kind) for c in contract.columns),
        extra.alias("extra"),
    )
    return ParsedBatch(
        source=contract.source,
        file_name=file_name,
        encoding=raw.encoding,
        raw=text,
        rows=rows,
        extra_columns=raw.extra_columns,
        missing_headers=raw.missing_headers,
    )


def csv_parser(contract: Contract) -> Callable[[bytes, str, Mapping[str, bytes]], ParsedBatch]:
    """The parser of a plain `;`-separated export: `parse_csv` under its contract.

    Every source whose file is one table of its contract's columns parses with this (it
    is `Source`'s default); only a source that reads more (a control file, parsed values,
    SIE records) has a `parser.py` of its own.
    """

    def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
        return parse_csv(data, contract, file_name)

    parse.__qualname__ = f"csv_parser({contract.source})"
    return parse


def require_rows(parsed: ParsedBatch) -> None:
    """Raise when a file has a header but no data row (a failed export, never a month)."""
    if parsed.row_count == 0:
        raise ParseError("the file has a header but no data rows: a failed export")


def for_validation(parsed: ParsedBatch, **derived: pl.Expr) -> pl.DataFrame:
    """The raw text cells (plus derived check columns), with each row's `line_number`.

    A derived column may read a column the file lacks (a missing required header):
    it reads an empty column then, which is dropped again, so the structure suite still
    names the column as missing and the derivation never fails on it.
    """
    frame = parsed.checked_raw
    if derived:
        absent = [c for c in parsed.rows.columns if c not in frame.columns]
        frame = (
            frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in absent)
            .with_columns(**derived)
            .drop([c for c in absent if c not in derived])
        )
    return frame

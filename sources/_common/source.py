"""A source: its contract, parser and expectation suites, as one object the loader uses."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from sources._common.batch import ParsedBatch, Reference, csv_parser, for_validation
from sources._common.contract import Contract

if TYPE_CHECKING:
    from sources._common.outcome import Outcome

# A suite to run: its name, the frame it runs on (with `line_number`) and its expectations.
Suite = tuple[str, object, Sequence]
Parser = Callable[[bytes, str, Mapping[str, bytes]], ParsedBatch]
Suites = Callable[[ParsedBatch, Reference], list[Suite]]


@dataclass(frozen=True)
class Source:
    """Everything the loader needs to know about one kind of export.

    `Source(CONTRACT)` is a plain `;`-separated export: its parser is the shared CSV
    parser under its contract, its suites `suites()` of `sources/<name>/expectations.py`.
    A source that reads more passes its own `parse` (huvudbok: the control file;
    indikatorer: parsed values; sie: records).

    The expectations module is imported when a file is first checked, not with the
    registry: it imports Great Expectations (~2 s), which `tertial batches` never needs
    and an ingest imports while it reads the file (warehouse/ingest.py).
    """

    contract: Contract
    # (parsed, reference) -> suites, structure first; later suites run only if it passed.
    # None: `sources.<name>.expectations.suites`.
    suites: Suites | None = None
    # (file bytes, file name, companion files by extension) -> ParsedBatch;
    # None: `csv_parser(contract)`.
    parse: Parser = None  # type: ignore[assignment]
    companion_suffixes: tuple[str, ...] = ()  # e.g. (".ctl",): read beside the file
    # Supersession key columns per event table the source writes, when that is not
    # just its own table under its contract's key (SIE: the ledger's and budget's keys).
    table_keys: Mapping[str, tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        if self.parse is None:
            object.__setattr__(self, "parse", csv_parser(self.contract))

    @property
    def name(self) -> str:
        return self.contract.source

    @property
    def tables(self) -> tuple[str, ...]:
        """The event tables this source writes (`ParsedBatch.event_tables`' keys).

        Its own `events.<name>`, unless `table_keys` names others: a SIE file writes
        `huvudbok` and `budget` and has no table of its own.
        """
        return tuple(self.table_keys) if self.table_keys else (self.name,)

    @property
    def owns_table(self) -> bool:
        """Whether `events.<name>` is this source's, its columns from its contract."""
        return self.name in self.tables

    def expectation_suites(self) -> Suites:
        """The function that builds this source's suites for a parsed batch."""
        if self.suites is not None:
            return self.suites
        return importlib.import_module(f"sources.{self.name}.expectations").suites

    def check(self, parsed: ParsedBatch, reference: Reference) -> list[Outcome]:
        """Run the suites in order; stop after the first that fails.

        The structure suite comes first because a missing column makes every cell
        rule on it fail too: one clear message beats twenty derived ones. A file with
        a required header missing runs the structure suite alone (which fails on it).
        """

        from sources._common.rules import structure_suite
        from sources._common.validation import validate

        if parsed.missing_headers:
            # Only the structure suite: the others derive columns from, and name rules
            # after, columns the file does not have. It names the missing headers.
            suites = [structure_suite(self.contract, parsed, for_validation(parsed))]
        else:
            suites = self.expectation_suites()(parsed, reference)
        outcomes = []
        for name, frame, expectations in suites:
            outcome = validate(frame, f"{self.name}.{name}", expectations)
            outcomes.append(outcome)
            if not outcome.success:
                break
        return outcomes

    def supersession_keys(self, parsed: ParsedBatch) -> pl.DataFrame:
        """The keys this batch delivers, per event table, as canonical text with row counts.

        `source` is the table whose current state the key decides: a SIE file's ledger
        lines are keyed as `huvudbok`, so it and a CSV export of the same board and
        month supersede each other whichever came last.
        """
        table_keys = self.table_keys or {self.name: self.contract.supersession_key}
        frames = [
            _keys_of(table, rows, table_keys[table])
            for table, rows in parsed.event_tables.items()
            if rows.height or table == self.name
        ]
        if not frames:  # a file feeding other tables, with no rows (rejected before this)
            return pl.DataFrame(
                schema={"source": pl.String, "key": pl.String, "row_count": pl.Int64}
            )
        return pl.concat(frames)


def _keys_of(table: str, rows: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    if not key:
        return pl.DataFrame(
            {"source": [table], "key": ["*"], "row_count": [rows.height]},
            schema={"source": pl.String, "key": pl.String, "row_count": pl.Int64},
        )
    return (
        rows.group_by(key)
        .agg(pl.len().alias("row_count"))
        .select(
            pl.lit(table, pl.String).alias("source"),
            pl.concat_str([pl.col(c).cast(pl.String) for c in key], separator="|").alias("key"),
            pl.col("row_count").cast(pl.Int64),
        )
        .sort("key")
    )

"""A source: its contract, parser and expectation suites, as one object the loader uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from sources._common.batch import ParsedBatch, Reference
from sources._common.contract import Contract
from sources._common.validation import Outcome, validate

# A suite to run: its name, the frame it runs on (index = file line) and its expectations.
Suite = tuple[str, object, Sequence]
Parser = Callable[[bytes, str, Mapping[str, bytes]], ParsedBatch]
Suites = Callable[[ParsedBatch, Reference], list[Suite]]


@dataclass(frozen=True)
class Source:
    """Everything the loader needs to know about one kind of export."""

    contract: Contract
    parse: Parser  # (file bytes, file name, companion files by extension) -> ParsedBatch
    suites: Suites  # structure first; later suites run only if it passed
    companion_suffixes: tuple[str, ...] = ()  # e.g. (".ctl",): read beside the file

    @property
    def name(self) -> str:
        return self.contract.source

    def check(self, parsed: ParsedBatch, reference: Reference) -> list[Outcome]:
        """Run the suites in order; stop after the first that fails.

        The structure suite comes first because a missing column makes every cell
        rule on it fail too: one clear message beats twenty derived ones.
        """
        outcomes = []
        for name, frame, expectations in self.suites(parsed, reference):
            outcome = validate(frame, f"{self.name}.{name}", expectations)
            outcomes.append(outcome)
            if not outcome.success:
                break
        return outcomes

    def supersession_keys(self, parsed: ParsedBatch) -> pl.DataFrame:
        """The keys this batch delivers, as canonical text, with their row counts."""
        key = self.contract.supersession_key
        if not key:
            return pl.DataFrame({"key": ["*"], "row_count": [parsed.row_count]})
        return (
            parsed.rows.group_by(key)
            .agg(pl.len().alias("row_count"))
            .select(
                pl.concat_str([pl.col(c).cast(pl.String) for c in key], separator="|").alias("key"),
                pl.col("row_count").cast(pl.Int64),
            )
            .sort("key")
        )

"""Great Expectations, wrapped in one place: run a suite on a parsed batch in memory.

Why in memory as pandas: GX 1.x's SQL data source returns empty metrics on DuckDB
(results are fetched after the connection is released, upstream #10738 / #11579). The
pandas path is the one that works as shipped; measured ~1.2 s for 8 expectations on a
1 M-row ledger month. The frame's index is the file's line number, so every
unexpected row GX reports is a line a controller can open the file at.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# Before the import: GX would otherwise try to phone home from every process.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx
import pandas as pd
from great_expectations.execution_engine import pandas_execution_engine
from great_expectations.expectations import Expectation

# GX fingerprints every in-memory batch under 1 GB (HASH_THRESHOLD) by hashing all of its
# cells: a batch marker tertial never reads, and 3-5 s of the ~17 s the expectations take
# on a 1 M-row ledger month (py-spy: 23 % of the whole ingest; bench/findings.md). At 0
# no frame is small enough to be fingerprinted; the validation itself is unchanged.
pandas_execution_engine.HASH_THRESHOLD = 0

SAMPLE_SIZE = 20  # rows and values named per failed rule; the count is always complete


def cell_text(value: Any) -> str:
    """A cell value as a report shows it: quoted text, and `(empty)` for a missing cell.

    GX hands pandas' missing markers through (None, NaN, pd.NA): "Period is filled: nan"
    told a controller nothing.

    >>> cell_text("2011-09-31"), cell_text(None), cell_text(float("nan")), cell_text(12)
    ("'2011-09-31'", '(empty)', '(empty)', '12')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "(empty)"
    return repr(value)


@dataclass(frozen=True)
class Failure:
    """One expectation that did not hold: the rule, where, and what was found."""

    rule: str
    expectation: str
    column: str | None
    unexpected_count: int
    lines: tuple[int, ...]
    values: tuple[Any, ...]
    observed: Any = None

    def summary(self) -> str:
        where = f" in column {self.column}" if self.column else ""
        if self.lines:
            pairs = ", ".join(
                f"line {line}: {cell_text(value)}"
                for line, value in zip(self.lines, self.values, strict=False)
            )
            more = (
                f" (+{self.unexpected_count - len(self.lines)} more)"
                if self.unexpected_count > len(self.lines)
                else ""
            )
            return f"{self.rule}{where}: {self.unexpected_count} row(s): {pairs}{more}"
        if self.observed is not None:
            return f"{self.rule}{where}: found {self.observed!r}"
        return f"{self.rule}{where}"


@dataclass(frozen=True)
class Outcome:
    """The result of one suite on one batch."""

    suite: str
    evaluated: int
    failures: tuple[Failure, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    # GX's own result as JSON: saved at ingest, rendered by `tertial docs` as data docs.
    result: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def success(self) -> bool:
        return not self.failures


def rule(expectation: Expectation, label: str) -> Expectation:
    """Give an expectation the controller-readable name its failure is reported under."""
    expectation.meta = {**(expectation.meta or {}), "rule": label}
    return expectation


@cache
def _batch_definition() -> Any:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("tertial")
    asset = source.add_dataframe_asset("parsed_batch")
    return asset.add_batch_definition_whole_dataframe("whole_batch")


def validate(frame: pd.DataFrame, suite_name: str, expectations: Sequence[Expectation]) -> Outcome:
    """Run `expectations` on `frame` (index = line numbers) and collect the failures."""
    started = time.perf_counter()
    suite = gx.ExpectationSuite(name=suite_name, expectations=list(expectations))
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    )
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        kwargs = config.kwargs
        details = item.result or {}
        exception = (item.exception_info or {}).get("exception_message")
        lines = tuple(_line(i) for i in details.get("partial_unexpected_index_list") or ())
        values = tuple(details.get("partial_unexpected_list") or ())
        failures.append(
            Failure(
                rule=(config.meta or {}).get("rule", config.type),
                expectation=config.type,
                column=kwargs.get("column") or _pair(kwargs),
                unexpected_count=int(details.get("unexpected_count") or len(lines)),
                lines=lines,
                values=values,
                observed=(details.get("details") or {}).get("mismatched")
                or details.get("observed_value", exception),
            )
        )
    return Outcome(
        suite_name,
        len(result.results),
        tuple(failures),
        time.perf_counter() - started,
        result.to_json_dict(),
    )


def _line(index: Any) -> int:
    """GX names an unexpected row by its index, or by {index name: value} when named."""
    if isinstance(index, dict):
        index = index.get("line_number", next(iter(index.values())))
    return int(index)


def _pair(kwargs: dict[str, Any]) -> str | None:
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} / {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None

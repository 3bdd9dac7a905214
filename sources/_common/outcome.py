"""What a validation found, as the loader, the quarantine report and the data docs read it.

Plain data, no Great Expectations: `tertial batches`, the quarantine and the loader's
bookkeeping import it without GX's ~2 s import (sources/_common/validation.py runs GX).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Suffixes of the check columns the shared cell rules derive from a delivered column
# (sources/_common/rules.py `cell_values`): `beslutsdatum_not_a_date` checks Beslutsdatum.
NOT_A_DATE = "_not_a_date"
BEYOND_CAP = "_beyond_cap"
FILE_TOTAL = "_file_total"
DERIVED_SUFFIXES = (NOT_A_DATE, BEYOND_CAP, FILE_TOTAL)


def delivered_column(column: str) -> str:
    """The column a controller knows: a derived check column named by the one it checks.

    >>> delivered_column("beslutsdatum_not_a_date"), delivered_column("belopp")
    ('beslutsdatum', 'belopp')
    """
    for suffix in DERIVED_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return column.removesuffix(suffix)
    return column


def cell_text(value: Any) -> str:
    """A cell value as a report shows it: quoted text, and `(empty)` for a missing cell.

    "Period is filled: None" told a controller nothing.

    >>> cell_text("2011-09-31"), cell_text(None), cell_text(float("nan")), cell_text(12)
    ("'2011-09-31'", '(empty)', '(empty)', '12')
    """
    if value is None or (isinstance(value, float) and value != value):
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
    hint: str | None = None  # what to change, when the values are a known wrong form (hints.py)

    def summary(self) -> str:
        said = self._said()
        return f"{said}; {self.hint}" if self.hint else said

    def _said(self) -> str:
        where = f" in column {delivered_column(self.column)}" if self.column else ""
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

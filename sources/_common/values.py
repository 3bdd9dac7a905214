"""Value formats of the city's exports, as regular expressions and Polars expressions.

The patterns are written for both Python's `re` and RE2 (which pandas uses for
pyarrow-backed strings inside Great Expectations): no look-behind, no `\\u` escapes.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from sources._common.contract import Kind
from sources._common.personnummer import CANDIDATE_PATTERN

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
MINUS_SIGN = "\u2212"

# `1 234 567,50`, `-40208,36`, `−17058,04`, `12`: decimal comma, at most öre precision,
# thousands grouped with space or no-break space, or not at all.
_AMOUNT = rf"[-{MINUS_SIGN}]?(?:[0-9]+|[0-9]{{1,3}}(?:[ {NBSP}{NARROW_NBSP}][0-9]{{3}})+)"
MONEY_PATTERN = rf"^{_AMOUNT}(?:,[0-9]{{1,2}})?$"
DECIMAL_PATTERN = rf"^{_AMOUNT}(?:,[0-9]+)?$"
INTEGER_PATTERN = rf"^(?:[0-9]+|[0-9]{{1,3}}(?:[ {NBSP}{NARROW_NBSP}][0-9]{{3}})+)$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PERIOD_PATTERN = r"^[0-9]{4}(?:0[1-9]|1[0-2])$"
YEAR_PATTERN = r"^[0-9]{4}$"
KONTO_PATTERN = r"^[0-9]{4}$"

# The shape of a personnummer or samordningsnummer in any of its forms, without the
# Luhn rule: only a candidate. Whether a value is one, and its masking, is decided by
# `sources._common.personnummer` (`find`, `contains`, `mask`); use that, not this.
PERSONNUMMER_PATTERN = CANDIDATE_PATTERN

# Years the city's exports may speak of; outside this a year is a typing error
# (`1011`, `2911`), not history or planning.
FIRST_YEAR, LAST_YEAR = 2000, 2100

# What one cell may mean, beyond its shape (issue 12: two ledger lines of
# `9 999 999 999 999 999,00` passed ingest, then `sum()` overflowed in fct_ledger).
# Money is DECIMAL(18, 2) in the event log and the marts: at most 9 999 999 999 999 999,99,
# just under 10^16 kronor. fct_ledger sums the lines of one delivery per (Nämnd,
# Verksamhet, Konto, Period) and casts the sum back to DECIMAL(18, 2); the reports add up
# months and years of those. So:
# - one line is at most ±10^12 kronor (a million million; Stockholm's whole yearly
#   turnover is about 5 × 10^10): a larger amount is a typing or export error;
# - one file's sum of |amounts| is at most 10^13 kronor, so every sum over one delivery
#   stays ≤ 10^13, a year of 12 monthly deliveries ≤ 1.2 × 10^14 and ten years
#   ≤ 1.2 × 10^15: far below DECIMAL(18, 2)'s 10^16 however the marts add them up.
MAX_LINE_KRONOR = 10**12
MAX_FILE_KRONOR = 10**13
# Hours, full-time equivalents and index values (DECIMAL(18, 4): below 10^14) and
# headcounts and payslips (BIGINT): at most 10^9 a cell. The city's ~45 000 employees
# work ~8 × 10^6 hours a month, so 10^9 is two orders of magnitude above any real group,
# and a month's sums over every board stay far inside DECIMAL(18, 4).
MAX_QUANTITY = 10**9
MAX_BY_KIND: dict[Kind, int] = {
    "money": MAX_LINE_KRONOR,
    "decimal": MAX_QUANTITY,
    "integer": MAX_QUANTITY,
}

# Code lists several exports share (source-formats.md §2–5).
SLAG = ["Intäkter", "Investering", "Kostnader"]
KON = ["K", "M"]

PATTERN_BY_KIND: dict[Kind, str] = {
    "money": MONEY_PATTERN,
    "decimal": DECIMAL_PATTERN,
    "integer": INTEGER_PATTERN,
    "date": DATE_PATTERN,
    "period": PERIOD_PATTERN,
    "year": YEAR_PATTERN,
}


def _plain_number(column: str) -> pl.Expr:
    """Drop grouping spaces, turn U+2212 into `-` and the decimal comma into a point."""
    return (
        pl.col(column)
        .str.replace_all(f"[ {NBSP}{NARROW_NBSP}]", "")
        .str.replace(MINUS_SIGN, "-", literal=True)
        .str.replace(",", ".", literal=True)
    )


def as_written(amount: pl.Expr) -> pl.Expr:
    """An exact decimal as the CSV exports write it, decimal comma: a failure then shows
    '-1931144,94' as the controller typed it, not '-1931144.94'.

    >>> pl.select(as_written(pl.lit(-1931144.94).cast(pl.Decimal(18, 2)))).item()
    '-1931144,94'
    """
    return amount.cast(pl.String).str.replace(".", ",", literal=True)


def polars_type(kind: Kind) -> pl.DataType:
    """The Polars type `typed` gives a column of this kind.

    >>> polars_type("money"), polars_type("year"), polars_type("codes")
    (Decimal(precision=18, scale=2), Int32, List(String))
    """
    match kind:
        case "money":
            return pl.Decimal(18, 2)
        case "decimal":
            return pl.Decimal(18, 4)
        case "integer":
            return pl.Int64()
        case "date":
            return pl.Date()
        case "period" | "year":
            return pl.Int32()
        case "codes":
            return pl.List(pl.String())
        case _:
            return pl.String()


def typed(column: str, kind: Kind) -> pl.Expr:
    """The typed value of a raw text column; a value that does not parse becomes null.

    Money is `Decimal(18, 2)` straight from the text, never through a float: one öre
    off in a million-row month is a failed reconciliation.
    """
    match kind:
        case "money":
            return _plain_number(column).cast(pl.Decimal(18, 2), strict=False).alias(column)
        case "decimal":
            return _plain_number(column).cast(pl.Decimal(18, 4), strict=False).alias(column)
        case "integer":
            return _plain_number(column).cast(pl.Int64, strict=False).alias(column)
        case "date":
            return pl.col(column).str.to_date("%Y-%m-%d", strict=False).alias(column)
        case "period" | "year":
            return pl.col(column).cast(pl.Int32, strict=False).alias(column)
        case "codes":
            return (
                pl.col(column)
                .str.split(",")
                .list.eval(pl.element().str.strip_chars())
                .list.eval(pl.element().filter(pl.element() != ""))
                .alias(column)
            )
        case _:
            return pl.col(column)


def not_a_date(raw: pl.Series, typed: pl.Series, pattern: str = DATE_PATTERN) -> pl.Series:
    """The raw text of every cell shaped like a date that is no date, else null.

    `2011-09-31`, `2011-20-09` and `2010-02-30` match `DATE_PATTERN` but the calendar has
    no such day: typed, they become null (then a NOT NULL insert fails, or `Giltig från`
    silently loses its date). A cell that does not even match the pattern is left to the
    pattern's own rule, so each bad cell is named by one rule.

    >>> not_a_date(pl.Series(["2011-09-30", "2011-09-31", "31/9", None]),
    ...            pl.Series(["2011-09-30", None, None, None]).str.to_date()).to_list()
    [None, '2011-09-31', None, None]
    """
    flagged = typed.is_null() & raw.is_not_null()
    if not flagged.any():
        return no_findings(raw.len())
    flagged = flagged & raw.str.contains(pattern)
    return pl.select(pl.when(flagged).then(raw)).to_series()


def beyond_cap(
    raw: pl.Series, typed: pl.Series, kind: Kind, pattern: str | None = None
) -> pl.Series:
    """The raw text of every well-formed number outside ±`MAX_BY_KIND[kind]`, else null.

    A number too large for its column's type (more than 16 digits before the comma for
    money) types as null, Polars' non-strict cast, and counts as beyond the cap too:
    `99999999999999999999,00` is named here, never a traceback or a NULL in the log.
    `pattern` is the well-formed number of the column (default: its kind's pattern); a
    cell that does not match it is left to the pattern's own rule.

    >>> beyond_cap(pl.Series(["12,50", "1 000 000 000 000,01", "99999999999999999999,00"]),
    ...            pl.Series(["12.50", "1000000000000.01", None]).cast(pl.Decimal(18, 2)),
    ...            "money").to_list()
    [None, '1 000 000 000 000,01', '99999999999999999999,00']
    """
    present = raw.is_not_null()
    cap = MAX_BY_KIND[kind]
    limit = Decimal(cap) if typed.dtype == pl.Decimal else cap
    flagged = present & (typed.is_null() | (typed.abs() > limit))
    if not flagged.any():
        return no_findings(raw.len())
    flagged = flagged & raw.str.contains(pattern or PATTERN_BY_KIND[kind])
    return pl.select(pl.when(flagged).then(raw)).to_series()


def file_total_beyond_cap(typed: pl.Series) -> pl.Series:
    """Null, or at the line of the largest amount the file's sum of |amounts| when above
    `MAX_FILE_KRONOR` (see there why). One row names it: the file, not a line, is wrong.

    >>> big = pl.Series(["900000000000.00"] * 12).cast(pl.Decimal(18, 2))
    >>> [v for v in file_total_beyond_cap(big).to_list() if v]
    ['sum of |amounts| in the file: 10800000000000.00 kronor']
    """
    total = typed.abs().sum()
    if total is None or total <= Decimal(MAX_FILE_KRONOR):
        return no_findings(typed.len())
    largest = typed.abs().arg_max()
    values: list[str | None] = [None] * typed.len()
    values[largest] = f"sum of |amounts| in the file: {total} kronor"
    return pl.Series(values, dtype=pl.String)


def no_findings(length: int) -> pl.Series:
    """A check column where every cell is fine (all null).

    Of Polars' Null type: it becomes a pandas column of None in ~4 ms a million rows,
    where an all-null String column takes ~20 ms (and a rule's GX pass is the same).
    """
    return pl.repeat(None, length, dtype=pl.Null, eager=True)

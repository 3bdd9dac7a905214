"""Value formats of the city's exports, as regular expressions and Polars expressions.

The patterns are written for both Python's `re` and RE2 (which pandas uses for
pyarrow-backed strings inside Great Expectations): no look-behind, no `\\u` escapes.
"""

from __future__ import annotations

import polars as pl

from sources._common.contract import Kind

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

_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
# A Swedish personnummer, `YYMMDD-NNNN` (also `+` for the over-100s) or `YYYYMMDDNNNN`,
# with a plausible month and day so that voucher ids like `V201108-142-240` and
# organisation numbers like `212000-0142` (month 20) do not trip it.
PERSONNUMMER_PATTERN = (
    rf"(?:^|[^0-9])(?:(?:19|20)?[0-9]{{2}}{_DATE}[-+][0-9]{{4}}"
    rf"|(?:19|20)[0-9]{{2}}{_DATE}[0-9]{{4}})(?:[^0-9]|$)"
)

# Years the city's exports may speak of; outside this a year is a typing error
# (`1011`, `2911`), not history or planning.
FIRST_YEAR, LAST_YEAR = 2000, 2100

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

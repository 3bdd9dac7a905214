"""The expectation suites an `organisationsmappning` export must pass before it enters the
event log.

Beyond every source's cell rules (Giltig från a calendar date, the personnummer guard):
Från kod and Till kod are codes of the organisation register, Andel is a share with
0 < Andel ≤ 1 and at most 4 decimals, one row per (Från kod, Till kod, Giltig från), and
then (suite `shares`) the shares of one Från kod on one Giltig från sum to exactly 1:
fct_ledger_restated divides a row by them, and a sum of 0,9 would lose a tenth of the
history, one of 1,1 invent it.
"""

from __future__ import annotations

from decimal import Decimal

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import cell_expectations, cell_values, structure_suite, unique_rows
from sources._common.source import Suite
from sources._common.validation import matches, rule
from sources._common.values import as_written
from sources.organisationsmappning.contract import CONTRACT

E = gx.expectations

# 0 or 1 with at most 4 decimals (`0,6`, `0,3333`, `1`, `1,0`): what decimal(18, 4) holds
# exactly. `0,33333` would be cut to 0,3333 on the way in, so it is refused instead.
SHARE = r"^[01](?:,[0-9]{1,4})?$"
ONE = Decimal("1")


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, every cell and code, then the sum of each code's shares on each date."""
    typed = parsed.rows
    known = sorted(reference.namnd_codes)
    cells = for_validation(parsed, andel_value=typed["andel"], **cell_values(CONTRACT, parsed))
    content = [
        *cell_expectations(CONTRACT, parsed),
        matches(
            "andel",
            SHARE,
            "Andel is a share between 0 and 1 with at most 4 decimals (0,6; 0,3333; 1)",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="andel_value", min_value=0, max_value=1, strict_min=True
            ),
            "Andel is above 0 and at most 1 (a code that keeps nothing has no row)",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="fran_kod", value_set=known),
            "Från kod is a code of the organisation register",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="till_kod", value_set=known),
            "Till kod is a code of the organisation register",
        ),
        *unique_rows(CONTRACT, "fran_kod", "till_kod", "giltig_fran"),
    ]
    shares = shares_off(typed)
    return [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
        ("shares", shares, [shares_rule()]),
    ]


def shares_off(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per (Från kod, Giltig från), at its first line: null when its shares sum to
    exactly 1, else the code, the date, the lines and the sum.

    Summed as Decimal(18, 4), never a float: 0,1 + 0,2 + 0,7 is 1 here, and 0,3333 × 3 is
    0,9999, which is refused (the last share must be 0,3334).
    """
    return (
        rows.group_by("fran_kod", "giltig_fran", maintain_order=True)
        .agg(
            pl.col("line_number").min().alias("first"),
            pl.col("line_number").sort().cast(pl.String).str.join(", ").alias("line_list"),
            pl.col("andel").sum().alias("total"),
        )
        .select(
            pl.col("first").alias("line_number"),
            pl.when(pl.col("total") != pl.lit(ONE, dtype=pl.Decimal(18, 4)))
            .then(
                pl.format(
                    "Från kod {} Giltig från {}: Σ Andel on lines {} is {}, not 1",
                    "fran_kod",
                    pl.col("giltig_fran").cast(pl.String),
                    "line_list",
                    as_written(pl.col("total")),
                )
            )
            .alias("shares_off"),
        )
    )


def shares_rule():
    """The rule on `shares_off`: what a controller must fix, in both languages."""
    return rule(
        E.ExpectColumnValuesToBeNull(column="shares_off"),
        "the shares of one Från kod on one Giltig från sum to exactly 1 (its whole activity "
        "goes somewhere, once): correct the shares so they add up, e.g. 0,6 and 0,4, or "
        "0,3333, 0,3333 and 0,3334 / andelarna för en Från kod och ett Giltig från ska "
        "summera till exakt 1: rätta andelarna i mappningen",
    )

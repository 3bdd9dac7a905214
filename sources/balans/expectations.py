"""The expectation suites a `balans` export must pass before it enters the event log.

Beyond every source's cell rules (Saldo as DECIMAL(18,2), Period YYYYMM, the personnummer
guard): a known board that exists in the period, a 4-digit Kommun-Bas account of class 1
or 2 (the balance sheet), a Post of UB or IB when given, one row per account, and then,
per board, period and post, the balance sheet sums to zero (suite `balance`).
"""

from __future__ import annotations

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    cell_expectations,
    cell_values,
    known_namnd,
    period_in_years,
    structure_suite,
    valid_in_period,
)
from sources._common.source import Suite
from sources._common.validation import matches, rule, unique
from sources._common.values import as_written
from sources.balans.contract import CONTRACT, CSV_POSTS

E = gx.expectations

# Kommun-Bas class 1 (tillgångar) and 2 (eget kapital, avsättningar och skulder): the
# balance sheet. Classes 3–8 are the result accounts; their year total is in eget kapital.
BALANCE_ACCOUNT = r"^[12][0-9]{3}$"
POST = pl.col("post").str.strip_chars().str.to_uppercase().fill_null("UB")


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, every cell and code, then the balance of each board and period."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(reference, typed, when="period", grain="period")
    in_years, in_years_rules = period_in_years(typed["period"])
    cells = for_validation(
        parsed,
        post_kind=POST,
        **cell_values(CONTRACT, parsed),
        **in_years,
        **in_period,
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        matches(
            "konto",
            BALANCE_ACCOUNT,
            "Konto is a 4-digit Kommun-Bas account of class 1 or 2 (the balance sheet: "
            "tillgångar, eget kapital, avsättningar och skulder)",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="post_kind", value_set=list(CSV_POSTS)),
            "Post is UB (closing balance, also when empty) or IB (the year's opening balance)",
        ),
        *known_namnd(reference),
        *in_years_rules,
        *in_period_rules,
        unique(
            ["namnd", "period", "konto", "post_kind"],
            "one row per Nämnd, Period, Konto and Post in a file",
        ),
    ]
    balance = unbalanced(typed.with_columns(post=POST))
    return [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
        ("balance", balance, [balance_rule()]),
    ]


def unbalanced(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per (Nämnd, Period, Post), at its first line: null when its Saldo sums to
    zero, else the sum and the lines it runs over.

    Summed as Decimal(18, 2): a float would call 0,10 + 0,20 − 0,30 unbalanced.
    """
    return (
        rows.group_by("namnd", "period", "post", maintain_order=True)
        .agg(
            pl.col("line_number").min().alias("first"),
            pl.col("line_number").max().alias("last"),
            pl.col("saldo").sum().alias("total"),
            pl.len().alias("lines"),
        )
        .select(
            pl.col("first").alias("line_number"),
            pl.when(pl.col("total") != 0)
            .then(
                pl.format(
                    "Nämnd {} Period {} {}: Σ Saldo of {} accounts (lines {}–{}) is {}, not 0",
                    "namnd",
                    "period",
                    "post",
                    "lines",
                    "first",
                    "last",
                    as_written(pl.col("total")),
                )
            )
            .alias("balance_off"),
        )
    )


def balance_rule():
    """The rule on `unbalanced`: what a controller must fix, in both languages."""
    return rule(
        E.ExpectColumnValuesToBeNull(column="balance_off"),
        "the balance sheet of a board and period sums to zero: Σ Saldo over its class 1–2 "
        "accounts = 0, since tillgångar (debit, positive) equal eget kapital, avsättningar "
        "and skulder (credit, negative); the period's result must be booked in eget kapital "
        "(e.g. 2099) and no account left out: export the whole balance again / "
        "balansräkningen ska balansera: summan av Saldo för klass 1–2 per nämnd och period "
        "ska vara 0 (periodens resultat bokat i eget kapital), exportera om hela balansen",
    )

"""The expectation suites a `budget` export must pass before it enters the event log."""

from __future__ import annotations

import re

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    NAMND_VERKSAMHET,
    cell_expectations,
    cell_values,
    known_namnd,
    known_verksamhet,
    structure_suite,
    unique_rows,
    valid_in_period,
    year_of_file_name,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources._common.values import FIRST_YEAR, LAST_YEAR, SLAG
from sources.budget.contract import CONTRACT

E = gx.expectations

TYPER = ["Ombudgetering", "Tilläggsbudget", "Ursprunglig"]
# `budget_<YYYY>_<n>.csv`: the year in the name is the budget year of the decision.
FILE_YEAR = re.compile(r"budget_([0-9]{4})_")


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, then what makes the file one decision."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(
        reference, typed, when="ar", grain="year", verksamhet=True
    )
    cells = for_validation(
        parsed,
        ar_int=typed["ar"],
        # An adjustment moves money, so it has negative lines (budget_2011_2.csv moves
        # 1,0 mnkr of costs from 240 to 100); only the original budget must be >= 0.
        belopp_ursprunglig=typed.select(
            pl.when(pl.col("typ") == "Ursprunglig").then(pl.col("belopp"))
        ).to_series(),
        beslutsdatum_utanfor_ar=_decided_outside_year(typed),
        # A copy, so GX (rules grouped by column) names a date that is no day first.
        beslutsdatum_per_file=pl.col("beslutsdatum"),
        **NAMND_VERKSAMHET,
        **cell_values(CONTRACT, parsed),
        **in_period,
    )
    # The first failed rule is the rejection's headline. GX runs the rules grouped by
    # column, in the order each column first appears: the contract's columns (from
    # cell_expectations), then the derived ones in the order below.
    content = [
        # Beslutsdatum a real calendar date (`2011-02-30` is not): cell_expectations.
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeInSet(column="typ", value_set=TYPER),
            "Typ is Ursprunglig, Ombudgetering or Tilläggsbudget",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="slag", value_set=SLAG),
            "Slag is Kostnader, Intäkter or Investering",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="ar_int", min_value=FIRST_YEAR, max_value=LAST_YEAR
            ),
            f"År is a budget year between {FIRST_YEAR} and {LAST_YEAR}",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(column="belopp_ursprunglig", min_value=0),
            "Belopp is not negative in an Ursprunglig budget (kronor, positive for "
            "Kostnader, Intäkter and Investering)",
        ),
        *_one_value_per_file(parsed, "beslut", "Beslut", "a file is one decision"),
        *_one_value_per_file(parsed, "typ", "Typ", "a decision has one type"),
        *_one_value_per_file(
            parsed,
            "beslutsdatum",
            "Beslutsdatum",
            "a decision has one date",
            on="beslutsdatum_per_file",
        ),
        *_one_value_per_file(parsed, "ar", "År", "a decision is for one budget year"),
        *year_of_file_name(parsed, FILE_YEAR, "the budget year"),
        rule(
            E.ExpectColumnValuesToBeNull(column="beslutsdatum_utanfor_ar"),
            "Beslutsdatum falls in År or the year before (KF decides a budget in the autumn "
            "before its year; adjustments are decided during the year)",
        ),
        *known_namnd(reference),
        *known_verksamhet(reference),
        *in_period_rules,
        *unique_rows(CONTRACT, "beslut", "namnd", "verksamhet", "slag"),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]


def _decided_outside_year(typed: pl.DataFrame) -> pl.Series:
    """`Beslutsdatum <date> for År <year>` where the decision is not of År or År − 1, else null.

    Why this window: the original budget of 2011 is decided by KF on 2010-11-29, and
    Ombudgetering/Tilläggsbudget during 2011 (KS 2011-03-16). A date two years off, or
    after the year, is a typo in År or Beslutsdatum: a decision for another year would
    otherwise be counted into this one. Rows whose date or year does not parse are
    left to the rules that name those cells.
    """
    decided = pl.col("beslutsdatum").dt.year()
    outside = (decided < pl.col("ar") - 1) | (decided > pl.col("ar"))
    return typed.select(
        pl.when(outside)
        .then(
            pl.format(
                "Beslutsdatum {} for År {}",
                pl.col("beslutsdatum").dt.strftime("%Y-%m-%d"),
                pl.col("ar"),
            )
        )
        .otherwise(None)
        .alias("beslutsdatum_utanfor_ar")
    ).to_series()


def _one_value_per_file(
    parsed: ParsedBatch, column: str, header: str, why: str, *, on: str | None = None
) -> list:
    """Every row carries the value of the first filled row; a failure names the other lines.

    `on`: a derived copy of the column to check instead (it orders the rule after the
    rules on the column's own derived checks).
    """
    first = parsed.raw.get_column(column).drop_nulls().head(1).to_list()
    return [
        rule(
            E.ExpectColumnValuesToBeInSet(column=on or column, value_set=first),
            f"one {header} per file ({why}; the first row says {first[0]!r})"
            if first
            else f"one {header} per file ({why})",
        )
    ]

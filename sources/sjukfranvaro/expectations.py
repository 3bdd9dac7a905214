"""The expectation suites a `sjukfranvaro` export must pass before it enters the event log."""

from __future__ import annotations

import great_expectations as gx

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    cell_expectations,
    cell_values,
    known_namnd,
    not_negative,
    period_of_file_name,
    structure_suite,
    typed_values,
    unique_rows,
    valid_in_period,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources._common.values import FIRST_YEAR, KON, LAST_YEAR
from sources.sjukfranvaro.contract import CONTRACT

E = gx.expectations

ALDERSGRUPPER = ["-29", "30-49", "50-"]

# Persons and hours cannot be below zero: (typed column, header).
NOT_NEGATIVE = [
    ("anstallda", "Anställda"),
    ("ordinarie_arbetstid", "Ordinarie arbetstid"),
    ("sjukfranvaro", "Sjukfrånvaro"),
    ("varav_dag_1_14", "Varav dag 1-14"),
    ("varav_60_dagar", "Varav 60 dagar eller mer"),
]

# Hours that are part of other hours: (whole, part, rule). Every percentage the
# warehouse publishes is part / whole, so a part above its whole is a share above 100 %.
# The two parts are not checked as a sum: a spell of 60 days or more counts whole in
# the long-term part, its first 14 days included, so the parts overlap and together may
# exceed Sjukfrånvaro.
PARTS = [
    (
        "ordinarie_arbetstid",
        "sjukfranvaro",
        "Sjukfrånvaro is at most Ordinarie arbetstid (Ordinarie arbetstid / Sjukfrånvaro)",
    ),
    (
        "sjukfranvaro",
        "varav_dag_1_14",
        "Varav dag 1-14 is at most Sjukfrånvaro (Sjukfrånvaro / Varav dag 1-14)",
    ),
    (
        "sjukfranvaro",
        "varav_60_dagar",
        "Varav 60 dagar eller mer is at most Sjukfrånvaro "
        "(Sjukfrånvaro / Varav 60 dagar eller mer)",
    ),
]


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, then the hours that must fit inside other hours."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(reference, typed, when="period", grain="period")
    cells = for_validation(
        parsed,
        # The raw cells are text: ranges and comparisons use the typed values beside them.
        period_year=typed["period"] // 100,
        **typed_values(parsed, NOT_NEGATIVE),
        **cell_values(CONTRACT, parsed),
        **in_period,
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(E.ExpectColumnValuesToBeInSet(column="kon", value_set=KON), "Kön is K or M"),
        rule(
            E.ExpectColumnValuesToBeInSet(column="aldersgrupp", value_set=ALDERSGRUPPER),
            "Åldersgrupp is -29, 30-49 or 50-",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="period_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
            ),
            f"Period is a month of a year between {FIRST_YEAR} and {LAST_YEAR}",
        ),
        *not_negative(NOT_NEGATIVE),
        *(
            rule(
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=f"{whole}_value",
                    column_B=f"{part}_value",
                    or_equal=True,
                    # A value that does not parse is already named by its format rule.
                    ignore_row_if="either_value_is_missing",
                ),
                label,
            )
            for whole, part, label in PARTS
        ),
        *known_namnd(reference),
        *in_period_rules,
        *unique_rows(CONTRACT, "period", "namnd", "kon", "aldersgrupp"),
        *period_of_file_name(parsed),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

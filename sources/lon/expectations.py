"""The expectation suites a `lon` export must pass before it enters the event log.

Payroll is delivered as aggregates only (source-formats.md §4). A group of one person
is still an aggregate and loads (a small unit can have one hourly-paid man); what makes
a file person-level is a column that identifies people, so such a column rejects the
file whatever its cells hold, and a personnummer-like value anywhere rejects it too
(`cell_expectations`).
"""

from __future__ import annotations

import re

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.csvfile import normalise_header
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
from sources.lon.contract import CONTRACT

E = gx.expectations

ANSTALLNINGSFORMER = ["Tillsvidare", "Visstid", "Timavlönad"]

# Counts and amounts a month of payroll cannot have below zero: (typed column, header).
NOT_NEGATIVE = [
    ("anstallda", "Anställda"),
    ("arsarbetare", "Årsarbetare"),
    ("utbetalda_loner", "Utbetalda löner"),
    ("lonesumma", "Lönesumma"),
]

# Årsarbetare above Anställda: decided per employment type. A monthly-paid person
# (Tillsvidare, Visstid) works at most 100 % of full time, so the group's FTE cannot
# exceed its headcount: more is a broken export and rejects the file. Hourly-paid FTE
# is hours worked / full-time hours, while Anställda is the headcount at month end:
# someone who worked in the month and left before its end adds hours but no head, so
# for Timavlönad it is possible and loads.
FTE_CAPPED_BY_HEADCOUNT = ["Tillsvidare", "Visstid"]

# Headers (as matched: lower case, å/ä/ö → a/o) of columns that identify persons.
PERSON_COLUMN = re.compile(
    r"person|pnr|fodelse|namn|anst(allnings)?[ ._-]*(nr|nummer|id)|medarbetar[ ._-]*(nr|id)"
)


def person_columns(headers: tuple[str, ...]) -> list[str]:
    """The unknown columns of a file whose header names a person identifier.

    >>> person_columns(("Personnummer", "Kostnadsställe", "Anst.nr", "Förnamn"))
    ['Personnummer', 'Anst.nr', 'Förnamn']
    """
    return [h for h in headers if PERSON_COLUMN.search(normalise_header(h))]


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, then one row per employment type and gender."""
    typed = parsed.rows
    identifying = ", ".join(person_columns(parsed.extra_columns)) or None
    in_period, in_period_rules = valid_in_period(reference, typed, when="period", grain="period")
    cells = for_validation(
        parsed,
        # The raw cells are text: ranges are checked on the typed values beside them.
        period_year=typed["period"] // 100,
        **typed_values(parsed, NOT_NEGATIVE),
        anstallda_monthly_paid=pl.when(
            typed["anstallningsform"].is_in(FTE_CAPPED_BY_HEADCOUNT)
        ).then(typed["anstallda"].cast(pl.Decimal(18, 0))),
        # Every line names the identifying column(s), so the rejection points at them.
        person_level_columns=pl.lit(identifying, dtype=pl.String),
        **cell_values(CONTRACT, parsed),
        **in_period,
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeNull(column="person_level_columns"),
            "no column identifying persons (personnummer, namn, anställningsnummer): "
            "payroll is delivered as aggregates only",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="anstallningsform", value_set=ANSTALLNINGSFORMER),
            "Anställningsform is Tillsvidare, Visstid or Timavlönad",
        ),
        rule(E.ExpectColumnValuesToBeInSet(column="kon", value_set=KON), "Kön is K or M"),
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="period_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
            ),
            f"Period is a month of a year between {FIRST_YEAR} and {LAST_YEAR}",
        ),
        *not_negative(NOT_NEGATIVE),
        rule(
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="anstallda_monthly_paid",
                column_B="arsarbetare_value",
                or_equal=True,
                # Timavlönad rows (null here) and values that do not parse are skipped.
                ignore_row_if="either_value_is_missing",
            ),
            "Årsarbetare is at most Anställda for Tillsvidare and Visstid "
            "(Anställda / Årsarbetare)",
        ),
        *known_namnd(reference),
        *in_period_rules,
        *unique_rows(CONTRACT, "period", "namnd", "anstallningsform", "kon"),
        *period_of_file_name(parsed),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

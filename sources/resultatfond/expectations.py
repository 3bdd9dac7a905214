"""The expectation suites a `resultatfond` export must pass before it enters the event log.

Beyond every source's cell rules (money as DECIMAL(18,2), Beslutsdatum a calendar date,
the personnummer guard): a known board that exists in År, a decision kind from its list,
amounts not negative (a disposition uses the fund, a transfer carries it over: both are
positive; the sign is the mart's), and one row per Beslut-id.
"""

from __future__ import annotations

import re

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    cell_expectations,
    cell_values,
    known_namnd,
    structure_suite,
    unique_rows,
    valid_in_period,
    year_of_file_name,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources._common.values import FIRST_YEAR, LAST_YEAR
from sources.resultatfond.contract import CONTRACT, KINDS

E = gx.expectations
# `resultatfond_<YYYY>.csv`: the year in the name is the year of the decisions.
FILE_YEAR = re.compile(r"resultatfond_([0-9]{4})")


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, the kind of each decision and one row per Beslut-id."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(reference, typed, when="ar", grain="year")
    cells = for_validation(
        parsed,
        ar_int=typed["ar"],
        beslut_kind=pl.col("beslut").str.to_lowercase(),
        belopp_value=typed["belopp"],
        ingaende_value=typed["ingaende_resultatfond"],
        **cell_values(CONTRACT, parsed),
        **in_period,
    )
    content = [
        # Money as DECIMAL(18,2) and Beslutsdatum a real calendar date: cell_expectations.
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeInSet(column="beslut_kind", value_set=list(KINDS)),
            f"Beslut is a kind of decision on the fund ({', '.join(KINDS)})",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="ar_int", min_value=FIRST_YEAR, max_value=LAST_YEAR
            ),
            f"År is a year between {FIRST_YEAR} and {LAST_YEAR}",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(column="belopp_value", min_value=0),
            "Belopp is not negative (kronor used or carried over: the kind says which)",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(column="ingaende_value", min_value=0),
            "Ingående resultatfond is not negative (a deficit is not a fund)",
        ),
        *year_of_file_name(parsed, FILE_YEAR, "the year"),
        *known_namnd(reference),
        *in_period_rules,
        *unique_rows(CONTRACT, "beslut_id"),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

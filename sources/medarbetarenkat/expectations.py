"""The expectation suites a `medarbetarenkat` export must pass before it enters the event log.

Index is free text on purpose: the survey adds indices over the years (source-formats.md
§6), and a new one must load, not be rejected.
"""

from __future__ import annotations

import great_expectations as gx

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    cell_expectations,
    cell_values,
    known_namnd,
    structure_suite,
    unique_rows,
    valid_in_period,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources._common.values import FIRST_YEAR, LAST_YEAR
from sources.medarbetarenkat.contract import CONTRACT

E = gx.expectations


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, then one value per index, board and year."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(reference, typed, when="ar", grain="year")
    cells = for_validation(
        parsed,
        # The raw cells are text: ranges are checked on the typed values beside them.
        ar_int=typed["ar"],
        varde_value=typed["varde"],
        svarsfrekvens_value=typed["svarsfrekvens"],
        **cell_values(CONTRACT, parsed),
        **in_period,
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="ar_int", min_value=FIRST_YEAR, max_value=LAST_YEAR
            ),
            f"År is a survey year between {FIRST_YEAR} and {LAST_YEAR}",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(column="varde_value", min_value=0, max_value=100),
            "Värde is an index between 0 and 100",
        ),
        # Svarsfrekvens may be empty (an index without its own response rate).
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="svarsfrekvens_value", min_value=0, max_value=100
            ),
            "Svarsfrekvens is a percentage between 0 and 100",
        ),
        *known_namnd(reference),
        *in_period_rules,
        *unique_rows(CONTRACT, "ar", "namnd", "index_namn"),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

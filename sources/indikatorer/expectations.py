"""The expectation suites a `indikatorer` export must pass before it enters the event log.

Only what makes a row unusable rejects the file: who reported (Nämnd), for which report
(År, Rapport), which indicator, and a Bedömning the report can show. A figure whose
text cannot be parsed (`ca 5`, `5.5`) never rejects: it is kept raw and flagged in
`unparsed` by the parser, so a board's odd spelling never holds back its report.
"""

from __future__ import annotations

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
)
from sources._common.source import Suite
from sources._common.validation import matches, rule
from sources.indikatorer.contract import CONTRACT
from sources.indikatorer.values import REPORTS

E = gx.expectations

# 2000–2100: the management system's years; `1011` or `2911` is a typing error.
YEAR_2000_2100_PATTERN = r"^(?:20[0-9]{2}|2100)$"
# `Uppfylls helt` / `Uppfylls delvis` / `Uppfylls ej`, whatever the case
# and spacing (parse_assessment reads them the same way). Written for both `re` and RE2,
# whose `\s` does not include the no-break space.
ASSESSMENT_PATTERN = r"(?i)^uppfylls[\s\xa0]+(?:helt|delvis|ej)$"


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell and the one-row-per-indicator rule."""
    # An optional header that is absent (Bedömning) is an empty column to the rules, which
    # would otherwise fail on a column the file is allowed not to have.
    absent = {
        c.name: pl.lit(None, dtype=pl.String)
        for c in CONTRACT.columns
        if not c.required and c.name not in parsed.raw.columns
    }
    in_period, in_period_rules = valid_in_period(reference, parsed.rows, when="ar", grain="year")
    cells = for_validation(parsed, **absent, **cell_values(CONTRACT, parsed), **in_period)
    content = [
        # Filled År, Rapport, Nämnd and Indikator, År a YYYY, no personnummer anywhere.
        *cell_expectations(CONTRACT, parsed),
        *known_namnd(reference),
        *in_period_rules,
        rule(
            E.ExpectColumnValuesToBeInSet(column="rapport", value_set=list(REPORTS)),
            f"Rapport is one of {', '.join(REPORTS)}",
        ),
        matches("ar", YEAR_2000_2100_PATTERN, "År is a year between 2000 and 2100"),
        matches(
            "bedomning",
            ASSESSMENT_PATTERN,
            "Bedömning is empty or one of Uppfylls helt, Uppfylls delvis, Uppfylls ej",
        ),
        *unique_rows(CONTRACT, "ar", "rapport", "namnd", "mal", "indikator"),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

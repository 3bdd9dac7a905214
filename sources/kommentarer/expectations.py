"""The expectation suites a `kommentarer` export must pass before it enters the event log.

Beyond every source's cell rules (the personnummer guard on every cell first: a comment
is free text, the likeliest place for a name and a personnummer), a comment must name a
known board, one of the report's sections and kinds, and, for an activity or an
indicator, which one: a comment the report cannot place is refused, not lost in it.
"""

from __future__ import annotations

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    cell_expectations,
    cell_values,
    known_namnd,
    known_verksamhet,
    structure_suite,
    valid_in_period,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources.kommentarer.contract import CONTRACT, KINDS, SECTIONS

E = gx.expectations
NEEDS_REFERENCE = ("verksamhet", "indikator")


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, the sections and what each comment refers to."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(reference, typed, when="ar", grain="year")
    # Sections and kinds in any case (the parser keeps them in lower case).
    section = pl.col("avsnitt").str.to_lowercase()
    cells = for_validation(
        parsed,
        avsnitt_code=section,
        typ_code=pl.col("typ").str.to_lowercase(),
        **cell_values(CONTRACT, parsed),
        **in_period,
        # The section of a comment that must say which activity or indicator it is about.
        referens_missing=pl.when(section.is_in(NEEDS_REFERENCE) & pl.col("referens").is_null())
        .then(section)
        .otherwise(None),
        namnd_verksamhet=pl.when(section == "verksamhet")
        .then(pl.concat_str([pl.col("namnd"), pl.col("referens")], separator=" / "))
        .otherwise(None),
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeInSet(column="avsnitt_code", value_set=list(SECTIONS)),
            f"Avsnitt is a section of the report ({', '.join(SECTIONS)})",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="typ_code", value_set=list(KINDS)),
            f"Typ is a kind of comment ({', '.join(KINDS)})",
        ),
        rule(
            E.ExpectColumnValuesToBeNull(column="referens_missing"),
            "Referens names the activity (verksamhet code) or the indicator (its name) a "
            "verksamhet or indikator comment is about",
        ),
        *known_namnd(reference),
        *in_period_rules,
        *known_verksamhet(
            reference,
            "Referens of a verksamhet comment is an activity of its Nämnd in verksamheter.csv "
            "(Nämnd / Referens)",
        ),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

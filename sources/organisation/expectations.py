"""The expectation suites the organisation register must pass."""

from __future__ import annotations

import great_expectations as gx

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import cell_expectations, cell_values, structure_suite
from sources._common.source import Suite
from sources._common.validation import rule, unique
from sources.organisation.contract import CONTRACT, EVENTS, TYPES

E = gx.expectations


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then events and types from the fixed lists, parents that exist."""
    known = sorted(reference.namnd_codes | set(parsed.rows["kod"].drop_nulls().to_list()))
    successors = parsed.rows["eftertradare"].list.join(",")
    cells = for_validation(parsed, eftertradare_known=successors, **cell_values(CONTRACT, parsed))
    exploded = (
        parsed.rows.select("line_number", "eftertradare").explode("eftertradare").drop_nulls()
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeInSet(column="handelse", value_set=list(EVENTS)),
            f"Händelse is one of {', '.join(EVENTS)}",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="typ", value_set=list(TYPES)),
            f"Typ is one of {', '.join(TYPES)}",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="overordnad", value_set=known),
            "Överordnad is a code of the register",
        ),
        unique(["datum", "handelse", "kod"], "one event per Datum, Händelse and Kod in a file"),
    ]
    result: list[Suite] = [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
    ]
    if len(exploded):
        result.append(
            (
                "successors",
                exploded,
                [
                    rule(
                        E.ExpectColumnValuesToBeInSet(column="eftertradare", value_set=known),
                        "Efterträdare is a code of the register",
                    )
                ],
            )
        )
    return result

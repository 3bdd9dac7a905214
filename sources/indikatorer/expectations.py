"""The expectation suites a `indikatorer` export must pass before it enters the event log."""

from __future__ import annotations

import great_expectations as gx

from sources._common.batch import (
    ParsedBatch,
    Reference,
    cell_expectations,
    for_validation,
    structure_suite,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources.indikatorer.contract import CONTRACT

E = gx.expectations


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell."""
    cells = for_validation(parsed)
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd", value_set=sorted(reference.namnd_codes)),
            "Nämnd is a code of the organisation register",
        ),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

"""The expectation suites a `indikatorer` export must pass before it enters the event log."""

from __future__ import annotations

import great_expectations as gx

from sources._common.batch import (
    ParsedBatch,
    Reference,
    cell_expectations,
    for_validation,
    known_namnd,
    structure_suite,
)
from sources._common.source import Suite
from sources.indikatorer.contract import CONTRACT

E = gx.expectations


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell."""
    cells = for_validation(parsed)
    content = [
        *cell_expectations(CONTRACT, parsed),
        *known_namnd(reference),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]

"""The expectation suites an activity list must pass."""

from __future__ import annotations

import great_expectations as gx
import polars as pl

from sources._common.batch import (
    ParsedBatch,
    Reference,
    cell_expectations,
    for_validation,
    structure_suite,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources.verksamheter.contract import CONTRACT

E = gx.expectations


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then known boards, unique activities and parents inside the same board."""
    rows = parsed.rows
    in_file = sorted(
        set(
            rows.select(pl.concat_str(["namnd", "verksamhet"], separator=" / "))
            .to_series()
            .drop_nulls()
            .to_list()
        )
    )
    cells = for_validation(
        parsed,
        namnd_overordnad=pl.concat_str(["namnd", "overordnad"], separator=" / "),
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd", value_set=sorted(reference.namnd_codes)),
            "Nämnd is a code of the organisation register",
        ),
        rule(
            E.ExpectCompoundColumnsToBeUnique(column_list=["namnd", "verksamhet", "giltig_fran"]),
            "one row per Nämnd, Verksamhet and Giltig från",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd_overordnad", value_set=in_file),
            "Överordnad is an activity of the same Nämnd in this file (Nämnd / Överordnad)",
        ),
    ]
    return [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
    ]

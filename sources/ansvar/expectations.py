"""The expectation suites an `ansvar` register must pass before it enters the event log.

Beyond every source's cell rules (dates are calendar dates, the personnummer guard in
every cell, Namn included): Nämnd is a code of the organisation register and exists for
the whole validity (a board ended on D takes units up to D - 1 day, so a unit of it
needs a Giltig till before D), Giltig till is not before Giltig från, one row per
(Ansvar, Giltig från), and (suite `validity`) no two rows of one Ansvar overlap: a unit
belongs to one board on each day, or dim_ansvar would have two current versions and
fct_ledger_units_restated two homes for one krona.
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
    validity_reversed,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources.ansvar.contract import CONTRACT

E = gx.expectations

OUTSIDE_BOARD = "namnd_outside_validity"
OVERLAP = "validity_overlap"


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, every cell and code, then the validities of each unit."""
    typed = parsed.rows
    reversed_values, reversed_rules = validity_reversed(typed, "ansvar")
    cells = for_validation(
        parsed,
        **{OUTSIDE_BOARD: board_ended(typed, reference)},
        **reversed_values,
        **cell_values(CONTRACT, parsed),
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        *known_namnd(reference),
        rule(
            E.ExpectColumnValuesToBeNull(column=OUTSIDE_BOARD),
            "Nämnd exists for the whole validity (organisation register: a board ended on "
            "D takes units up to D, so give the unit Giltig till before D and list it again "
            "under the successor) / Nämnd ska finnas under hela giltighetstiden: avsluta "
            "ansvaret med Giltig till före nämndens slutdatum",
        ),
        *reversed_rules,
        *unique_rows(CONTRACT, "ansvar", "giltig_fran"),
    ]
    return [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
        ("validity", overlaps(typed), [overlap_rule()]),
    ]


def board_ended(rows: pl.DataFrame, reference: Reference) -> pl.Series:
    """Per row: null, or why its board does not exist for the whole validity."""
    ends = {code: day for code, (day, _) in reference.namnd_ends.items()}
    found = [None] * rows.height
    if not ends:
        return pl.Series(found, dtype=pl.String)
    for index, (namnd, ansvar, fran, till) in enumerate(
        rows.select("namnd", "ansvar", "giltig_fran", "giltig_till").iter_rows()
    ):
        end = ends.get(namnd)
        if end is None or fran is None:
            continue
        if fran >= end or till is None or till >= end:
            event = reference.namnd_ends[namnd][1]
            found[index] = f"{ansvar} Giltig {fran} – {till or '…'}: Nämnd {namnd} {event} {end}"
    return pl.Series(found, dtype=pl.String)


def overlaps(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per register row: null, or the earlier row of the same Ansvar whose
    validity it overlaps (both ends inclusive; an open Giltig till runs for ever).

    >>> import datetime as dt
    >>> d = dt.date
    >>> rows = pl.DataFrame({"line_number": [2, 3, 4], "ansvar": ["14210"] * 3,
    ...     "giltig_fran": [d(2011, 1, 1), d(2011, 3, 1), d(2012, 1, 1)],
    ...     "giltig_till": [d(2011, 2, 28), None, None]})
    >>> overlaps(rows)[OVERLAP].to_list()
    [None, None, 'Ansvar 14210: line 4 from 2012-01-01 overlaps line 3 (2011-03-01 – …)']
    """
    ordered = rows.select("line_number", "ansvar", "giltig_fran", "giltig_till").sort(
        "ansvar", "giltig_fran", "line_number"
    )
    previous = ordered.with_columns(
        pl.col("line_number").shift(1).over("ansvar").alias("previous_line"),
        pl.col("giltig_fran").shift(1).over("ansvar").alias("previous_fran"),
        pl.col("giltig_till").shift(1).over("ansvar").alias("previous_till"),
        pl.col("line_number").shift(1).over("ansvar").is_not_null().alias("has_previous"),
    )
    overlapping = pl.col("has_previous") & (
        pl.col("previous_till").is_null() | (pl.col("previous_till") >= pl.col("giltig_fran"))
    )
    return (
        previous.with_columns(
            pl.when(overlapping & pl.col("giltig_fran").is_not_null())
            .then(
                pl.format(
                    "Ansvar {}: line {} from {} overlaps line {} ({} – {})",
                    "ansvar",
                    "line_number",
                    pl.col("giltig_fran").cast(pl.String),
                    "previous_line",
                    pl.col("previous_fran").cast(pl.String),
                    pl.col("previous_till").cast(pl.String).fill_null("…"),
                )
            )
            .alias(OVERLAP)
        )
        .select("line_number", OVERLAP)
        .sort("line_number")
    )


def overlap_rule():
    """The rule on `overlaps`: what a controller must fix, in both languages."""
    return rule(
        E.ExpectColumnValuesToBeNull(column=OVERLAP),
        "the validities of one Ansvar do not overlap (a unit belongs to one board on each "
        "day): end the earlier row with Giltig till before the later row's Giltig från / "
        "ett ansvars giltighetsperioder får inte överlappa: avsluta den tidigare raden med "
        "Giltig till före nästa rads Giltig från",
    )

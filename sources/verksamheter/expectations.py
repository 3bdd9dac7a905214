"""The expectation suites an activity list must pass."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import cell_expectations, cell_values, structure_suite
from sources._common.source import Suite
from sources._common.validation import rule, unique
from sources.verksamheter.contract import CONTRACT

E = gx.expectations

# SCB's classification of Räkenskapssammandraget, the dbt seed (one file for the rule
# here and the marts): 71 codes, 62 of them leaves ('blad').
RS_CLASSIFICATION = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "rs_verksamhetsomraden.csv"
)


@cache
def rs_leaf_codes() -> tuple[str, ...]:
    """The RS codes an activity may carry: the leaves, where costs are reported.

    A sum ('summa', e.g. 490 PEDAGOGISK VERKSAMHET, TOTALT) would count its leaves'
    costs twice when boards are compared.
    """
    with RS_CLASSIFICATION.open(encoding="utf-8", newline="") as file:
        return tuple(sorted(r["rs_code"] for r in csv.DictReader(file) if r["rs_level"] == "blad"))


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
        namnd_eftertradare=pl.concat_str(["namnd", "eftertradare"], separator=" / "),
        # An activity named as its own successor (a trial file of 2026-12-06: 230 ended
        # with Efterträdare 230) ends nowhere: dim_verksamhet's chain would stay on it.
        own_successor=pl.when(pl.col("eftertradare") == pl.col("verksamhet")).then(
            pl.concat_str(["namnd", "verksamhet"], separator=" / ")
        ),
        rs_kod=pl.col("rs_kod").str.strip_chars(),  # as the typed code: trimmed
        **cell_values(CONTRACT, parsed),
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd", value_set=sorted(reference.namnd_codes)),
            "Nämnd is a code of the organisation register",
        ),
        unique(
            ["namnd", "verksamhet", "giltig_fran"], "one row per Nämnd, Verksamhet and Giltig från"
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd_overordnad", value_set=in_file),
            "Överordnad is an activity of the same Nämnd in this file (Nämnd / Överordnad)",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd_eftertradare", value_set=in_file),
            "Efterträdare is an activity of the same Nämnd in this file (Nämnd / "
            "Efterträdare) / efterträdaren ska vara en verksamhet i samma nämnds lista",
        ),
        rule(
            E.ExpectColumnValuesToBeNull(column="own_successor"),
            "Efterträdare is another activity than the row's own (Nämnd / Verksamhet) / "
            "en verksamhet kan inte vara sin egen efterträdare",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="rs_kod", value_set=list(rs_leaf_codes())),
            "RS-kod is a leaf ('blad') code of SCB's classification of Räkenskapssammandraget "
            "(dbt_project/seeds/rs_verksamhetsomraden.csv), not a sum such as 490 / RS-kod "
            "ska vara en bladkod i Räkenskapssammandragets verksamhetsindelning, inte en summa",
        ),
    ]
    result: list[Suite] = [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
    ]
    in_use = _in_use(parsed, reference)
    if in_use is not None:
        result.append(("in_use", in_use, _in_use_expectations(in_file)))
    return result


def _in_use(parsed: ParsedBatch, reference: Reference) -> pl.DataFrame | None:
    """The activities the current ledger, budget and forecast of the file's boards use.

    One row per activity in use, at the first line of its board in this file; None when
    nothing is in use (a new board, or a register before its first ledger month).

    Chosen (issue 12): a re-delivery that leaves out an activity still in use is
    rejected. The register is delivered whole per board (its newest delivery wins), so
    accepting it would turn every booking of the left-out activity into an inferred
    "Okänd" member of dim_verksamhet: history renamed. To end an activity, deliver it
    with Giltig till; it then stays named and no later period may book it.
    """
    first_lines = parsed.rows.group_by("namnd").agg(pl.col("line_number").min()).drop_nulls("namnd")
    if first_lines.is_empty():
        return None
    in_use = sorted(reference.activities_in_use(tuple(first_lines["namnd"].to_list())))
    if not in_use:
        return None
    used = pl.DataFrame(in_use, schema={"namnd": pl.String, "verksamhet": pl.String}, orient="row")
    return (
        used.join(first_lines, on="namnd")
        .select(
            "line_number",
            pl.concat_str(["namnd", "verksamhet"], separator=" / ").alias("namnd_verksamhet"),
        )
        .sort("line_number", "namnd_verksamhet")
    )


def _in_use_expectations(in_file: list[str]) -> list:
    return [
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd_verksamhet", value_set=in_file),
            "a re-delivered activity register keeps every activity that has bookings "
            "(ledger, budget or forecast; the line is its Nämnd's first in the file): list "
            "it again, ended with Giltig till if it is closed / en ny verksamhetslista "
            "måste ha kvar varje verksamhet som har bokningar: ta med den igen, avslutad "
            "med Giltig till om den har upphört",
        )
    ]

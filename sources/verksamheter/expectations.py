"""The expectation suites an activity list must pass: known boards, one row per
activity and Giltig från, a validity that does not end before it starts, parents and
successors inside the same board, chains of successors that end, RS leaf codes."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    cell_expectations,
    cell_values,
    known_namnd,
    structure_suite,
    validity_reversed,
)
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
    reversed_values, reversed_rules = validity_reversed(rows, "verksamhet")
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
        successor_cycle=pl.col("line_number").replace_strict(
            successor_cycles(parsed.raw), default=None, return_dtype=pl.String
        ),
        rs_kod=pl.col("rs_kod").str.strip_chars(),  # as the typed code: trimmed
        **reversed_values,
        **cell_values(CONTRACT, parsed),
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        *known_namnd(reference),
        unique(
            ["namnd", "verksamhet", "giltig_fran"], "one row per Nämnd, Verksamhet and Giltig från"
        ),
        *reversed_rules,
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
            E.ExpectColumnValuesToBeNull(column="successor_cycle"),
            "a chain of Efterträdare ends: no activity is its own successor's successor, "
            "at any distance (Nämnd / Verksamhet → Efterträdare → …) / en kedja av "
            "efterträdare måste ta slut och får inte gå tillbaka till en tidigare verksamhet",
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


def successor_cycles(raw: pl.DataFrame) -> dict[int, str]:
    """The current versions whose chain of Efterträdare comes back to them: line -> chain.

    A trial file of 2026-12-06 had 110 end with Efterträdare 120 and 120 with
    Efterträdare 110: it was accepted, and dim_verksamhet, which follows the chain from
    each activity's current version (newest Giltig från, then line) and stops after 20
    steps, silently read the cycle as "no successor". The chain is followed here the
    same way, from the current versions only: an older version's successor is history
    (110 renamed into 120 in 2015, and 120 folded back into a reopened 110 in 2020, is no
    cycle). A successor outside the file ends the chain (another rule names it); an
    activity that is its own successor has its own rule, so cycles start at two.

    >>> raw = pl.DataFrame({
    ...     "line_number": [2, 3, 4, 5, 6, 7],
    ...     "namnd": ["101"] * 6,
    ...     "verksamhet": ["110", "120", "130", "140", "150", "110"],
    ...     "giltig_fran": ["1971-01-01"] * 5 + ["2025-01-01"],
    ...     "eftertradare": [None, "110", "140", "150", "130", None],
    ... })
    >>> successor_cycles(raw)
    {4: '101 / 130 → 140 → 150 → 130', 5: '101 / 140 → 150 → 130 → 140', \
6: '101 / 150 → 130 → 140 → 150'}
    >>> successor_cycles(raw.with_columns(eftertradare=pl.lit("120")).head(2))
    {}
    >>> successor_cycles(raw.drop("eftertradare"))
    {}
    """
    if not {"namnd", "verksamhet", "giltig_fran", "eftertradare"} <= set(raw.columns):
        return {}  # a missing header: the structure suite names it
    current = (
        raw.sort(["giltig_fran", "line_number"], descending=True, nulls_last=True)
        .unique(["namnd", "verksamhet"], keep="first", maintain_order=True)
        .filter(pl.col("eftertradare").is_not_null() & pl.col("verksamhet").is_not_null())
    )
    successor: dict[tuple[str, str], str] = {}
    line: dict[tuple[str, str], int] = {}
    for number, namnd, code, after in current.select(
        "line_number", "namnd", "verksamhet", "eftertradare"
    ).iter_rows():
        successor[(namnd, code)] = after
        line[(namnd, code)] = number
    cycles: dict[int, str] = {}
    done: set[tuple[str, str]] = set()  # chains already followed to their end
    for start in successor:
        path: list[tuple[str, str]] = []
        at: tuple[str, str] | None = start
        while at in successor and at not in done and at not in path:
            path.append(at)
            at = (at[0], successor[at])
        if at in path and len(path) - path.index(at) > 1:
            ring = path[path.index(at) :]
            for i, member in enumerate(ring):
                codes = [m[1] for m in ring[i:] + ring[: i + 1]]
                cycles[line[member]] = f"{member[0]} / " + " → ".join(codes)
        done.update(path)
    return dict(sorted(cycles.items()))


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

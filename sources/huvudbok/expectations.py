"""The expectation suites a ledger export must pass before it enters the event log."""

from __future__ import annotations

import great_expectations as gx
import polars as pl

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    NAMND_VERKSAMHET,
    cell_expectations,
    cell_values,
    known_namnd,
    known_verksamhet,
    period_in_years,
    period_of_file_name,
    structure_suite,
    valid_in_period,
)
from sources._common.source import Suite
from sources._common.validation import matches, rule
from sources._common.values import KONTO_PATTERN, MONEY_PATTERN, as_written
from sources.huvudbok.contract import CONTRACT

E = gx.expectations


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, then the control totals (when a `.ctl` came along)."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(
        reference, typed, when="period", grain="period", verksamhet=True
    )
    in_years, in_years_rules = period_in_years(typed["period"])
    cells = for_validation(
        parsed,
        # Datum must fall inside Period: compare the typed date's month with the period.
        datum_period=typed["datum"].dt.strftime("%Y%m"),
        **in_years,
        **NAMND_VERKSAMHET,
        **cell_values(CONTRACT, parsed),
        **in_period,
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        matches("konto", KONTO_PATTERN, "Konto is a 4-digit Kommun-Bas account"),
        rule(
            E.ExpectColumnPairValuesToBeEqual(
                column_A="datum_period", column_B="period", ignore_row_if="either_value_is_missing"
            ),
            "Datum falls inside Period (Datum month / Period)",
        ),
        *in_years_rules,
        *known_namnd(reference),
        # Before the activity rule: a board that no longer exists has no activities
        # either, and "the board ended" is the message a controller can act on.
        *in_period_rules,
        *known_verksamhet(reference),
        *period_of_file_name(parsed),
    ]
    result: list[Suite] = [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
    ]
    if "control" in parsed.companions:
        # Coverage first: a total for a key the file lacks, or a key the .ctl leaves out,
        # is one clear message; the per-key totals come after.
        result.append(("control_coverage", _coverage_frame(parsed), _coverage_expectations()))
        result.append(("control_totals", _control_frame(parsed), _control_expectations()))
    return result


COVERED = "covered"


def _coverage_frame(parsed: ParsedBatch):
    """Every (Nämnd, Period) of the file or of the control file, and whether both have it.

    A `.ctl` that leaves out a key of the file would let lines nobody counted through
    (three stray August lines replaced a whole month, issue 12); one that lists a key the
    file lacks counts a delivery that is not there. Each key is named: by its line in the
    `.ctl` when listed there, else by its first line in the file.
    """
    keys = ["namnd", "period"]
    in_file = parsed.rows.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("rows_in_file"),
        pl.col("line_number").min().alias("file_line"),
    )
    in_control = (
        parsed.companions["control"]
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Int64).alias("times_in_control"),
            pl.col("line_number").min().alias("control_line"),
        )
    )
    key = pl.format(
        "{} {}",
        pl.col("namnd").fill_null("(empty)"),
        pl.col("period").cast(pl.String).fill_null("(empty)"),
    )
    coverage = (
        pl.when(pl.col("times_in_control").is_null())
        .then(
            pl.format(
                "{}: {} row(s) in the file (from line {}), not in the .ctl",
                key,
                pl.col("rows_in_file"),
                pl.col("file_line"),
            )
        )
        .when(pl.col("rows_in_file").is_null())
        .then(pl.format("{}: in the .ctl (line {}), no row in the file", key, "control_line"))
        .when(pl.col("times_in_control") > 1)
        .then(pl.format("{}: listed {} times in the .ctl", key, "times_in_control"))
        .otherwise(pl.lit(COVERED))
    )
    return (
        in_control.join(in_file, on=keys, how="full", coalesce=True, nulls_equal=True)
        .select(
            pl.coalesce("control_line", "file_line").alias("line_number"),
            coverage.alias("namnd_period_coverage"),
        )
        .sort("line_number")
    )


def _coverage_expectations() -> list:
    return [
        rule(
            E.ExpectColumnValuesToBeInSet(column="namnd_period_coverage", value_set=[COVERED]),
            "control file covers exactly the file's Nämnd and Period: list each (Nämnd, Period) "
            "of the file once in the .ctl, and no other / kontrollfilen ska ange varje "
            "(Nämnd, Period) i filen en gång, och inga andra",
        )
    ]


def _control_frame(parsed: ParsedBatch):
    """Per (Nämnd, Period) of the control file: its rows and sum beside the file's own.

    Sums are compared as exact decimal text: a float would hide a one-öre difference.
    """
    control = parsed.companions["control"]
    actual = parsed.rows.group_by("namnd", "period").agg(
        pl.len().cast(pl.Int64).alias("rows_in_file"), pl.col("belopp").sum().alias("sum_in_file")
    )
    joined = control.join(actual, on=["namnd", "period"], how="left").with_columns(
        pl.col("rows_in_file").fill_null(0)
    )
    raw_summa = parsed.companions["control_raw"].select("line_number", "summa")
    return joined.join(raw_summa.rename({"summa": "summa_text"}), on="line_number").select(
        "line_number",
        pl.concat_str([pl.col("namnd"), pl.col("period").cast(pl.String)], separator=" ").alias(
            "namnd_period"
        ),
        pl.col("rader").cast(pl.String).alias("rows_in_control"),
        pl.col("rows_in_file").cast(pl.String),
        as_written(pl.col("summa")).alias("sum_in_control"),
        as_written(pl.col("sum_in_file").cast(pl.Decimal(18, 2), strict=False)).fill_null("0,00"),
        "summa_text",
    )


def _control_expectations() -> list:
    return [
        matches("summa_text", MONEY_PATTERN, "control file Summa is a money amount", "money"),
        rule(
            E.ExpectColumnPairValuesToBeEqual(column_A="rows_in_control", column_B="rows_in_file"),
            "control total: row count per Nämnd and Period matches the .ctl file (control / file)",
        ),
        rule(
            E.ExpectColumnPairValuesToBeEqual(column_A="sum_in_control", column_B="sum_in_file"),
            "control total: sum of Belopp per Nämnd and Period matches the .ctl file "
            "(control / file)",
        ),
    ]

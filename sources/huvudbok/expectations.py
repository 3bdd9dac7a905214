"""The expectation suites a ledger export must pass before it enters the event log."""

from __future__ import annotations

import great_expectations as gx
import polars as pl

from sources._common.batch import (
    NAMND_VERKSAMHET,
    ParsedBatch,
    Reference,
    cell_expectations,
    for_validation,
    known_namnd,
    known_verksamhet,
    structure_suite,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources._common.values import KONTO_PATTERN, MONEY_PATTERN
from sources.huvudbok.contract import CONTRACT

E = gx.expectations


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, then the control totals (when a `.ctl` came along)."""
    typed = parsed.rows
    cells = for_validation(
        parsed,
        # Datum must fall inside Period: compare the typed date's month with the period.
        datum_period=typed["datum"].dt.strftime("%Y%m"),
        **NAMND_VERKSAMHET,
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        rule(
            E.ExpectColumnValuesToMatchRegex(column="konto", regex=KONTO_PATTERN),
            "Konto is a 4-digit Kommun-Bas account",
        ),
        rule(
            E.ExpectColumnPairValuesToBeEqual(
                column_A="datum_period", column_B="period", ignore_row_if="either_value_is_missing"
            ),
            "Datum falls inside Period (Datum month / Period)",
        ),
        *known_namnd(reference),
        *known_verksamhet(reference),
    ]
    result: list[Suite] = [
        structure_suite(CONTRACT, parsed, cells),
        ("content", cells, content),
    ]
    if "control" in parsed.companions:
        result.append(("control_totals", _control_frame(parsed), _control_expectations()))
    return result


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
    return (
        joined.join(raw_summa.rename({"summa": "summa_text"}), on="line_number")
        .select(
            "line_number",
            pl.concat_str([pl.col("namnd"), pl.col("period").cast(pl.String)], separator=" ").alias(
                "namnd_period"
            ),
            pl.col("rader").cast(pl.String).alias("rows_in_control"),
            pl.col("rows_in_file").cast(pl.String),
            pl.col("summa").cast(pl.String).alias("sum_in_control"),
            pl.col("sum_in_file").cast(pl.Decimal(18, 2)).cast(pl.String).fill_null("0.00"),
            "summa_text",
        )
        .to_pandas()
        .set_index("line_number")
    )


def _control_expectations() -> list:
    return [
        rule(
            E.ExpectColumnValuesToMatchRegex(column="summa_text", regex=MONEY_PATTERN),
            "control file Summa is a money amount",
        ),
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

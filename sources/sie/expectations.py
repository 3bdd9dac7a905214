"""The expectation suites a SIE file must pass before its rows enter the event log.

In order, each suite only if the one before passed:
1. structure: at least one voucher line (a file without `#VER` is a failed export:
   a board's books are never empty, the ledger's rule);
2. records: no personnummer-like value in any record, whatever its label (a sole
   trader's `#ORGNR` is a personnummer: BLBLOV_SIE4.SI is rejected for it);
3. content, one row per ledger line: Nämnd known, Verksamhet an activity of its Nämnd
   (or -1, see below), Konto 4 digits, amounts and dates well formed, Datum inside
   Period and inside the financial year `#RAR 0`;
4. vouchers: the lines of every voucher sum to zero (SIE 4B, #TRANS 4);
5. budget, when the file has `#PBUDGET` of year 0: the same cell rules on those lines.
"""

from __future__ import annotations

import great_expectations as gx
import pandas as pd
import polars as pl

from sources._common.batch import (
    NAMND_VERKSAMHET,
    ParsedBatch,
    Reference,
    known_namnd,
    known_verksamhet,
)
from sources._common.source import Suite
from sources._common.validation import rule
from sources._common.values import KONTO_PATTERN, PERIOD_PATTERN, PERSONNUMMER_PATTERN
from sources.sie.contract import UNKNOWN_VERKSAMHET

E = gx.expectations

# SIE 4B §5.9: a decimal point, at most two öre digits, a leading minus, never a plus.
SIE_AMOUNT_PATTERN = r"^-?[0-9]+(?:\.[0-9]{1,2})?$"


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, every record, the ledger lines, the vouchers, the period budget."""
    cells = _ledger_cells(parsed)
    # Verksamhet -1 (Okänd) is allowed on purpose: a line without a dimension-2 object
    # is booked there (contract.UNKNOWN_VERKSAMHET) and dim_verksamhet gives it the
    # Okänd member, so a SIE file without object coding loads instead of failing on
    # an activity it never claimed. Any other code must be in verksamheter.csv.
    with_unknown = Reference(
        namnd_codes=reference.namnd_codes,
        verksamheter=reference.verksamheter
        | {(n, UNKNOWN_VERKSAMHET) for n in reference.namnd_codes},
    )
    result: list[Suite] = [
        (
            "structure",
            cells.head(1),
            [
                rule(
                    E.ExpectTableRowCountToBeBetween(min_value=1),
                    "at least one voucher line (#VER with #TRANS): an export without "
                    "vouchers is a failed export",
                )
            ],
        ),
        ("records", _records(parsed), _record_expectations()),
        ("content", cells, _content_expectations(with_unknown)),
        ("vouchers", _vouchers(parsed), _voucher_expectations()),
    ]
    budget = parsed.companions["budget_raw"]
    if budget.height:
        result.append(("budget", _budget_cells(budget), _budget_expectations(with_unknown)))
    return result


def _ledger_cells(parsed: ParsedBatch) -> pd.DataFrame:
    """The ledger lines as delivered, plus the derived columns the rules read."""
    year = parsed.companions["financial_year"].row(0)
    datum = pl.col("datum").str.to_date("%Y%m%d", strict=False)
    outside = pl.lit(None, pl.String)
    if year[0] and year[1]:
        outside = (
            pl.when((pl.col("datum") < year[0]) | (pl.col("datum") > year[1]))
            .then(
                pl.format(
                    "Datum {} outside #RAR 0 {}–{}", "datum", pl.lit(year[0]), pl.lit(year[1])
                )
            )
            .otherwise(None)
        )
    return (
        parsed.raw.with_columns(
            datum_period=datum.dt.strftime("%Y%m"),
            datum_outside_year=outside,
            **NAMND_VERKSAMHET,
        )
        .drop("voucher_line")
        .to_pandas()
        .set_index("line_number")
    )


def _content_expectations(reference: Reference) -> list:
    return [
        rule(
            E.ExpectColumnValuesToNotBeNull(column="namnd"),
            "Nämnd is given: the file name sie_<Nämnd>_... or #FNR",
        ),
        *_account_and_amount("Konto", "Belopp"),
        rule(
            E.ExpectColumnValuesToMatchStrftimeFormat(column="datum", strftime_format="%Y%m%d"),
            "Datum (transdat, else the voucher's date) is a date YYYYMMDD",
        ),
        rule(
            E.ExpectColumnValuesToMatchStrftimeFormat(column="verdatum", strftime_format="%Y%m%d"),
            "the voucher date (#VER verdatum) is a date YYYYMMDD",
        ),
        rule(
            E.ExpectColumnValuesToMatchRegex(column="period", regex=PERIOD_PATTERN),
            "Period (the voucher date's month) is YYYYMM",
        ),
        rule(
            E.ExpectColumnPairValuesToBeEqual(
                column_A="datum_period", column_B="period", ignore_row_if="either_value_is_missing"
            ),
            "Datum falls inside Period, the month of its voucher (Datum month / Period)",
        ),
        rule(
            E.ExpectColumnValuesToBeNull(column="datum_outside_year"),
            "Datum falls inside the financial year (#RAR 0)",
        ),
        *known_namnd(reference),
        *known_verksamhet(reference),
    ]


def _account_and_amount(konto: str, belopp: str) -> list:
    """The account and amount rules of a ledger line and of a #PBUDGET line alike."""
    return [
        rule(
            E.ExpectColumnValuesToMatchRegex(column="konto", regex=KONTO_PATTERN),
            f"{konto} is a 4-digit Kommun-Bas account",
        ),
        rule(
            E.ExpectColumnValuesToMatchRegex(column="belopp", regex=SIE_AMOUNT_PATTERN),
            f"{belopp} is a SIE amount (decimal point, at most 2 decimals)",
        ),
    ]


def _records(parsed: ParsedBatch) -> pd.DataFrame:
    return parsed.companions["records"].to_pandas().set_index("line_number")


def _record_expectations() -> list:
    return [
        rule(
            E.ExpectColumnValuesToNotMatchRegex(column="record", regex=PERSONNUMMER_PATTERN),
            "no personnummer-like value in any record (person-level data must never enter)",
        )
    ]


def _vouchers(parsed: ParsedBatch) -> pd.DataFrame:
    """One row per voucher, at its #VER line: null when balanced, else what it sums to.

    Summed as Decimal(18, 2) from the text: a float would call 0.1 + 0.2 - 0.3 unbalanced.
    """
    lines = parsed.raw.select(
        "voucher_line",
        "verifikation",
        pl.col("belopp").cast(pl.Decimal(18, 2), strict=False),
    )
    sums = (
        lines.group_by("voucher_line", maintain_order=True)
        .agg(pl.col("verifikation").first(), pl.col("belopp").sum().alias("total"))
        .select(
            pl.col("voucher_line").alias("line_number"),
            pl.when(pl.col("total") != 0)
            .then(
                pl.format(
                    "voucher {} sums to {}",
                    pl.col("verifikation").fill_null("(no series/number)"),
                    pl.col("total").cast(pl.String),
                )
            )
            .alias("voucher_balance"),
        )
    )
    return sums.to_pandas().set_index("line_number")


def _voucher_expectations() -> list:
    return [
        rule(
            E.ExpectColumnValuesToBeNull(column="voucher_balance"),
            "the lines of a voucher sum to zero (#VER line named)",
        )
    ]


def _budget_cells(budget: pl.DataFrame) -> pd.DataFrame:
    return budget.with_columns(**NAMND_VERKSAMHET).to_pandas().set_index("line_number")


def _budget_expectations(reference: Reference) -> list:
    return [
        *_account_and_amount("#PBUDGET Konto", "#PBUDGET saldo"),
        rule(
            E.ExpectColumnValuesToMatchRegex(column="period", regex=PERIOD_PATTERN),
            "#PBUDGET period is YYYYMM",
        ),
        *known_verksamhet(reference),
    ]

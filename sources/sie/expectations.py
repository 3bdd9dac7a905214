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
5. budget, when the file has `#PBUDGET` of year 0: the same cell rules on those lines;
6. balances, when the file has `#IB`/`#UB`/`#RES` of year 0 or −1: accounts and amounts
   well formed, `#IB`/`#UB` on balance accounts (class 1–2) and `#RES` on result
   accounts (class 3–8), each dated by `#RAR`;
7. trial balance: per year, Σ #UB − Σ #IB + Σ #RES = 0 (`_trial_balance` says why).
"""

from __future__ import annotations

from dataclasses import replace

import great_expectations as gx
import polars as pl

from sources._common import personnummer
from sources._common.batch import ParsedBatch, Reference
from sources._common.rules import (
    NAMND_VERKSAMHET,
    amount_rules,
    amount_values,
    known_namnd,
    known_verksamhet,
    period_in_years,
    valid_in_period,
)
from sources._common.source import Suite
from sources._common.validation import is_date, matches, rule
from sources._common.values import KONTO_PATTERN, PERIOD_PATTERN
from sources.sie.contract import UNKNOWN_VERKSAMHET

E = gx.expectations

# SIE 4B §5.9: a decimal point, at most two öre digits, a leading minus, never a plus.
SIE_AMOUNT_PATTERN = r"^-?[0-9]+(?:\.[0-9]{1,2})?$"


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, every record, the ledger lines, the vouchers, the period budget."""
    cells, in_period_rules = _ledger_cells(parsed, reference)
    # Verksamhet -1 (Okänd) is allowed on purpose: a line without a dimension-2 object
    # is booked there (contract.UNKNOWN_VERKSAMHET) and dim_verksamhet gives it the
    # Okänd member, so a SIE file without object coding loads instead of failing on
    # an activity it never claimed. Any other code must be in verksamheter.csv.
    with_unknown = replace(
        reference,
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
        *_checksum_suite(parsed),
        ("records", _records(parsed), _record_expectations()),
        ("content", cells, [*_content_expectations(with_unknown), *in_period_rules]),
        ("vouchers", _vouchers(parsed), _voucher_expectations()),
    ]
    budget = parsed.companions["budget_raw"]
    if budget.height:
        budget_cells, budget_in_period = _budget_cells(budget, reference)
        result.append(
            ("budget", budget_cells, [*_budget_expectations(with_unknown), *budget_in_period])
        )
    balances = parsed.companions.get("balance_raw")
    if balances is not None and balances.height:
        result.append(("balances", _balance_cells(balances), _balance_expectations()))
        result.append(("trial_balance", _trial_balance(balances), [_trial_balance_rule()]))
    return result


def _ledger_cells(parsed: ParsedBatch, reference: Reference) -> tuple[pl.DataFrame, list]:
    """The ledger lines as delivered, plus the derived columns the rules read, and the
    rules on codes valid at the period (they come with their columns)."""
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
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(
        reference, typed, when="period", grain="period", verksamhet=True
    )
    in_years, in_years_rules = period_in_years(typed["period"])
    cells = parsed.raw.with_columns(
        datum_period=datum.dt.strftime("%Y%m"),
        datum_outside_year=outside,
        **in_years,
        **NAMND_VERKSAMHET,
        **amount_values("belopp", parsed.raw["belopp"], typed["belopp"], SIE_AMOUNT_PATTERN),
        **in_period,
    ).drop("voucher_line")
    return cells, [*in_years_rules, *in_period_rules]


def _content_expectations(reference: Reference) -> list:
    return [
        rule(
            E.ExpectColumnValuesToNotBeNull(column="namnd"),
            "Nämnd is given: the file name sie_<Nämnd>_... or #FNR",
        ),
        *_account_and_amount("Konto", "Belopp"),
        is_date(
            "datum",
            "%Y%m%d",
            "Datum (transdat, else the voucher's date) is a date YYYYMMDD",
        ),
        is_date(
            "verdatum",
            "%Y%m%d",
            "the voucher date (#VER verdatum) is a date YYYYMMDD",
        ),
        matches("period", PERIOD_PATTERN, "Period (the voucher date's month) is YYYYMM"),
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
        *amount_rules("belopp", "Belopp"),
        *known_namnd(reference),
        *known_verksamhet(reference),
    ]


def _account_and_amount(konto: str, belopp: str) -> list:
    """The account and amount rules of a ledger line and of a #PBUDGET line alike."""
    return [
        matches("konto", KONTO_PATTERN, f"{konto} is a 4-digit Kommun-Bas account"),
        matches(
            "belopp",
            SIE_AMOUNT_PATTERN,
            f"{belopp} is a SIE amount (decimal point, at most 2 decimals)",
        ),
    ]


def _records(parsed: ParsedBatch) -> pl.DataFrame:
    """Every record, with `personnummer`: the record masked where one is found, else null.

    Searched field by field (`parser._searchable`): every record, whatever its label,
    `#ORGNR`, `#FNAMN` and `#TRANS` texts included; found with `personnummer.masked_hits`.
    """
    records = parsed.companions["records"]
    return records.select(
        "line_number",
        personnummer.masked_hits(records["fields"], records["record"]).alias("personnummer"),
    )


def _record_expectations() -> list:
    return [
        rule(
            E.ExpectColumnValuesToBeNull(column="personnummer"),
            "no personnummer-like value in any record (no personnummer or samordningsnummer, "
            "a sole trader's #ORGNR, #FNAMN and #TRANS texts included: person-level data must "
            "never enter; remove it from the export / inga personnummer eller "
            "samordningsnummer: ta bort dem ur exporten)",
        )
    ]


def _checksum_suite(parsed: ParsedBatch) -> list[Suite]:
    """`#KSUMMA` verified when the file has one (records.Checksum says how)."""
    checksum = parsed.companions.get("checksum")
    if checksum is None or checksum.is_empty():
        return []
    return [
        (
            "checksum",
            checksum,
            [
                rule(
                    E.ExpectColumnValuesToBeNull(column="ksumma"),
                    "#KSUMMA holds (SIE 4B §10: the CRC-32 of the records between the two "
                    "#KSUMMA): the file was changed or cut after export, export it again / "
                    "kontrollsumman #KSUMMA stämmer inte: filen har ändrats eller kortats, "
                    "exportera den igen",
                )
            ],
        )
    ]


def _vouchers(parsed: ParsedBatch) -> pl.DataFrame:
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
    return sums


def _voucher_expectations() -> list:
    return [
        rule(
            E.ExpectColumnValuesToBeNull(column="voucher_balance"),
            "the lines of a voucher sum to zero (#VER line named)",
        )
    ]


def _budget_cells(budget: pl.DataFrame, reference: Reference) -> tuple[pl.DataFrame, list]:
    """The #PBUDGET lines of year 0, with their amounts' and codes' check columns."""
    typed = budget.select(
        "namnd",
        "verksamhet",
        pl.col("period").cast(pl.Int32, strict=False),
        pl.col("belopp").cast(pl.Decimal(18, 2), strict=False),
    )
    in_period, in_period_rules = valid_in_period(
        reference, typed, when="period", grain="period", verksamhet=True
    )
    cells = budget.with_columns(
        **NAMND_VERKSAMHET,
        **amount_values("belopp", budget["belopp"], typed["belopp"], SIE_AMOUNT_PATTERN),
        **in_period,
    )
    return cells, in_period_rules


def _budget_expectations(reference: Reference) -> list:
    return [
        *_account_and_amount("#PBUDGET Konto", "#PBUDGET saldo"),
        matches("period", PERIOD_PATTERN, "#PBUDGET period is YYYYMM"),
        *amount_rules("belopp", "#PBUDGET saldo"),
        *known_verksamhet(reference),
    ]


# SIE 4B: "#IB/#UB Ingående/Utgående balans för balanskonto", "#RES Saldo för
# resultatkonto". Kommun-Bas's balance accounts are classes 1–2, result accounts 3–8.
_ACCOUNT_OF_POST = {"IB": "12", "UB": "12", "RES": "345678"}


def _balance_cells(balances: pl.DataFrame) -> pl.DataFrame:
    """The #IB/#UB/#RES lines as delivered, with the class check column `wrong_class`."""
    first_digit = pl.col("konto").str.slice(0, 1)
    wrong = pl.lit(None, pl.String)
    for post, digits in _ACCOUNT_OF_POST.items():
        wrong = (
            pl.when((pl.col("post") == post) & ~first_digit.is_in(list(digits)))
            .then(pl.format("#{} on account {}", "post", "konto"))
            .otherwise(wrong)
        )
    # `belopp`: the name the account-and-amount rules shared with #TRANS read.
    return balances.with_columns(wrong_class=wrong, belopp=pl.col("saldo"))


def _balance_expectations() -> list:
    return [
        *_account_and_amount("#IB/#UB/#RES konto", "#IB/#UB/#RES saldo"),
        rule(
            E.ExpectColumnValuesToBeNull(column="wrong_class"),
            "#IB and #UB are balances of balance accounts (Kommun-Bas class 1–2), #RES of "
            "result accounts (class 3–8) (SIE 4B §#IB, #UB, #RES)",
        ),
        rule(
            E.ExpectColumnValuesToNotBeNull(column="period"),
            "the balances' year is known: the file has #RAR 0 with its first and last day "
            "YYYYMMDD (a balance is dated to its year's last month, #IB to the month before)",
        ),
    ]


def _trial_balance(balances: pl.DataFrame) -> pl.DataFrame:
    """One row per year number (0, −1), at its first balance line: null when the year's
    balances agree, else the three sums and what they come to.

    Summed as Decimal(18, 2) from the text, as the vouchers are.
    """
    typed = balances.select(
        "line_number",
        "arsnr",
        "post",
        pl.col("saldo").cast(pl.Decimal(18, 2), strict=False),
    )
    zero = pl.lit(0).cast(pl.Decimal(18, 2))

    def total(post: str) -> pl.Expr:
        return pl.col("saldo").filter(pl.col("post") == post).sum().fill_null(zero)

    sums = typed.group_by("arsnr", maintain_order=True).agg(
        pl.col("line_number").min(),
        pl.col("line_number").max().alias("last"),
        total("UB").alias("ub"),
        total("IB").alias("ib"),
        total("RES").alias("res"),
    )
    return sums.select(
        "line_number",
        pl.when(pl.col("ub") - pl.col("ib") + pl.col("res") != 0)
        .then(
            pl.format(
                "year {} (lines {}–{}): Σ#UB {} − Σ#IB {} + Σ#RES {} = {}, not 0",
                "arsnr",
                "line_number",
                "last",
                pl.col("ub").cast(pl.String),
                pl.col("ib").cast(pl.String),
                pl.col("res").cast(pl.String),
                (pl.col("ub") - pl.col("ib") + pl.col("res")).cast(pl.String),
            )
        )
        .alias("trial_balance"),
    )


def _trial_balance_rule():
    """Why Σ #UB − Σ #IB + Σ #RES must be zero for each year of the file.

    Every voucher of a year sums to zero (SIE 4B #TRANS 4: the `vouchers` suite), so the
    year's movements summed over all accounts are zero too. On a balance account the
    year's movement is #UB − #IB; a result account starts the year at zero, so its
    movement is its #RES. Hence Σ(#UB − #IB) + Σ#RES = 0 per year, whether or not the
    books were closed into eget kapital: BLBLOV_SIE4.SE's opening balances alone sum to
    −187 195,27 (its results stay in 2099 unclosed), yet 2017 gives −266 909,06 −
    (−187 195,27) + 79 713,79 = 0. Σ#IB = 0 alone would reject that sound file.
    """
    return rule(
        E.ExpectColumnValuesToBeNull(column="trial_balance"),
        "the trial balance holds for each year: Σ #UB − Σ #IB (the year's movement on the "
        "balance accounts) + Σ #RES (the year's result accounts) = 0, as every voucher of "
        "the year balances (SIE 4B #IB, #UB, #RES, #TRANS 4): an account's balance is "
        "missing or wrong, export the whole year again / balansen stämmer inte: UB − IB + "
        "RES ska summera till 0 för varje år, exportera om hela året",
    )

"""The Great Expectations rules every `;`-separated export shares, and the check columns
they read (derived from the parsed batch in Polars)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Literal

import great_expectations as gx
import polars as pl

from sources._common import personnummer
from sources._common.batch import ParsedBatch, Reference
from sources._common.contract import Column, Contract
from sources._common.outcome import BEYOND_CAP, FILE_TOTAL, NOT_A_DATE
from sources._common.validation import holds, matches, one_of, rule, sql_regex, unique
from sources._common.values import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_BY_KIND,
    MAX_FILE_KRONOR,
    MONEY_PATTERN,
    PATTERN_BY_KIND,
    PERIOD_PATTERN,
    beyond_cap,
    file_total_beyond_cap,
    no_findings,
    not_a_date,
)

E = gx.expectations


def structure_expectations(contract: Contract, parsed: ParsedBatch) -> list:
    """Required headers present and at least one data row: checked before any cell."""
    # Headers as the contract writes them, and the file's others as it wrote them: a
    # misspelt `Nämd` then stands beside the missing `Nämnd`.
    present = [c.header for c in contract.columns if c.name in parsed.raw.columns]
    others = f"; other columns: {', '.join(parsed.extra_columns)}" if parsed.extra_columns else ""
    required = [c.name for c in contract.columns if c.required]
    return [
        rule(
            E.ExpectTableColumnsToMatchSet(column_set=required, exact_match=False),
            f"required columns present (missing: {', '.join(parsed.missing_headers) or 'none'}"
            f"; found: {', '.join(present)}{others})",
        ),
        rule(E.ExpectTableRowCountToBeBetween(min_value=1), "at least one data row"),
    ]


def structure_suite(contract: Contract, parsed: ParsedBatch, cells: pl.DataFrame) -> tuple:
    """The structure suite, run on the first row only.

    Column names and "at least one row" are both decided by one row; running GX on the
    whole frame here cost 1.7 s of a 7 s ingest for a 1 M-row ledger month.
    """
    return ("structure", cells.head(1), structure_expectations(contract, parsed))


def cell_expectations(contract: Contract, parsed: ParsedBatch) -> list:
    """Per-cell rules every source shares: filled where required, typed, no personnummer."""
    # No personnummer first: GX reports rules grouped by column in the order the columns
    # first appear, so a personnummer is the rejection's headline, whatever else it breaks.
    columns = [c.name for c in contract.columns if c.name in parsed.raw.columns]
    headers = {name: _header(contract, name) for name in [*columns, *parsed.extra_columns]}
    expectations = personnummer.expectations(headers)
    for column in contract.columns:
        if not column.nullable:
            expectations.append(
                rule(
                    E.ExpectColumnValuesToNotBeNull(column=column.name),
                    f"{column.header} is filled",
                )
            )
        pattern = PATTERN_BY_KIND.get(column.kind)
        if pattern:
            label = f"{column.header} is a {_KIND_LABEL[column.kind]}"
            expectations.append(matches(column.name, pattern, label, column.kind))
    expectations.extend(_meaning_rules(contract, parsed))
    return expectations


# Derived check columns of `cell_values`, by the column they check: null, or the raw cell
# (their suffixes are sources._common.outcome's: a failure names the delivered column).


def cell_values(contract: Contract, parsed: ParsedBatch) -> dict[str, pl.Series]:
    """What the typed cells mean, as check columns for `cell_expectations`' rules.

    Every source that uses `cell_expectations` passes these to `for_validation`. Each is
    null where the cell is fine (nearly always: built only when a cell is not) and the
    raw text where it is not, so a rejection names the line, column and value:
    - `<date column>_not_a_date`: shaped YYYY-MM-DD but no day of the calendar;
    - `<number column>_beyond_cap`: beyond `values.MAX_BY_KIND` or its column's type;
    - `<money column>_file_total`: the file's sum of |amounts| beyond `MAX_FILE_KRONOR`.
    """
    derived: dict[str, pl.Series] = {}
    for column in _meaning_columns(contract, parsed):
        raw, typed_cells = parsed.raw[column.name], parsed.rows[column.name]
        if column.kind == "date":
            derived[column.name + NOT_A_DATE] = not_a_date(raw, typed_cells)
            continue
        if column.kind == "money":
            derived.update(amount_values(column.name, raw, typed_cells))
            continue
        derived[column.name + BEYOND_CAP] = beyond_cap(raw, typed_cells, column.kind)
    return derived


def amount_values(
    name: str, raw: pl.Series, typed_cells: pl.Series, pattern: str = MONEY_PATTERN
) -> dict[str, pl.Series]:
    """The check columns of one money column: each line's cap and the file's total.

    `pattern` is the column's well-formed amount (a SIE amount has a decimal point).
    """
    return {
        name + BEYOND_CAP: beyond_cap(raw, typed_cells, "money", pattern),
        name + FILE_TOTAL: file_total_beyond_cap(typed_cells),
    }


def amount_rules(name: str, header: str) -> list:
    """The rules on `amount_values`' columns (see values.MAX_LINE_KRONOR for why)."""
    cap, total = _spaced(MAX_BY_KIND["money"]), _spaced(MAX_FILE_KRONOR)
    return [
        rule(
            E.ExpectColumnValuesToBeNull(column=name + BEYOND_CAP),
            f"{header} is at most ±{cap} kronor a line (10^12: larger sums overflow "
            f"the warehouse's DECIMAL(18, 2)): correct the amount in the export / "
            f"{header} får vara högst ±{cap} kronor per rad: rätta beloppet i exporten",
        ),
        rule(
            E.ExpectColumnValuesToBeNull(column=name + FILE_TOTAL),
            f"the file's {header} amounts sum to at most {total} kronor (sum of |{header}| "
            f"≤ 10^13, so the warehouse's sums cannot overflow; the line of the "
            f"largest amount named): correct or split the export / summan av "
            f"|{header}| i filen får vara högst {total} kronor: rätta eller dela "
            "upp exporten",
        ),
    ]


def _meaning_columns(contract: Contract, parsed: ParsedBatch) -> list[Column]:
    return [
        c
        for c in contract.columns
        if c.kind in ("date", *MAX_BY_KIND) and c.name in parsed.raw.columns
    ]


def _meaning_rules(contract: Contract, parsed: ParsedBatch) -> list:
    """The rules on `cell_values`' columns: calendar dates, numbers within their caps."""
    rules = []
    for column in _meaning_columns(contract, parsed):
        header = column.header
        if column.kind == "date":
            rules.append(
                rule(
                    E.ExpectColumnValuesToBeNull(column=column.name + NOT_A_DATE),
                    f"{header} is a real calendar date (YYYY-MM-DD: no 2011-09-31, 2010-02-30 "
                    f"or month 13): correct the date in the export / {header} ska vara ett "
                    "verkligt datum: rätta datumet i exporten",
                )
            )
            continue
        if column.kind == "money":
            rules.extend(amount_rules(column.name, header))
            continue
        cap = _spaced(MAX_BY_KIND[column.kind])
        rules.append(
            rule(
                E.ExpectColumnValuesToBeNull(column=column.name + BEYOND_CAP),
                f"{header} is at most {cap} a line (10^9): correct the value in the export "
                f"/ {header} får vara högst {cap} per rad: rätta värdet i exporten",
            )
        )
    return rules


def _spaced(number: int) -> str:
    """`1000000000000` -> `1 000 000 000 000`, as a controller writes it."""
    return f"{number:,}".replace(",", " ")


# The derived column the Verksamhet rule checks: "<Nämnd> / <Verksamhet>".
NAMND_VERKSAMHET = {
    "namnd_verksamhet": pl.concat_str(
        [pl.col("namnd"), pl.col("verksamhet")], separator=" / ", ignore_nulls=False
    )
}


def known_namnd(reference: Reference) -> list:
    """Nämnd must be a code of the organisation register (any source with a Nämnd)."""
    return [
        one_of(
            "namnd",
            reference.namnd_codes,
            "Nämnd is a code of the organisation register",
            "is a code of the organisation register",
        )
    ]


def known_verksamhet(
    reference: Reference,
    label: str = "Verksamhet is an activity of its Nämnd in verksamheter.csv (Nämnd / Verksamhet)",
) -> list:
    """Verksamhet must be an activity of its Nämnd; needs `NAMND_VERKSAMHET` in the frame
    (or another `namnd_verksamhet` column, named in `label`)."""
    return [
        one_of(
            "namnd_verksamhet",
            (f"{n} / {v}" for n, v in reference.verksamheter),
            label,
            "is a (Nämnd / Verksamhet) of verksamheter.csv",
        )
    ]


Grain = Literal["period", "year"]
NAMND_ENDED = "namnd_ended"
VERKSAMHET_OUTSIDE = "verksamhet_outside_validity"


def valid_in_period(
    reference: Reference,
    rows: pl.DataFrame,
    *,
    when: str,
    grain: Grain,
    verksamhet: bool = False,
) -> tuple[dict[str, pl.Series], list]:
    """Codes valid at the period of their row: check columns and their rules.

    `rows` are the typed rows (`namnd`, and `verksamhet` when asked); `when` is their
    typed period (YYYYMM) or year column. A board ended at D (Reference.namnd_ends)
    books every period that starts before D: ended 2007-01-01, December 2006 and 2006
    are fine, January 2007 and 2007 are not; ended 2007-03-15, March 2007 is still fine.
    An activity books a period that overlaps Giltig från – Giltig till (both inclusive).

    Cheap on a 1 M-line month: codes become the first and last period they may book,
    compared as integers, and only for the codes whose limits fall inside the file's own
    range of periods (usually none: then nothing is computed per row).
    """
    at = rows[when].cast(pl.Int64)
    ends = {
        code: (None, _grain_of(day - dt.timedelta(days=1), grain), f"{event} {day.isoformat()}")
        for code, (day, event) in reference.namnd_ends.items()
    }
    columns = {
        NAMND_ENDED: _outside(rows, at, ("namnd",), ends, "{} in {}: {} (organisation register)")
    }
    rules = [
        rule(
            E.ExpectColumnValuesToBeNull(column=NAMND_ENDED),
            "Nämnd is a board that exists in the period (organisation register: not ended by "
            "Nedlagd, Sammanslagen or Delad before the period starts): book on the successor "
            "or correct the period in the export / Nämnd ska finnas under perioden "
            "(organisationsregistret): använd efterträdaren eller rätta perioden i exporten",
        )
    ]
    if not verksamhet:
        return columns, rules
    spans = {
        key: (
            None if lo is None else _grain_of(lo, grain),
            None if hi is None else _grain_of(hi, grain),
            f"Giltig {lo or '…'} – {hi or '…'}",
        )
        for key, (lo, hi) in reference.verksamhet_spans.items()
        if lo is not None or hi is not None
    }
    columns[VERKSAMHET_OUTSIDE] = _outside(
        rows, at, ("namnd", "verksamhet"), spans, "{} / {} in {}: {}"
    )
    rules.append(
        rule(
            E.ExpectColumnValuesToBeNull(column=VERKSAMHET_OUTSIDE),
            "Verksamhet is valid in the period (Giltig från – Giltig till in verksamheter.csv): "
            "book on a valid activity or correct the period in the export / Verksamhet ska "
            "vara giltig under perioden (Giltig från – Giltig till i verksamheter.csv)",
        )
    )
    return columns, rules


def _outside(
    rows: pl.DataFrame,
    at: pl.Series,
    keys: tuple[str, ...],
    limits: Mapping,
    message: str,
) -> pl.Series:
    """Per row: null, or `message` (keys, period, why) where `at` is outside its code's
    (first, last) period; a code without limits is unrestricted."""
    lowest, highest = at.min(), at.max()
    if lowest is None:
        return no_findings(rows.height)
    # Only limits that some period of this file can cross.
    biting = [
        (*(key if isinstance(key, tuple) else (key,)), first, last, why)
        for key, (first, last, why) in limits.items()
        if (first is not None and first > lowest) or (last is not None and last < highest)
    ]
    if not biting:
        return no_findings(rows.height)
    table = pl.DataFrame(
        biting,
        schema={
            **{k: pl.String for k in keys},
            "first": pl.Int64,
            "last": pl.Int64,
            "why": pl.String,
        },
        orient="row",
    )
    candidates = (
        rows.select(*keys)
        .with_columns(at.alias("at"))
        .with_row_index("row")
        .filter(pl.col(keys[0]).is_in(table[keys[0]].unique().to_list()))
        .join(table, on=list(keys), how="inner")
        .filter((pl.col("at") < pl.col("first")) | (pl.col("at") > pl.col("last")))
    )
    if candidates.is_empty():
        return no_findings(rows.height)
    text = candidates.select(pl.format(message, *keys, "at", "why")).to_series()
    found = pl.repeat(None, rows.height, dtype=pl.String, eager=True)
    return found.scatter(candidates["row"], text)


PERIOD_OUTSIDE_YEARS = "period_outside_years"


def period_in_years(periods: pl.Series) -> tuple[dict[str, pl.Series], list]:
    """Period (typed YYYYMM) a month of FIRST_YEAR..LAST_YEAR: a check column and its rule.

    A null column and ExpectColumnValuesToBeNull rather than ExpectColumnValuesToBeBetween
    on the year: GX's range rule costs ~0.9 s on a 1 M-line month, this one ~0.02 s.
    """
    years = periods // 100
    flagged = ((years < FIRST_YEAR) | (years > LAST_YEAR)).fill_null(False)
    found = no_findings(periods.len())
    if flagged.any():
        found = pl.select(pl.when(flagged).then(periods.cast(pl.String))).to_series()
    return {PERIOD_OUTSIDE_YEARS: found}, [
        rule(
            E.ExpectColumnValuesToBeNull(column=PERIOD_OUTSIDE_YEARS),
            f"Period is a month of a year between {FIRST_YEAR} and {LAST_YEAR}",
        )
    ]


def _grain_of(day: dt.date, grain: Grain) -> int:
    """The period (YYYYMM) or year a date falls in."""
    return day.year * 100 + day.month if grain == "period" else day.year


VALIDITY_REVERSED = "giltig_till_before_fran"


def validity_reversed(rows: pl.DataFrame, key: str) -> tuple[dict[str, pl.Series], list]:
    """Giltig till not before Giltig från (typed dates): a check column and its rule.

    A register row that ends before it starts (a trial file of 2026-12-06:
    `101;110;Stadsledning;;2022-01-01;2020-12-31`) was accepted into dim_verksamhet as a
    version valid from 2022 to 2020, ended yet current nowhere. `key` is the row's code
    column, named in the finding.

    >>> import datetime as dt
    >>> rows = pl.DataFrame({"verksamhet": ["110", "120", "130"],
    ...     "giltig_fran": [dt.date(2022, 1, 1), dt.date(2020, 1, 1), dt.date(2020, 1, 1)],
    ...     "giltig_till": [dt.date(2020, 12, 31), None, dt.date(2020, 1, 1)]})
    >>> validity_reversed(rows, "verksamhet")[0][VALIDITY_REVERSED].to_list()
    ['110 Giltig från 2022-01-01 > Giltig till 2020-12-31', None, None]
    """
    found = rows.select(
        pl.when(pl.col("giltig_till") < pl.col("giltig_fran")).then(
            pl.format(
                "{} Giltig från {} > Giltig till {}",
                key,
                pl.col("giltig_fran").cast(pl.String),
                pl.col("giltig_till").cast(pl.String),
            )
        )
    ).to_series()
    return {VALIDITY_REVERSED: found}, [
        rule(
            E.ExpectColumnValuesToBeNull(column=VALIDITY_REVERSED),
            "Giltig till is on or after Giltig från / Giltig till får inte vara före Giltig från",
        )
    ]


def typed_values(parsed: ParsedBatch, columns: Sequence[tuple[str, str]]) -> dict[str, pl.Series]:
    """`<name>_value` check columns: the typed values beside the raw text the rules see."""
    return {f"{name}_value": parsed.rows[name] for name, _ in columns}


def not_negative(columns: Sequence[tuple[str, str]]) -> list:
    """Counts and amounts that can never be below zero; reads `typed_values` columns.

    `columns` is (event-log name, header) pairs.
    """
    return [
        rule(
            E.ExpectColumnValuesToBeBetween(column=f"{name}_value", min_value=0),
            f"{header} is not negative",
        )
        for name, header in columns
    ]


def unique_rows(contract: Contract, *names: str) -> list:
    """One row per key inside one file: a repeated key is a broken export, not a sum."""
    headers = ", ".join(_header(contract, n) for n in names)
    return [unique(names, f"one row per {headers} in a file")]


def _header(contract: Contract, name: str) -> str:
    return next((c.header for c in contract.columns if c.name == name), name)


_KIND_LABEL = {
    "money": "money amount in kronor (decimal comma, at most 2 decimals)",
    "decimal": "decimal number (decimal comma)",
    "integer": "whole number",
    "date": "date YYYY-MM-DD",
    "period": "period YYYYMM",
    "year": "year YYYY",
}


def period_of_file_name(parsed: ParsedBatch) -> list:
    """Period is the month a monthly export's name says (`huvudbok_201108.csv`,
    `lon_201108_rattelse.csv`), when the name says one.

    A month is delivered again whole, and the newer delivery of a (Nämnd, Period)
    supersedes the older: August's lines in a file named July would replace August
    without a word, and July would stay as it was. Names that say no month
    (`huvudbok_2011-08.csv`) have no such rule.

    >>> FILE_MONTH.match("huvudbok_201108_leverans1.csv").group(2)
    '201108'
    """
    found = FILE_MONTH.match(parsed.file_name.lower())
    if found is None or found.group(1) != parsed.source:
        return []
    month = found.group(2)
    # A cell that is no period at all (`201113`) is the period rule's to name, once.
    expectation = holds(
        "period",
        f"not regexp_full_match({{cell}}, '{sql_regex(PERIOD_PATTERN)}') or {{cell}} = '{month}'",
        f"Period is the month in the file name ({parsed.file_name} says {month})",
        f"is {month}",
    )
    # Reported after every rule on the cells (suites list it last): a Period like 199908
    # is named by the year rule, a line of an impossible date by its date rule, first.
    expectation.meta = {**expectation.meta, "reported_with": "the file name"}
    return [expectation]


# A monthly export's source and month at the start of its name, then `_`, `.` or `-`.
FILE_MONTH = re.compile(r"([a-z]+)_([0-9]{4}(?:0[1-9]|1[0-2]))(?=[_.-])")


def year_of_file_name(parsed: ParsedBatch, pattern: re.Pattern[str], what: str) -> list:
    """År equals the year a file's name says (`budget_2011_1.csv`, `resultatfond_2011.csv`;
    `pattern`'s first group), when the name says one; on the typed year `ar_int`. GX runs
    rules grouped by column, so this one follows the year-range rule and a year like 1911
    is named for that first. `what`: how the rule names the year ("the budget year")."""
    found = pattern.match(parsed.file_name.lower())
    if not found:
        return []
    year = int(found.group(1))
    return [
        rule(
            E.ExpectColumnValuesToBeInSet(column="ar_int", value_set=[year]),
            f"År is {what} in the file name ({parsed.file_name} says {year})",
        )
    ]

"""Parse a SIE 4 file into ledger lines (`events.huvudbok`) and budget rows (`events.budget`).

What is read (SIE 4B):
- `#VER serie vernr verdatum vertext ...` with its `{ #TRANS ... }`: one ledger line per
  `#TRANS` and `#RTRANS` (a line added after the voucher was registered). The `#TRANS`
  right after an `#RTRANS` is the copy old readers need (§#RTRANS 4) and is skipped, or
  the amount would count twice; `#BTRANS` (a removed line) is dropped.
- `#TRANS konto {objekt} belopp transdat transtext ...`: objects of dimension 1/2/6 are
  Ansvar/Verksamhet/Projekt (`contract.DIMENSIONS`); others are kept in `extra`.
- `#PBUDGET 0 period konto {objekt} saldo`: the year's period budget, summed per
  (År, Verksamhet, Slag) into one budget decision of the board and year. Only year 0
  (the current financial year) is read: earlier years' budgets are history the city's
  budget decisions already hold.
- `#IB årsnr konto saldo`, `#UB ...` (balance accounts) and `#RES ...` (result accounts)
  of year 0 and −1 (§#IB, #UB, #RES): account balances (`events.balans`, Post IB, UB,
  RES). Every row is a balance at the end of a month: `#UB` and `#RES` of a year at its
  last month, `#IB` (the year's opening, after the closing entries of the year before)
  at the month before it starts; 2017 of `#RAR 0 20170101 20171231` puts `#UB 0` and
  `#RES 0` at 201712 and `#IB 0` at 201612. Comparison years −2, −3, ... are left out:
  the export of those years holds them as its year 0.
- `#FNR`, `#RAR 0`, `#RAR -1`: the board (unless the file name names it) and the
  financial years (−1 is 0's year before when the file has no `#RAR -1`).

Everything is text until typed with Polars, like the CSV sources: a bad amount or date
stays visible to the expectations, which name its line.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from sources._common.batch import ParsedBatch
from sources._common.csvfile import ParseError
from sources.sie.contract import DIMENSIONS, FILE_NAMND, UNKNOWN_VERKSAMHET
from sources.sie.records import Checksum, Record, SieSyntaxError, read_records

ENCODING = "cp437"  # `#FORMAT PC8`: IBM PC 8-bit extended ASCII, the only one SIE 4 allows
# å ä ö Å Ä Ö in code page 437, and (with é) in Windows-1252: see `decode`.
_PC8_LETTERS = re.compile(rb"[\x86\x84\x94\x8f\x8e\x99]")
_WINDOWS_LETTERS = re.compile(rb"[\xe5\xe4\xf6\xc5\xc4\xd6\xe9]")

# Kommun-Bas follow-up (source-formats.md §1, the rules of dim_konto): the Slag of an
# account's budget and the sign that makes it the budget's positive figure. Group 12
# (equipment) is Investering, class 3 and group 84 Intäkter, classes 4-7 and group 85
# Kostnader; anything else (balance sheet, 80-83 of the city as a whole) is no Slag.
FOLLOWUP_SLAG = (
    pl.when(pl.col("konto").str.starts_with("12"))
    .then(pl.lit("Investering"))
    .when(pl.col("konto").str.contains("^(3|84)"))
    .then(pl.lit("Intäkter"))
    .when(pl.col("konto").str.contains("^([4-7]|85)"))
    .then(pl.lit("Kostnader"))
)
FOLLOWUP_SIGN = pl.when(FOLLOWUP_SLAG == "Intäkter").then(-1).otherwise(1)

LEDGER_TEXT = (
    "line_number",
    "period",
    "namnd",
    "ansvar",
    "verksamhet",
    "konto",
    "projekt",
    "belopp",
    "verifikation",
    "datum",
    "text",
    "verdatum",
    "voucher_line",
    "extra",
)
BUDGET_TEXT = ("line_number", "period", "namnd", "verksamhet", "konto", "belopp")
# `#IB`/`#UB`/`#RES` as delivered: year number (0, -1), label without `#`, account, amount.
BALANCE_TEXT = ("line_number", "arsnr", "post", "konto", "saldo")
BALANCE_YEARS = ("0", "-1")
BALANCE_LABELS = ("#IB", "#UB", "#RES")


@dataclass
class _Reading:
    """What has been read so far of one file."""

    namnd: str | None
    fnr: str | None = None
    year: tuple[str, str] | None = None  # #RAR 0: first and last day, YYYYMMDD
    year_before: tuple[str, str] | None = None  # #RAR -1
    ledger: list[tuple] = field(default_factory=list)
    budget: list[tuple] = field(default_factory=list)
    balances: list[tuple] = field(default_factory=list)  # BALANCE_TEXT
    # (line, record as delivered, its fields for the personnummer check: `_searchable`)
    records: list[tuple[int, str, str]] = field(default_factory=list)
    checksum: Checksum = field(default_factory=Checksum)  # #KSUMMA, when the file has one


def decode(data: bytes) -> tuple[str, str]:
    """The text of a SIE file, and the encoding it is written in.

    SIE 4 is PC8, code page 437 (the only `#FORMAT` the standard allows), in which every
    byte is a character: a file an exporter wrote in Windows-1252 or UTF-8 under
    `#FORMAT PC8` would decode without an error, and its names and texts would enter the
    warehouse as `╓vningsf÷retaget` or `├ûvningsf├╢retaget`. So the bytes say: valid
    UTF-8 with any byte over 127 is UTF-8 (code page 437's å, ä, ö are lone UTF-8
    continuation bytes, never valid); Windows-1252's å, ä, ö, Å, Ä, Ö or é without any of
    code page 437's is Windows-1252; anything else is what the format says.

    >>> [decode("Övningsföretaget".encode(e)) for e in ("cp437", "utf-8", "cp1252")]
    [('Övningsföretaget', 'cp437'), ('Övningsföretaget', 'utf-8'), ('Övningsföretaget', 'cp1252')]
    >>> decode("\ufeff#FLAGGA 0".encode("utf-8")), decode(b"#FLAGGA 0")
    (('#FLAGGA 0', 'utf-8'), ('#FLAGGA 0', 'cp437'))
    """
    if data.isascii():
        return data.decode("ascii"), ENCODING
    with contextlib.suppress(UnicodeDecodeError):
        return data.decode("utf-8-sig"), "utf-8"
    if not _PC8_LETTERS.search(data) and _WINDOWS_LETTERS.search(data):
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("cp1252"), "cp1252"
    return data.decode(ENCODING), ENCODING  # every byte is a CP437 character: cannot fail


def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
    """The ledger lines and budget rows of a SIE file, and every record for the checks."""
    text, encoding = decode(data)
    named = FILE_NAMND.fullmatch(file_name)
    reading = _Reading(namnd=named.group(1) if named else None)
    reading.checksum.encoding = encoding  # #KSUMMA sums the bytes as the exporter wrote them
    try:
        _read(text, reading)
    except SieSyntaxError as exc:
        raise ParseError(f"not a SIE 4 file: {exc}") from exc
    namnd = reading.namnd or reading.fnr
    periods = balance_periods(reading)
    balance_raw = pl.DataFrame(
        [(*row, periods.get((row[1], row[2]))) for row in reading.balances],
        schema={
            **{c: (pl.Int32 if c == "line_number" else pl.String) for c in BALANCE_TEXT},
            "period": pl.String,
        },
        orient="row",
    )

    raw = pl.DataFrame(
        [(*row[:2], namnd, *row[3:]) for row in reading.ledger],
        schema={
            c: (pl.Int32 if c in ("line_number", "voucher_line") else pl.String)
            for c in LEDGER_TEXT
        },
        orient="row",
    )
    ledger = raw.select(
        "line_number",
        pl.col("period").cast(pl.Int32, strict=False),
        "namnd",
        "ansvar",
        "verksamhet",
        "konto",
        "projekt",
        pl.lit(None, pl.String).alias("motpart"),
        pl.col("belopp").cast(pl.Decimal(18, 2), strict=False),
        "verifikation",
        pl.col("datum").str.to_date("%Y%m%d", strict=False),
        "text",
        "extra",
    )
    budget_raw = pl.DataFrame(
        [(*row[:2], namnd, *row[3:]) for row in reading.budget],
        schema={c: (pl.Int32 if c == "line_number" else pl.String) for c in BUDGET_TEXT},
        orient="row",
    )
    return ParsedBatch(
        source="sie",
        file_name=file_name,
        encoding=encoding,
        raw=raw.drop("extra"),
        rows=ledger,
        extra_columns=(),
        missing_headers=(),
        companions={
            "records": pl.DataFrame(
                reading.records,
                schema={"line_number": pl.Int32, "record": pl.String, "fields": pl.String},
                orient="row",
            ),
            "budget_raw": budget_raw,
            # One row when the file has #KSUMMA: null when it holds, else what is wrong.
            "checksum": pl.DataFrame(
                [
                    (
                        reading.checksum.closed_at or reading.checksum.opened_at or 1,
                        reading.checksum.verdict(),
                    )
                ]
                if reading.checksum.present
                else [],
                schema={"line_number": pl.Int32, "ksumma": pl.String},
                orient="row",
            ),
            "balance_raw": balance_raw,
            "financial_year": pl.DataFrame(
                {
                    "first_day": [reading.year[0] if reading.year else None],
                    "last_day": [reading.year[1] if reading.year else None],
                },
                schema={"first_day": pl.String, "last_day": pl.String},
            ),
        },
        tables={
            "huvudbok": ledger,
            "budget": budget_decision(budget_raw),
            "balans": balance_rows(balance_raw, namnd),
        },
    )


def _month_before(day: str) -> str | None:
    """YYYYMM of the month before the one `day` (YYYYMMDD) falls in, None if no date.

    >>> _month_before("20170101"), _month_before("20170501"), _month_before("2017")
    ('201612', '201704', None)
    """
    if len(day) != 8 or not day.isdigit() or not 1 <= int(day[4:6]) <= 12:
        return None
    year, month = int(day[:4]), int(day[4:6]) - 1
    return f"{year - 1}12" if month == 0 else f"{year}{month:02d}"


def balance_periods(reading: _Reading) -> dict[tuple[str, str], str | None]:
    """The month each (year number, post) of the file's balances is dated to.

    `#UB`/`#RES` of a year: its last month; `#IB`: the month before its first. Year −1 is
    `#RAR -1`, else the twelve months before `#RAR 0`. No `#RAR 0`: no dates (None), and
    the balance suite rejects the file naming the missing record.

    >>> r = _Reading(namnd="142", year=("20170101", "20171231"))
    >>> balance_periods(r)[("0", "UB")], balance_periods(r)[("-1", "IB")]
    ('201712', '201512')
    """
    first, last = reading.year or ("", "")
    ends = {"0": (first, last)}
    before = _month_before(first)
    ends["-1"] = reading.year_before or (
        (f"{int(first[:4]) - 1}{first[4:]}", f"{before}31") if before else ("", "")
    )
    periods: dict[tuple[str, str], str | None] = {}
    for number, (start, end) in ends.items():
        closing = end[:6] if len(end) == 8 and end.isdigit() else None
        periods[(number, "UB")] = periods[(number, "RES")] = closing
        periods[(number, "IB")] = _month_before(start)
    return periods


def balance_rows(balance_raw: pl.DataFrame, namnd: str | None) -> pl.DataFrame:
    """The balances as `events.balans` rows: Nämnd, Period, Konto, Saldo, Post.

    `extra` keeps the record and its year number (`{"post": "#IB", "arsnr": "0"}`) for
    lineage: the row's period says which year, the record which kind of balance.
    """
    return balance_raw.select(
        "line_number",
        pl.lit(namnd, pl.String).alias("namnd"),
        pl.col("period").cast(pl.Int32, strict=False),
        "konto",
        pl.col("saldo").cast(pl.Decimal(18, 2), strict=False),
        "post",
        pl.concat_str(
            pl.lit('{"post": "#'), "post", pl.lit('", "arsnr": "'), "arsnr", pl.lit('"}')
        ).alias("extra"),
    )


def budget_decision(budget_raw: pl.DataFrame) -> pl.DataFrame:
    """The period budget as one decision per board and year (events.budget columns).

    Beslut `SIE #PBUDGET <Nämnd> <År>`: a re-export of the board's year replaces it (the
    budget's supersession key is Beslut), and it adds up with the board's budget_*.csv
    decisions like any other decision. Typ Ursprunglig, Beslutsdatum 1 January of År:
    a finance system's budget is the year's starting budget and carries no decision
    date. Belopp is positive for Kostnader and Intäkter (the sign of dim_konto's
    follow-up); accounts outside the follow-up (balance sheet except group 12, groups
    80-83 and 86-89) are not budget decisions of a board and are left out.
    """
    lines = budget_raw.with_columns(
        pl.col("period").str.slice(0, 4).cast(pl.Int32, strict=False).alias("ar"),
        FOLLOWUP_SLAG.alias("slag"),
        (pl.col("belopp").cast(pl.Decimal(18, 2), strict=False) * FOLLOWUP_SIGN)
        .cast(pl.Decimal(18, 2))
        .alias("belopp"),
    ).filter(pl.col("slag").is_not_null() & pl.col("ar").is_not_null())
    return (
        lines.group_by("ar", "namnd", "verksamhet", "slag")
        .agg(
            pl.col("line_number").min(),
            # Non-strict: a sum beyond DECIMAL(18, 2) is null here, never a traceback;
            # such a file is rejected by the #PBUDGET amount caps before anything loads.
            pl.col("belopp").sum().cast(pl.Decimal(18, 2), strict=False),
            pl.len().alias("lines"),
        )
        .select(
            "line_number",
            "ar",
            pl.format("SIE #PBUDGET {} {}", "namnd", "ar").alias("beslut"),
            pl.date(pl.col("ar"), 1, 1).alias("beslutsdatum"),
            pl.lit("Ursprunglig").alias("typ"),
            "namnd",
            "verksamhet",
            "slag",
            "belopp",
            pl.concat_str(
                pl.lit('{"post": "#PBUDGET", "rader": '),
                pl.col("lines").cast(pl.String),
                pl.lit("}"),
            ).alias("extra"),
        )
        .sort("line_number")
    )


def _read(text: str, reading: _Reading) -> None:
    """Walk the records; vouchers must be `#VER` then `{`, transactions, `}`."""
    voucher: Record | None = None
    in_block = False
    skip_copy = False  # the #TRANS right after an #RTRANS is its compatibility copy
    for record in read_records(text):
        reading.records.append((record.line_number, record.text, _searchable(record)))
        reading.checksum.read(record)
        label = record.label
        if in_block:
            if label == "}":
                in_block, voucher, skip_copy = False, None, False
            elif label == "#TRANS" and skip_copy:
                skip_copy = False
            elif label in ("#TRANS", "#RTRANS"):
                assert voucher is not None
                reading.ledger.append(_ledger_line(voucher, record))
                skip_copy = label == "#RTRANS"
            elif label == "#BTRANS":
                skip_copy = False
            else:
                raise SieSyntaxError(
                    record.line_number, f"{label} inside a voucher's {{ }}", record.text
                )
            continue
        if voucher is not None:
            if label != "{":
                raise SieSyntaxError(
                    voucher.line_number,
                    "a #VER must be followed by '{' on its own line",
                    voucher.text,
                )
            in_block = True
        elif label == "#VER":
            voucher = record
        elif label in ("{", "}", "#TRANS", "#RTRANS", "#BTRANS"):
            raise SieSyntaxError(record.line_number, f"{label} outside a voucher", record.text)
        elif label == "#FNR":
            reading.fnr = record.field(0) or None
        elif label == "#RAR" and record.field(0) == "0":
            reading.year = (record.field(1), record.field(2))
        elif label == "#RAR" and record.field(0) == "-1":
            reading.year_before = (record.field(1), record.field(2))
        elif label in BALANCE_LABELS and record.field(0) in BALANCE_YEARS:
            reading.balances.append(
                (record.line_number, record.field(0), label[1:], record.field(1), record.field(2))
            )
        elif label == "#PBUDGET" and record.field(0) == "0":
            reading.budget.append(_budget_line(record))
    if voucher is not None:
        raise SieSyntaxError(voucher.line_number, "a voucher is not closed with '}'", voucher.text)


def _ledger_line(voucher: Record, trans: Record) -> tuple:
    """One ledger line (LEDGER_TEXT order, Nämnd filled in later) of a voucher."""
    series, number, voucher_date = voucher.field(0), voucher.field(1), voucher.field(2)
    coded, others = _coding(trans, 1)
    date = trans.field(3) or voucher_date
    extra = {
        "objekt": others,
        "kvantitet": trans.field(5),
        "sign": trans.field(6),
        "post": trans.label if trans.label != "#TRANS" else "",
    }
    return (
        trans.line_number,
        voucher_date[:6],
        None,
        coded.get("ansvar"),
        coded.get("verksamhet", UNKNOWN_VERKSAMHET),
        trans.field(0),
        coded.get("projekt"),
        trans.field(2),
        " ".join(p for p in (series, number) if p),
        date,
        trans.field(4) or voucher.field(3) or None,
        voucher_date,
        voucher.line_number,
        json.dumps({k: v for k, v in extra.items() if v}, ensure_ascii=False)
        if any(extra.values())
        else None,
    )


def _budget_line(record: Record) -> tuple:
    """One `#PBUDGET 0 period konto {objekt} saldo` line (BUDGET_TEXT order)."""
    coded, _ = _coding(record, 3)
    return (
        record.line_number,
        record.field(1),
        None,
        coded.get("verksamhet", UNKNOWN_VERKSAMHET),
        record.field(2),
        record.field(4),
    )


def _searchable(record: Record) -> str:
    """A record's fields, one per tab, for the personnummer check.

    Searched field by field (a tab is no separator of a personnummer): `#PSALDO 0
    201101 6110 ...` is a period and an account, never `201101 6110`, while a quoted
    text (`#FNAMN "Anna 121212 1212"`, a `#TRANS` text) is one field and searched
    whole. `#ORGNR` is also searched with its fields joined by a space: a sole
    trader's number written `550226 1513` is still his personnummer.
    """
    words = [record.label]
    for value in record.fields:
        words.extend(value if isinstance(value, tuple) else (value,))
    searchable = "\t".join(words)
    if record.label == "#ORGNR":
        searchable += "\t" + " ".join(words[1:])
    return searchable


def _coding(record: Record, index: int) -> tuple[dict[str, str], dict[str, str]]:
    """Ansvar/Verksamhet/Projekt of an object list, and the objects of other dimensions."""
    coded: dict[str, str] = {}
    others: dict[str, str] = {}
    for dimension, obj in record.objects(index):
        if dimension in DIMENSIONS:
            coded[DIMENSIONS[dimension]] = obj
        else:
            others[dimension] = obj
    return coded, others

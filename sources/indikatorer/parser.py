"""Parse a `indikatorer` export: the raw texts as delivered, and what each one means."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, replace

import polars as pl

from sources._common.batch import ParsedBatch, parse_csv
from sources._common.values import polars_type
from sources.indikatorer.contract import CONTRACT
from sources.indikatorer.values import parse_assessment, parse_period, parse_value

# Raw text column -> prefix of its parsed columns in events.indikatorer (contract.derived).
VALUE_COLUMNS: dict[str, str] = {
    "periodens_utfall": "utfall",
    "prognos_helar": "prognos",
    "arsmal": "arsmal",
    "kf_arsmal": "kf_arsmal",
}
# The parsed columns, typed as the contract's `derived` columns say (its event table too).
PARSED_SCHEMA: dict[str, pl.DataType] = {c.name: polars_type(c.kind) for c in CONTRACT.derived}
VALUE = PARSED_SCHEMA["utfall_value"]


def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
    """The rows typed as the contract says, plus the parsed value of every text.

    A text that does not parse keeps its raw value and is named in `unparsed`; it never
    rejects the batch (a board's odd spelling must not hold back its whole report).
    """
    parsed = parse_csv(data, CONTRACT, file_name)
    return replace(parsed, rows=with_parsed_values(parsed.rows))


def with_parsed_values(rows: pl.DataFrame) -> pl.DataFrame:
    """Add the parsed columns of events.indikatorer, `extra` kept last.

    Each distinct text is parsed once (a report repeats `100 %` and `2011` a lot) and
    joined back: a report has ~20–2000 rows, so this is for clarity more than speed.
    """
    values = _lookup(
        rows,
        list(VALUE_COLUMNS),
        lambda text: astuple(parse_value(text)),
        {"value": VALUE, "unit": pl.String(), "kind": pl.String()},
    )
    periods = _lookup(
        rows,
        ["period_text"],
        lambda text: astuple(parse_period(text)),
        {"report": pl.String(), "year": pl.Int32(), "period_kind": pl.String()},
    )
    assessments = _lookup(
        rows,
        ["bedomning"],
        lambda text: (parse_assessment(text),),
        {"assessment": pl.String()},
    )
    out = rows
    for raw, prefix in VALUE_COLUMNS.items():
        out = _join(out, values, raw, {c: f"{prefix}_{c}" for c in ("value", "unit", "kind")})
    out = _join(out, periods, "period_text", {"report": "period_report", "year": "period_year"})
    out = _join(out, assessments, "bedomning", {})
    unparsed = [
        *(
            pl.when(pl.col(f"{prefix}_kind") == "unparsed").then(pl.lit(raw))
            for raw, prefix in VALUE_COLUMNS.items()
        ),
        pl.when(pl.col("period_kind") == "unparsed").then(pl.lit("period_text")),
        pl.when(pl.col("bedomning").is_not_null() & pl.col("assessment").is_null()).then(
            pl.lit("bedomning")
        ),
    ]
    out = out.with_columns(pl.concat_list(unparsed).list.drop_nulls().alias("unparsed"))
    base = [c for c in rows.columns if c != "extra"]
    return out.select(
        *base,
        *(pl.col(name).cast(dtype) for name, dtype in PARSED_SCHEMA.items()),
        pl.col("extra"),
    )


def _lookup(
    rows: pl.DataFrame,
    columns: Sequence[str],
    parse_text: Callable[[str | None], tuple],
    schema: dict[str, pl.DataType],
) -> pl.DataFrame:
    """Every distinct text of `columns` (null included) with what it parses to."""
    texts = (
        pl.concat([rows.select(pl.col(c).alias("text")) for c in columns])
        .unique()
        .get_column("text")
        .to_list()
    )
    parsed = [parse_text(text) for text in texts]
    return pl.DataFrame(
        [[text, *fields] for text, fields in zip(texts, parsed, strict=True)],
        schema={"text": pl.String(), **schema},
        orient="row",
    )


def _join(
    rows: pl.DataFrame, lookup: pl.DataFrame, column: str, renames: dict[str, str]
) -> pl.DataFrame:
    """Join a lookup on the raw text of `column`; a null text matches the null entry."""
    return rows.join(
        lookup.rename({"text": column, **renames}),
        on=column,
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )

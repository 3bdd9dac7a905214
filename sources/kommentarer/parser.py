"""Parse a `kommentarer` export: the comments, with the year and report of its name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import polars as pl

from sources._common.batch import ParsedBatch, parse_csv
from sources._common.csvfile import ParseError
from sources.kommentarer.contract import CONTRACT, FILE_NAME


def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
    """The comments typed as the contract says, and År and Rapport from the file name.

    >>> year_and_report("kommentarer_2011_T2.csv"), year_and_report("KOMMENTARER_2024_vb_142.csv")
    ((2011, 'T2'), (2024, 'VB'))
    """
    # The content first, as every source reads it (a broken file says what is broken),
    # then the name, which must say the year and the report.
    parsed = parse_csv(data, CONTRACT, file_name)
    year, report = year_and_report(file_name)
    rows = parsed.rows.with_columns(
        # `Ekonomi` and `ekonomi` are one section: the codes are kept in lower case.
        pl.col("avsnitt").str.to_lowercase(),
        pl.col("typ").str.to_lowercase(),
        pl.lit(year, pl.Int32).alias("ar"),
        pl.lit(report, pl.String).alias("rapport"),
    )
    # `extra` stays last, as in every event table's rows.
    rows = rows.select(*(c for c in rows.columns if c != "extra"), "extra")
    return replace(parsed, rows=rows)


def year_and_report(file_name: str) -> tuple[int, str]:
    """(År, Rapport) of a file name; ParseError (rule `file-name`) when it has neither."""
    found = FILE_NAME.fullmatch(file_name.lower())
    if found is None:
        raise ParseError(
            f"{file_name}: a comments file is named kommentarer_<År>_<T1|T2|VB>.csv (e.g. "
            "kommentarer_2011_T2.csv): rename it / döp om filen till "
            "kommentarer_<år>_<T1|T2|VB>.csv",
            "file-name",
        )
    return int(found["year"]), found["report"].upper()

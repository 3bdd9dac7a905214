"""Polars frames handed to DuckDB as Arrow it scans in parallel."""

from __future__ import annotations

import polars as pl
import pyarrow as pa


def arrow_chunks(frame: pl.DataFrame, chunks: int = 16) -> pa.Table:
    """`frame` as an Arrow table of `chunks` record batches, for DuckDB to scan in place.

    Measured on the content frame of a 1 M-line ledger month (31 columns, 2 cores): a
    regex rule's scan took 84 ms on Polars' own Arrow (one chunk of string views), 44 ms
    as plain strings and 27 ms as plain strings in 16 batches, which DuckDB's threads
    share, as fast as a DuckDB table; copying the frame into a table first took 0.6 s.
    """
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    size = max(1, -(-table.num_rows // chunks))
    return pa.Table.from_batches(table.to_batches(max_chunksize=size), schema=table.schema)

"""Where a figure comes from: `tertial history` (a supersession key) and `tertial explain`
(rows of a mart).

Both read only published files: the read-only copy of the event log and the marts
snapshot (or an as-of build), never the working database, through connections opened
for analysts' SQL (warehouse.readonly): external access off, configuration locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.readonly import connect, sql_literal, with_condition
from warehouse.retractions import resolve

FAR_FUTURE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Table:
    """Rows to print: column names and values."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _retractions(con: duckdb.DuckDBPyConnection, as_of: dt.datetime) -> dict:
    """Retractions recorded by `as_of`: {id: (target, reason, recorded_at)} and resolution."""
    rows = con.execute(
        f"""
        select retraction_id, target_id, reason, recorded_at
        from events.retractions
        where recorded_at <= {sql_literal(as_of)}
        """
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def delivery_status(
    batch_ids: list[int], retractions: dict[int, tuple[Any, ...]]
) -> dict[int, str]:
    """What each delivery of one key is now: current, superseded by N, or retracted by R.

    The newest delivery not retracted wins (a re-export replaces the key whole); older
    ones not retracted are superseded by it.

    >>> delivery_status([3, 7, 9], {12: (9, "fel fil", None)})
    {3: 'superseded by 7', 7: 'current', 9: 'retracted by 12: fel fil'}
    """
    resolution = resolve((r, target) for r, (target, *_rest) in retractions.items())
    standing = [b for b in batch_ids if not resolution.is_retracted(b)]
    winner = max(standing, default=None)
    status: dict[int, str] = {}
    for batch_id in batch_ids:
        if resolution.is_retracted(batch_id):
            by = resolution.retracted_by[batch_id]
            reasons = "; ".join(str(retractions[r][1]) for r in by)
            status[batch_id] = f"retracted by {', '.join(map(str, by))}: {reasons}"
        elif batch_id == winner:
            status[batch_id] = "current"
        else:
            status[batch_id] = f"superseded by {winner}"
    return status


def _key_columns() -> dict[str, str]:
    """Per source, the columns its key joins with '|' (`namnd|period`), from the dbt seed
    the registry generates (sources/registry.py `key_columns_csv`): read as text, since
    importing the registry would import Polars into a read command."""
    import csv

    from warehouse.settings import DBT_PROJECT_DIR

    parts: dict[str, list[tuple[int, str]]] = {}
    seed = DBT_PROJECT_DIR / "seeds" / "source_key_columns.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            parts.setdefault(row["source_name"], []).append(
                (int(row["key_position"]), row["key_column"])
            )
    return {source: "|".join(name for _, name in sorted(p)) for source, p in parts.items()}


def _typed(key: str) -> str:
    """A key as typed after `tertial history SOURCE`: its parts as words, one with a
    space in quotes.

    >>> _typed("142|202206"), _typed("KS 2024-03-22 §7")
    ('142 202206', '"KS 2024-03-22 §7"')
    """
    return " ".join(f'"{part}"' if " " in part else part for part in key.split("|"))


def _no_delivery(con: duckdb.DuckDBPyConnection, source: str, key: str) -> str:
    """What to say when (source, key) has no delivery: the keys the source has, or, for a
    source the log does not know, every source and the shape of its key."""
    newest = dict(
        con.execute(
            "select source, max(key) from events.supersession_keys group by source order by 1"
        ).fetchall()
    )
    if source not in newest:
        columns = _key_columns()
        known = "; ".join(
            f"{name} ({columns.get(name, 'the whole register')}, e.g. {_typed(example)})"
            for name, example in newest.items()
        )
        return (
            f"no source {source!r} in the published log; "
            f"try one of: {known or 'none yet (nothing loaded)'}"
        )
    examples = con.execute(
        "select distinct key from events.supersession_keys "
        f"where source = {sql_literal(source)} order by key desc limit 3"
    ).fetchall()
    hint = ", ".join(_typed(k) for (k,) in examples)
    return (
        f"no accepted {source} delivery of key {key!r} in the published log; "
        f"{source} keys are {_key_columns().get(source, 'the whole register')}, "
        f"e.g. {hint}"
    )


def key_history(log: Path, source: str, key: str, as_of: dt.datetime | None = None) -> Table:
    """Every accepted delivery of (source, key), oldest first, and what became of it."""
    cut = as_of or FAR_FUTURE
    con = connect(log, search_path=None, what="published event log")
    try:
        # Values as literals, not bound parameters (sql_literal says why).
        deliveries = con.execute(
            f"""
            select k.batch_id, b.file_name, b.recorded_at, k.row_count, b.sha256, b.file_path
            from events.supersession_keys as k
            join events.batches as b using (batch_id)
            where k.source = {sql_literal(source)} and k.key = {sql_literal(key)}
              and b.status = 'accepted' and b.recorded_at <= {sql_literal(cut)}
            order by k.batch_id
            """
        ).fetchall()
        if not deliveries:
            raise LookupError(_no_delivery(con, source, key))
        retractions = _retractions(con, cut)
    finally:
        con.close()
    status = delivery_status([d[0] for d in deliveries], retractions)
    return Table(
        ("batch_id", "file_name", "recorded_at", "rows", "status", "sha256", "file_path"),
        [(d[0], d[1], d[2], d[3], status[d[0]], d[4], d[5]) for d in deliveries],
    )


def _no_lineage(mart: str) -> str:
    """Why a mart has no batch_id, by its kind (the marts' prefixes: docs/marts naming),
    and what to explain instead.

    >>> _no_lineage("dim_namnd")
    'a dimension describes boards, accounts, periods, ..., not deliveries; explain a fact (fct_ledger, fct_budget, ...) instead'
    """  # noqa: E501
    if mart.startswith("dim_"):
        return (
            "a dimension describes boards, accounts, periods, ..., not deliveries; "
            "explain a fact (fct_ledger, fct_budget, ...) instead"
        )
    if mart.startswith("rpt_"):
        return "a report mart sums many batches; explain the fact it is built from instead"
    return "explain a fact (fct_ledger, fct_budget, ...) instead"


def explain(con: duckdb.DuckDBPyConnection, mart: str, where: str, log: str = "event_log") -> Table:
    """The batches behind the rows of `mart` that satisfy `where`, with their files.

    `con` is a connection opened for analysts' SQL (warehouse.readonly) to the published
    snapshot or an as-of build, with the published copy of the event log attached as
    `log`. `where` is the analyst's condition on the mart's columns: parsed as one
    condition and checked (`with_condition`), never pasted into SQL.
    """
    columns = {
        name
        for (name,) in con.execute(
            f"""
            select column_name from information_schema.columns
            where table_schema = 'marts' and table_name = {sql_literal(mart)}
            """
        ).fetchall()
    }
    if not columns:
        marts = con.execute(
            "select string_agg(table_name, ', ' order by table_name) "
            "from information_schema.tables where table_schema = 'marts'"
        ).fetchone()
        raise LookupError(f"no mart {mart!r}; the marts are: {marts[0] if marts else ''}")
    if "batch_id" not in columns:
        raise LookupError(f"{mart} has no batch_id lineage column: {_no_lineage(mart)}")
    # The mart's name was found in the catalog above; it is quoted as an identifier.
    quoted = mart.replace('"', '""')
    contributions = con.execute(
        with_condition(
            f'select batch_id, count(*) as mart_rows from marts."{quoted}" '
            "where true group by batch_id order by batch_id",
            where,
        )
    ).fetchall()
    if not contributions:
        return Table(("batch_id",), [])
    batch_ids = [b for b, _ in contributions]
    # `log` is one of our fixed aliases (EVENT_LOG_ALIAS), never input.
    batches = {
        row[0]: row[1:]
        for row in con.execute(
            f"""
            select batch_id, source, file_name, recorded_at, sha256
            from {log}.events.batches
            where batch_id in (select unnest({sql_literal(batch_ids)}))
            """
        ).fetchall()
    }
    # The earlier deliveries of the same keys: what each batch superseded.
    superseded = dict(
        con.execute(
            f"""
            select mine.batch_id,
                   string_agg(distinct cast(older.batch_id as varchar), ', ')
            from {log}.events.supersession_keys as mine
            join {log}.events.supersession_keys as older
                on older.source = mine.source and older.key = mine.key
                and older.batch_id < mine.batch_id
            where mine.batch_id in (select unnest({sql_literal(batch_ids)}))
            group by mine.batch_id
            """
        ).fetchall()
    )
    keys = dict(
        con.execute(
            f"""
            select batch_id, string_agg(key, ', ' order by key)
            from {log}.events.supersession_keys
            where batch_id in (select unnest({sql_literal(batch_ids)}))
            group by batch_id
            """
        ).fetchall()
    )
    rows = []
    for batch_id, mart_rows in contributions:
        source, file_name, recorded_at, sha256 = batches.get(batch_id, (None,) * 4)
        rows.append(
            (
                batch_id,
                source,
                file_name,
                recorded_at,
                mart_rows,
                keys.get(batch_id),
                superseded.get(batch_id),
                sha256,
            )
        )
    return Table(
        (
            "batch_id",
            "source",
            "file_name",
            "recorded_at",
            "mart_rows",
            "keys",
            "superseded",
            "sha256",
        ),
        rows,
    )

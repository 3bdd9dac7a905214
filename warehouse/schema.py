"""The event log's schema: the shared tables of `schema.sql`, and one table per source
generated from its contract.

A source's event table is `batch_id`, `line_number`, the contract's columns in order,
the columns its parser derives (`Contract.derived`), and `extra` (unknown delivered
columns, as JSON). A column the contract marks not nullable is `not null`. Every statement
is `create ... if not exists` and runs on every open of a database: a new source's table
appears in an existing database on its next load, and a table that exists is never
changed but for one thing: a column a contract adds later (`Column.added_later`, an
optional nullable one, e.g. verksamheter's Efterträdare and RS-kod of issue 17) is added by
`alter table ... add column if not exists`. It sits after `extra` in a new table too, so
an old database and a new one are the same column by column (tests/unit/test_event_schema.py
proves the generated tables are those the hand-written schema.sql created before, plus the
added columns). Rows are never changed: the rows before a column have it null.
"""

from __future__ import annotations

from sources._common.contract import Column, Contract, Kind
from warehouse.settings import SCHEMA_SQL

# Contract kind -> DuckDB type (the Polars types of `sources._common.values.typed`).
DUCKDB_TYPE: dict[Kind, str] = {
    "money": "decimal(18, 2)",  # kronor, never a float
    "decimal": "decimal(18, 4)",
    "integer": "bigint",
    "date": "date",
    "period": "integer",  # YYYYMM
    "year": "integer",
    "codes": "varchar[]",
    "code": "varchar",
    "text": "varchar",
}


def event_table_columns(contract: Contract) -> list[tuple[str, str, bool]]:
    """(name, DuckDB type, not null) of every column of the contract's event table."""

    def column(c: Column) -> tuple[str, str, bool]:
        return (c.name, DUCKDB_TYPE[c.kind], not c.nullable)

    return [
        ("batch_id", "bigint", True),
        ("line_number", "integer", True),  # line in the delivered file (header = 1)
        *(column(c) for c in (*contract.columns, *contract.derived) if not c.added_later),
        ("extra", "json", False),  # unknown extra columns, kept verbatim
        *(column(c) for c in contract.columns if c.added_later),
    ]


def added_columns_ddl(contract: Contract) -> list[str]:
    """`alter table ... add column if not exists` for each column added later.

    A no-op on a table created with them; an older table gets them at its end, where a
    new table has them too.
    """
    added = [c for c in contract.columns if c.added_later]
    if any(c.required or not c.nullable for c in added):
        raise ValueError(f"{contract.source}: a column added later must be optional and nullable")
    return [
        f"alter table events.{contract.source} add column if not exists "
        f"{c.name} {DUCKDB_TYPE[c.kind]};"
        for c in added
    ]


def event_table_ddl(contract: Contract) -> str:
    """`create table if not exists events.<source> (...)` from the contract.

    >>> from sources.medarbetarenkat.contract import CONTRACT
    >>> print(event_table_ddl(CONTRACT))
    create table if not exists events.medarbetarenkat (
        batch_id bigint not null,
        line_number integer not null,
        ar integer not null,
        namnd varchar not null,
        index_namn varchar not null,
        varde decimal(18, 4) not null,
        svarsfrekvens decimal(18, 4),
        extra json
    );
    """
    from sources import registry

    if not registry.NAME.fullmatch(contract.source):
        raise ValueError(f"source name {contract.source!r} is not a lower-case SQL identifier")
    lines = [
        f"    {name} {type_}{' not null' if not_null else ''}"
        for name, type_, not_null in event_table_columns(contract)
    ]
    body = ",\n".join(lines)
    create = f"create table if not exists events.{contract.source} (\n{body}\n);"
    return "\n".join([create, *added_columns_ddl(contract)])


def schema_sql() -> str:
    """The whole event log's DDL: `schema.sql`, then every registered source's table."""
    # Imported here: the registry brings polars and every source (0.15 s), and the
    # nightly's selection imports this module (warehouse.freshness, published_log) for
    # the build record, never for DDL.
    from sources import registry

    tables = [event_table_ddl(registry.table_owner(t).contract) for t in registry.event_tables()]
    return "\n\n".join([SCHEMA_SQL.read_text(encoding="utf-8"), *tables]) + "\n"

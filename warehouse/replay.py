"""Replay: every projection is disposable, because the event log alone is the truth."""

from __future__ import annotations

from pathlib import Path

from warehouse.store import connect

# Never dropped: the log, and DuckDB's own schemas.
KEPT_SCHEMAS = ("events", "main", "information_schema", "pg_catalog")


def drop_projections(database: Path) -> list[str]:
    """Drop every schema dbt (or anyone) built in the working database; keep `events`.

    `main` stays (DuckDB's default schema cannot be dropped) but is emptied of tables
    and views. Returns what was dropped, schemas as `name`, objects as `main.name`.
    """
    con = connect(database)
    try:
        catalog = con.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        schemas = [
            name
            for (name,) in con.execute(
                """
                select schema_name from information_schema.schemata
                where catalog_name = ? and schema_name not in (select unnest(?))
                order by schema_name
                """,
                [catalog, list(KEPT_SCHEMAS)],
            ).fetchall()
        ]
        in_main = con.execute(
            """
            select table_name, table_type from information_schema.tables
            where table_catalog = ? and table_schema = 'main'
            order by table_name
            """,
            [catalog],
        ).fetchall()
        con.execute("begin transaction")
        # Identifiers come from the catalog of our own database, quoted.
        for schema in schemas:
            con.execute(f'drop schema "{schema}" cascade')
        for name, kind in in_main:
            what = "view" if kind == "VIEW" else "table"
            con.execute(f'drop {what} if exists main."{name}" cascade')
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()
    return [*schemas, *(f"main.{name}" for name, _ in in_main)]

"""BI tools: SQLAlchemy with duckdb-engine, read-only, exactly as Superset connects.

Superset takes a SQLAlchemy URI (`duckdb:///path?access_mode=read_only`) or a plain URI
plus engine parameters (`{"connect_args": {"read_only": true}}`), lists schemas and
tables through the inspector, reflects a table's columns and previews its rows. Both
forms are exercised against every table of every published schema.
"""

import duckdb
import pytest
import sqlalchemy as sa

from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def engines(home: Paths) -> list[sa.Engine]:
    return [
        sa.create_engine(f"duckdb:///{home.published}?access_mode=read_only"),
        sa.create_engine(f"duckdb:///{home.published}", connect_args={"read_only": True}),
    ]


def published_tables(home: Paths) -> set[tuple[str, str]]:
    """Every table in the snapshot, from DuckDB's own catalog (not through SQLAlchemy)."""
    con = duckdb.connect(str(home.published), read_only=True)
    try:
        rows = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'tertial'"
        ).fetchall()
    finally:
        con.close()
    return set(rows)


@pytest.mark.parametrize("form", ["url", "connect_args"])
def test_superset_reads_every_table_of_every_published_schema(
    servicenamnden_2011: Paths, form: str
) -> None:
    engine = engines(servicenamnden_2011)[["url", "connect_args"].index(form)]
    expected = published_tables(servicenamnden_2011)
    assert {"marts", "meta"} <= {schema for schema, _ in expected}
    assert ("marts", "fct_ledger") in expected and ("marts", "meta_freshness") in expected
    try:
        inspector = sa.inspect(engine)
        # duckdb-engine names schemas '<catalog>.<schema>'; the file is the catalog.
        schemas = [s for s in inspector.get_schema_names() if s.startswith("tertial.")]
        seen = set()
        with engine.connect() as con:
            for schema in schemas:
                for name in inspector.get_table_names(schema=schema):
                    seen.add((schema.removeprefix("tertial."), name))
                    columns = inspector.get_columns(name, schema=schema)
                    assert columns, f"{schema}.{name} has no columns"
                    # What SQL Lab's preview does: a select of the inspected columns.
                    # (Not Table(autoload_with=...): duckdb-engine 0.17 cannot reflect
                    # primary keys on DuckDB 1.5, "Type with name REGCLASS does not exist";
                    # the published tables have no constraints to reflect anyway.)
                    table = sa.table(name, *(sa.column(c["name"]) for c in columns), schema=schema)
                    rows = con.execute(sa.select(table).limit(100)).fetchall()
                    assert rows, f"{schema}.{name} is empty"
                    assert len(rows[0]) == len(columns)
            assert seen == expected
            # A known figure through the BI path: Servicenämnden's ledger, every month loaded.
            months = con.execute(
                sa.text(
                    "select count(distinct period) from marts.fct_ledger where namnd_code = '142'"
                )
            ).scalar_one()
            assert months == 20  # January 2010 - August 2011
    finally:
        engine.dispose()


@pytest.mark.parametrize("form", ["url", "connect_args"])
def test_superset_connection_refuses_writes(servicenamnden_2011: Paths, form: str) -> None:
    engine = engines(servicenamnden_2011)[["url", "connect_args"].index(form)]
    try:
        with engine.connect() as con:
            for statement in (
                "create table marts.scratch as select 1 as x",
                "delete from marts.fct_ledger",
                "drop table meta.batches",
            ):
                with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                    con.execute(sa.text(statement))
                con.rollback()
            assert con.execute(sa.text("select count(*) from meta.batches")).scalar_one() > 0
    finally:
        engine.dispose()

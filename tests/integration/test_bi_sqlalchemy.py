"""BI tools: SQLAlchemy with duckdb-engine, read-only, exactly as Superset connects.

Superset takes a SQLAlchemy URI (`duckdb:///path?access_mode=read_only`) or a plain URI
plus engine parameters (`{"connect_args": {"read_only": true}}`), lists schemas and
tables through the inspector, reflects a table's columns and previews its rows. Both
forms are exercised against every table of every published schema. The inspector also
returns each column's comment (its Swedish label and description), which Superset shows
as the column's description.
"""

import duckdb
import pytest
import sqlalchemy as sa

from tests.helpers import published_descriptions
from warehouse.comments import label, normalised
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


def test_superset_sees_the_swedish_label_of_every_column(servicenamnden_2011: Paths) -> None:
    """Every published table and column has its description as a comment, Swedish label
    first, and SQLAlchemy's inspector (what Superset and Metabase's Python side read)
    returns it: the dbt YAML's for the marts, publish.py's for meta."""
    expected = published_descriptions()
    engine = engines(servicenamnden_2011)[0]
    try:
        inspector = sa.inspect(engine)
        seen = set()
        for schema in ("marts", "meta"):
            for table in inspector.get_table_names(schema=f"tertial.{schema}"):
                key = table if schema == "marts" else f"meta.{table}"
                assert key in expected, f"{schema}.{table} is published but not described"
                description, columns = expected[key]
                comment = inspector.get_table_comment(table, schema=f"tertial.{schema}")["text"]
                assert comment == normalised(description)
                reflected = inspector.get_columns(table, schema=f"tertial.{schema}")
                assert [c["name"] for c in reflected] == list(columns), key
                for column in reflected:
                    where = f"{schema}.{table}.{column['name']}"
                    assert column["comment"], f"{where} has no comment"
                    assert column["comment"] == normalised(columns[column["name"]]), where
                    assert label(column["comment"]), where
                seen.add(key)
        assert seen == set(expected)
        columns = {
            c["name"]: c for c in inspector.get_columns("rpt_budget_followup", "tertial.marts")
        }
        assert label(columns["adjusted_budget"]["comment"]) == "Justerad budget (kr)"
        assert label(columns["booked_ytd"]["comment"]) == "Bokfört t.o.m. (kr)"
        assert isinstance(columns["adjusted_budget"]["type"], sa.Numeric)
        assert (
            columns["adjusted_budget"]["type"].precision,
            columns["adjusted_budget"]["type"].scale,
        ) == (18, 2)
    finally:
        engine.dispose()


def test_a_list_column_reflects_as_nulltype_through_duckdb_engine(
    servicenamnden_2011: Paths,
) -> None:
    """`dim_namnd.successor_codes` (VARCHAR[]; `fct_indicator.unparsed_columns` too)
    reflects as NullType, and it is not ours to fix: duckdb-engine reflects with
    PostgreSQL's query, `format_type(atttypid, atttypmod)` over DuckDB's pg_catalog
    emulation, which has one oid for every LIST
    (101, `list`) and so no element type; a user-defined type (`create type codes as
    varchar[]`) is `list` too. DuckDB's own catalog knows `VARCHAR[]`. BI tools get
    `text[]` from the PostgreSQL endpoint. When duckdb-engine learns lists this fails:
    then say so in the README (BI section) and turn it round."""
    con = duckdb.connect(str(servicenamnden_2011.published), read_only=True)
    try:
        assert con.execute(
            """
            select pg_catalog.format_type(a.atttypid, a.atttypmod)
            from pg_catalog.pg_attribute a join pg_catalog.pg_class c on a.attrelid = c.oid
            where c.relname = 'dim_namnd' and a.attname = 'successor_codes'
            """
        ).fetchone() == ("list",)
        assert con.execute(
            "select data_type from duckdb_columns() "
            "where table_name = 'dim_namnd' and column_name = 'successor_codes'"
        ).fetchone() == ("VARCHAR[]",)
    finally:
        con.close()
    engine = engines(servicenamnden_2011)[0]
    try:
        with pytest.warns(sa.exc.SAWarning, match="Did not recognize type 'list'"):
            columns = sa.inspect(engine).get_columns("dim_namnd", schema="tertial.marts")
        [codes] = [c for c in columns if c["name"] == "successor_codes"]
        assert isinstance(codes["type"], sa.types.NullType)
        with engine.connect() as con:
            values = (
                con.execute(
                    sa.text(
                        "select successor_codes from marts.dim_namnd "
                        "where successor_codes is not null"
                    )
                )
                .scalars()
                .all()
            )
        # The values themselves arrive as Python lists of codes (the register merges some).
        assert values
        assert all(isinstance(v, list) and all(isinstance(c, str) for c in v) for v in values)
    finally:
        engine.dispose()

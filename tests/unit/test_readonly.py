"""The statement guard of analysts' SQL (warehouse.readonly), on DuckDB's own parser.

No database file: the guard parses on a locked in-memory DuckDB. The same statements
run against a published snapshot through the real CLI in
tests/integration/test_query_security.py.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse.asof import AsOfError, parse_as_of
from warehouse.readonly import (
    QueryRefused,
    check_statement,
    one_line,
    sql_literal,
    with_condition,
)

pytestmark = pytest.mark.unit

READS = [
    "select * from fct_ledger limit 5",
    "SELECT namnd_code, sum(amount) FROM fct_ledger GROUP BY ALL;",
    "with m as (select * from meta.batches) select source, count(*) from m group by 1",
    "from fct_ledger select period limit 1",
    "values (1, 'a')",
    "select * from fct_ledger f join dim_namnd n on n.namnd_key = f.namnd_key",
    "select 1 union all select 2",
    "select * from range(3)",
    "select unnest([1, 2]), repeat('-', 3)",
    "select * from duckdb_tables()",
    "describe fct_ledger",
    "show tables",
    "summarize fct_ledger",
    "pragma table_info('fct_ledger')",  # DuckDB rewrites it to a SELECT
    "explain select count(*) from fct_ledger",
    "/* why */ EXPLAIN ANALYZE select count(*) from fct_ledger",
    "-- a comment first\nselect 1",
    "select ';' as semicolon",
    "pivot fct_ledger on period in (201106, 201107) using sum(amount) group by namnd_code",
]


@pytest.mark.parametrize("sql", READS)
def test_one_read_of_the_marts_passes_unchanged(sql: str) -> None:
    assert check_statement(sql) == sql


REFUSED = {
    "attach '/home/x/warehouse/tertial.duckdb' as w": "ATTACH",
    "attach '/home/x/warehouse/tertial.duckdb' as w (read_only)": "ATTACH",
    "detach event_log": "DETACH",
    "copy (select 1) to '/tmp/x.csv'": "COPY",
    "copy fct_ledger from '/tmp/x.csv'": "COPY",
    "export database '/tmp/x'": "EXPORT",
    "import database '/tmp'": "reads files",
    "install httpfs": "INSTALL/LOAD",
    "load httpfs": "INSTALL/LOAD",
    "set enable_external_access = true": "SET",
    "reset lock_configuration": "SET",
    "set search_path = 'main'": "SET",
    "use event_log": "SET",
    "pragma enable_profiling": "PRAGMA",
    "pragma memory_limit = '1TB'": "SET",  # DuckDB parses it as a SET
    "checkpoint": "CHECKPOINT",
    "force checkpoint": "CHECKPOINT",
    "call duckdb_tables()": "CALL",
    "vacuum": "VACUUM",
    "analyze": "VACUUM",
    "begin transaction": "transaction",
    "prepare p as select 1": "PREPARE",
    "create table marts.x as select 1": "read-only",
    "create temp table x as select 1": "CREATE",
    "create macro m(a) as a": "CREATE",
    "insert into marts.fct_ledger select * from marts.fct_ledger": "INSERT",
    "update marts.fct_ledger set amount = 0": "UPDATE",
    "delete from marts.fct_ledger": "DELETE",
    "drop table marts.fct_ledger": "DROP",
    "alter table marts.fct_ledger add column x int": "ALTER",
    "select * from read_csv('/etc/passwd')": "read_csv()",
    "select * from read_csv_auto('/etc/passwd')": "read_csv_auto()",
    "select * from read_text('/etc/passwd')": "read_text()",
    "select * from read_blob('/etc/passwd')": "read_blob()",
    "select * from glob('/etc/*')": "glob()",
    "select * from read_parquet('/tmp/x.parquet')": "read_parquet()",
    "select * from read_json('/etc/passwd')": "read_json()",
    "select * from sniff_csv('/etc/passwd')": "sniff_csv()",
    "select * from read_duckdb('/home/x/warehouse/tertial.duckdb')": "read_duckdb()",
    "select * from query('select 1')": "query()",
    "select * from json_execute_serialized_sql('x')": "json_execute_serialized_sql()",
    "select json_execute_serialized_sql('x')": "json_execute_serialized_sql()",
    "select * from checkpoint()": "checkpoint()",
    "select * from '/etc/passwd'": "is a file",
    "from 'secrets.csv'": "is a file",
    "select * from fct_ledger where batch_id in (select 1 from glob('/*'))": "glob()",
    "with x as (from read_text('/etc/passwd')) select * from x": "read_text()",
    "explain copy (select 1) to '/tmp/x.csv'": "EXPLAIN",
    "explain analyze copy (select 1) to '/tmp/x.csv'": "EXPLAIN",
    "select 1; drop table marts.fct_ledger": "2 statements",
    "select 1; select 2": "2 statements",
    "pivot fct_ledger on period using sum(amount)": "IN list",
    "selec 1": "not valid SQL",
}


@pytest.mark.parametrize(("sql", "why"), REFUSED.items(), ids=list(REFUSED))
def test_everything_else_is_refused_in_one_line(sql: str, why: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        check_statement(sql)
    message = str(refused.value)
    assert why in message
    assert "\n" not in message


@pytest.mark.parametrize("sql", ["", "   ", "\n\t", "-- only a comment", "/* nothing */", ";"])
def test_an_empty_query_is_refused_with_an_example(sql: str) -> None:
    with pytest.raises(QueryRefused, match="empty query: give one SQL statement"):
        check_statement(sql)


def test_a_nul_character_is_refused() -> None:
    with pytest.raises(QueryRefused):
        check_statement("select 1 \x00; attach 'x'")


OURS = "select batch_id, count(*) as n from marts.fct_ledger where true group by batch_id"


@pytest.mark.parametrize(
    ("where", "rendered"),
    [
        (
            "namnd_code = '142' and period = 201106",
            "WHERE ((namnd_code = '142') AND (period = 201106))",
        ),
        ("period between 201101 and 201106", "WHERE (period BETWEEN 201101 AND 201106)"),
        ("verksamhet_code in ('240', 'it''s')", "WHERE (verksamhet_code IN ('240', 'it''s'))"),
        ("amount < -0.5 or amount is null", "WHERE ((amount < -0.5) OR (amount IS NULL))"),
        ("namnd_code = 'a) or (b'", "WHERE (namnd_code = 'a) or (b')"),  # a literal stays one
        ("true", "WHERE CAST('t' AS BOOLEAN)"),
    ],
)
def test_a_condition_is_rendered_from_its_parse_tree(where: str, rendered: str) -> None:
    sql = with_condition(OURS, where)
    assert rendered in sql
    assert sql.startswith("SELECT batch_id, count_star() AS n FROM marts.fct_ledger WHERE")
    assert sql.endswith("GROUP BY batch_id")


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ("1=1; attach '/home/x/warehouse/tertial.duckdb' as w", "`;`"),
        ("true; drop table marts.fct_ledger", "`;`"),
        ("true) union select 1, 2 --", "not valid SQL"),
        ("true) union (select 1, 2", "beyond one condition"),
        ("true) order by (1", "beyond one condition"),
        ("true) group by (batch_id", "beyond one condition"),
        ("batch_id in (select 1 from read_csv('/etc/passwd'))", "subquery"),
        ("exists (from meta.batches)", "subquery"),
        ("list_contains([1], (select 1))", "subquery"),
        ("read_text('/etc/passwd') is not null", "read_text()"),
        ("glob('/*') is not null", "glob()"),
        ("", "empty"),
        ("   ", "empty"),
        ("namnd_code = ", "not valid SQL"),
    ],
)
def test_a_condition_that_is_not_one_is_refused(where: str, why: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        with_condition(OURS, where)
    assert why in str(refused.value)
    assert "\n" not in str(refused.value)


def test_one_line_of_a_duckdb_error() -> None:
    error = ValueError('Binder Error: column "x" not found\n\nLINE 1: select x\n        ^')
    assert one_line(error) == 'Binder Error: column "x" not found'
    assert one_line(LookupError("no mart 'x'")) == "no mart 'x'"


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00", "0001-01-01 00:30", "9999-12-31T23:59:59-05:00"],
)
def test_a_moment_out_of_range_is_a_clean_as_of_error(moment: str) -> None:
    with pytest.raises(AsOfError, match="out of range"):
        parse_as_of(moment)


@pytest.mark.parametrize(
    "text",
    ["142|201106", "", "it's", "'; drop table x; --", "\\'", "a\nb", "Ärende €", "$$x$$", "\\x00"],
)
def test_a_text_literal_reads_back_as_the_same_text(text: str) -> None:
    with duckdb.connect() as con:
        assert con.execute(f"select {sql_literal(text)}").fetchone() == (text,)


def test_timestamps_and_id_lists_read_back_exactly() -> None:
    moment = dt.datetime(2011, 9, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
    with duckdb.connect() as con:
        con.execute("set timezone = 'UTC'")
        assert con.execute(f"select {sql_literal(moment)}").fetchone() == (moment,)
        assert con.execute(f"select {sql_literal([3, 7, 2**40])}").fetchone() == ([3, 7, 2**40],)
        assert con.execute(f"select {sql_literal(12)}").fetchone() == (12,)


@pytest.mark.parametrize(
    "value", ["nul \x00 inside", dt.datetime(2011, 9, 1), True, [1, True], [1.5], 1.5, None]
)
def test_what_has_no_safe_literal_is_refused(value: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        sql_literal(value)  # type: ignore[arg-type]

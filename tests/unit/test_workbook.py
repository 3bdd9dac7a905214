"""Which result columns of an analyst's SQL get a mart column's Swedish label as header.

An in-memory DuckDB with two commented tables stands in for the snapshot: the labels come
from its comments, the provenance from DuckDB's parse of the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from warehouse.workbook import result_headers

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    con.execute(
        """
        create schema marts;
        create table marts.fct_ledger (namnd_key varchar, namnd_code varchar, amount decimal(18,2));
        create table marts.dim_namnd (namnd_key varchar, namnd_name varchar);
        comment on column marts.fct_ledger.namnd_key is 'Nämnd. Key of the board.';
        comment on column marts.fct_ledger.namnd_code is 'Nämnd (kod).';
        comment on column marts.fct_ledger.amount is 'Belopp (kr). Exact.';
        comment on column marts.dim_namnd.namnd_key is 'Nämnd. Durable surrogate key.';
        comment on column marts.dim_namnd.namnd_name is 'Nämnd (namn), the name.';
        set search_path = 'marts';
        """
    )
    yield con
    con.close()


@pytest.mark.parametrize(
    ("sql", "headers"),
    [
        ("select namnd_code, amount from fct_ledger", ["Nämnd (kod)", "Belopp (kr)"]),
        ("from fct_ledger select amount", ["Belopp (kr)"]),
        ("select * from marts.fct_ledger", ["Nämnd", "Nämnd (kod)", "Belopp (kr)"]),
        ("select * exclude (namnd_key) from fct_ledger", ["Nämnd (kod)", "Belopp (kr)"]),
        (
            "select f.amount, n.namnd_name, namnd_key from fct_ledger f "
            "join dim_namnd n using (namnd_key)",
            ["Belopp (kr)", "Nämnd (namn)", "Nämnd"],
        ),
        # Computed or renamed by the analyst: their own name.
        ("select amount * 2, amount as belopp from fct_ledger", [None, None]),
        ("select sum(amount), namnd_code from fct_ledger group by 2", [None, "Nämnd (kod)"]),
        # A CTE or a subquery is not a mart, even with a mart's column names.
        ("with x as (select sum(amount) as amount from fct_ledger) select amount from x", [None]),
        ("select amount from (select amount + 1 as amount from fct_ledger)", [None]),
        # Not one plain SELECT: no labels at all.
        ("select amount from fct_ledger union all select amount from fct_ledger", None),
        ("describe fct_ledger", None),
    ],
)
def test_headers(con: duckdb.DuckDBPyConnection, sql: str, headers: list | None) -> None:
    assert result_headers(con, sql) == headers

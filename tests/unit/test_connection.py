"""Every DuckDB file the warehouse opens gets its settings (warehouse.connection)."""

from pathlib import Path

import duckdb
import pytest

from warehouse.connection import duckdb_connect
from warehouse.readonly import connect as connect_read_only
from warehouse.settings import DUCKDB_MEMORY_LIMIT_ENV


def reported(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_the_helper_and_the_analysts_connection_carry_the_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_ENV, "1GB")
    database = tmp_path / "a.duckdb"
    con = duckdb_connect(database)
    try:
        assert reported(con) == "953.6 MiB"
        con.execute("create schema marts")
        con.execute("create schema meta")
        con.execute("create table marts.t as select 1 as x")
    finally:
        con.close()
    # The analysts' read-only connection: the same bound, then locked down.
    con = connect_read_only(database)
    try:
        assert reported(con) == "953.6 MiB"
        assert con.execute("select x from t").fetchall() == [(1,)]
        with pytest.raises(duckdb.Error):
            con.execute("set memory_limit = '8GB'")
    finally:
        con.close()


def test_extensions_load_by_name(tmp_path: Path) -> None:
    con = duckdb_connect(tmp_path / "b.duckdb", extensions=["json"])
    try:
        [(loaded,)] = con.execute(
            "select loaded from duckdb_extensions() where extension_name = 'json'"
        ).fetchall()
        assert loaded
    finally:
        con.close()

"""Every DuckDB the warehouse writes with is bounded (warehouse.settings.duckdb_config).

DuckDB's own default is 80 % of RAM; at 10 years the replay's copy of the log peaked at
3.8 GiB with it (docs/benchmarks.md). The setting must reach the loader's connection,
the publish connections and dbt's, or the bound holds only where it was remembered.
"""

import json
import os
import subprocess

import duckdb
import pytest

from warehouse.build import dbt_args, dbt_env, dbt_executable
from warehouse.settings import DUCKDB_MEMORY_LIMIT_DEFAULT, DUCKDB_MEMORY_LIMIT_ENV, Paths
from warehouse.store import EventStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def as_duckdb_reports(limit: str | None) -> str:
    """`memory_limit` as DuckDB itself reports it for a connection given `limit`."""
    con = duckdb.connect(config={"memory_limit": limit} if limit else {})
    try:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()


def loader_reports(home: Paths) -> str:
    """`memory_limit` as the loader's connection to the working database sees it."""
    store = EventStore(home.database)
    try:
        [(limit,)] = store.con.execute("select current_setting('memory_limit')").fetchall()
    finally:
        store.close()
    return limit


def test_the_loader_connection_has_the_default_bound_not_duckdbs(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DUCKDB_MEMORY_LIMIT_ENV, raising=False)
    limit = loader_reports(home)
    assert limit == as_duckdb_reports("2GB")
    assert limit != as_duckdb_reports(None)


def dbt_reports(home: Paths, env: dict[str, str]) -> str:
    """`memory_limit` as a real `dbt show` on the `build` target sees it."""
    shown = subprocess.run(
        [
            dbt_executable(),
            *dbt_args(
                "show",
                home,
                "--inline",
                "select current_setting('memory_limit') as memory_limit",
                "--output",
                "json",
                "--log-format",
                "json",
            ),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stdout[-2000:]
    previews = [
        json.loads(event["data"]["preview"])
        for event in map(json.loads, filter(None, shown.stdout.splitlines()))
        if "preview" in event.get("data", {})
    ]
    [[row]] = previews
    return row["memory_limit"]


def test_the_bound_is_one_setting_for_the_loader_and_dbt(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_ENV, "512MB")
    loader = loader_reports(home)
    assert loader == as_duckdb_reports("512MB")
    assert dbt_reports(home, {**os.environ, **dbt_env(home)}) == loader


def test_dbt_run_by_hand_has_the_same_default_bound(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DUCKDB_MEMORY_LIMIT_ENV, raising=False)
    by_hand = {**os.environ, "TERTIAL_DB_PATH": str(home.database)}
    assert dbt_reports(home, by_hand) == as_duckdb_reports(DUCKDB_MEMORY_LIMIT_DEFAULT)

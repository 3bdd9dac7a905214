"""Dagster on the lake's PostgreSQL (issue 18): runs, event log and schedules stored in the
catalog's PostgreSQL database (dagster-postgres), and the monthly ingest of two months at
once, each run's sources in processes of their own (the multiprocess executor), against
the tests' real PostgreSQL 15 server and a real DuckLake catalog. Nothing is mocked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import psycopg
import pytest

from orchestration.instance import write_settings
from tests.conftest import SERVICENAMNDEN
from warehouse.ingest import ingest
from warehouse.lake import Lake
from warehouse.postgres.server import LocalServer
from warehouse.settings import REPO_ROOT, Paths

pytestmark = pytest.mark.integration

MONTHS = {
    "2011-06-01": ("huvudbok_201106_leverans1.csv", "lon_201106.csv", "sjukfranvaro_201106.csv"),
    "2011-07-01": ("huvudbok_201107.csv", "lon_201107.csv", "sjukfranvaro_201107.csv"),
}


def test_two_months_ingest_at_once_in_processes_of_their_own_with_runs_in_postgresql(
    lake: Lake, home: Paths, pg_server: LocalServer, tmp_path, servicenamnden_2011: Paths
) -> None:
    # The dbt manifest the definitions read, as a home that has built has it: without
    # it the first of the 10 processes parses the project (~10 s) while the others wait
    # (orchestration/resources.py `prepared`).
    home.dbt_target.mkdir(parents=True, exist_ok=True)
    shutil.copy(servicenamnden_2011.dbt_target / "manifest.json", home.dbt_target)
    registers = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]
    assert [r.status for r in ingest(home, registers)] == ["accepted", "accepted"]
    for names in MONTHS.values():
        for name in names:
            shutil.copy(SERVICENAMNDEN / name, home.landing / name)
    dagster_home = tmp_path / "dagster"
    settings = write_settings(dagster_home).read_text(encoding="utf-8")
    assert "postgres_url: postgresql://tertial_loader@/" in settings
    environment = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "TERTIAL_HOME": str(home.home),
        "TERTIAL_LANDING_SETTLE_SECONDS": "0",
    }
    # Two partition runs at once, as the queue starts them on the lake (up to 4).
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.dagster_on_lake", partition],
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for partition in MONTHS
    ]
    said = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err[-3000:]
        said.append(json.loads(out.strip().splitlines()[-1]))
    for run in said:
        assert run["success"], run
        assert run["run_storage"] == "PostgresRunStorage"
        # One process per monthly source (ledger, payroll, sick leave, balance sheet).
        assert run["step_processes"] == 4, run

    # The runs and their events are in the catalog's PostgreSQL database.
    database = lake.catalog.split("dbname=")[1].split()[0]
    with psycopg.connect(pg_server.loader_dsn(database)) as con:
        stored = con.execute("select run_id, status from runs order by run_id").fetchall()
        assert sorted(stored) == sorted((run["run_id"], "SUCCESS") for run in said)
        (events,) = con.execute(
            "select count(*) from event_logs where run_id = any(%s)",
            ([run["run_id"] for run in said],),
        ).fetchone()
        assert events > 20
    # Every file loaded once, on the lake; nothing left in landing/.
    con = lake.connect()
    try:
        loaded = con.execute(
            "select file_name, status from events.batches where source <> 'organisation' "
            "and source <> 'verksamheter' order by file_name"
        ).fetchall()
    finally:
        con.close()
    assert loaded == sorted((name, "accepted") for names in MONTHS.values() for name in names)
    assert list(home.landing.iterdir()) == []

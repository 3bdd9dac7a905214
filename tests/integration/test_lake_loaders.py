"""Four loaders at once on one DuckLake catalog, then one build there (issue 18).

The reference city's exports (`servicenamnden-2011/` and the files the reference home
loads after it: tests.conftest.ingest_reference) are dealt to four `tertial ingest`
processes started together on one home, one catalog and one Parquet folder, each with
its own sources in their delivery order (a correction after what it corrects), and
`huvudbok_201108.csv` handed to two of them. Then Dagster's dbt asset builds the project
on the lake and its publish asset publishes from it. Against the session's reference
home, the same files loaded one by one into the embedded file and built there:

- the same files accepted, rejected and duplicated (the file two loaders were handed:
  accepted by one, a duplicate for the other);
- every event table equal row for row, but for what the order of commits decides: the
  event ids (`batch_id`), the transaction times (`recorded_at`) and a rejection's
  report path (under each home's quarantine/);
- every published mart equal row for row, but for the same columns (a fact's
  `batch_id`, `mapping_batch_id`, `recorded_at`, meta_freshness's `last_recorded_at`).

One board's city (Servicenämnden), so the loaders split it by source, not by board: the
concurrency the catalog sees is the same (different tables' appends and one `loader.head`
row per commit). The race of one file in every loader is test_lake.py's. The build and
publish are Dagster's (its dbt asset on dbt's `lake` target); `tertial build` on the lake
is the migration's (test_lake.py). Then a corrected fund decision through `tertial run`:
the selective nightly on the lake changes exactly the marts it should.
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest

from orchestration.assets.dbt_models import dbt_models, published_snapshot
from orchestration.resources import TertialHome, dbt_resource
from tertial.cli import main
from tests.conftest import (
    ANSVAR,
    BALANS,
    KOMMENTARER,
    ORGANISATIONSMAPPNING,
    RESULTATFOND,
    SERVICENAMNDEN,
    ingested,
)
from tests.helpers import start_loader
from warehouse.connection import duckdb_connect
from warehouse.ingest import ingest
from warehouse.lake import Lake
from warehouse.settings import REPO_ROOT, Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds on the lake

REGISTERS = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]
TWICE = SERVICENAMNDEN / "huvudbok_201108.csv"  # handed to two loaders
# Columns whose values the order of commits decides, left out of every comparison.
ORDERED = ("batch_id", "mapping_batch_id", "recorded_at", "last_recorded_at", "report_path")


def folder(prefix: str) -> list[Path]:
    return sorted(
        p for p in SERVICENAMNDEN.iterdir() if p.name.startswith(prefix) and p.suffix != ".ctl"
    )


def loaders() -> list[list[Path]]:
    """Four loaders' files, each source in its delivery (name) order."""
    return [
        folder("huvudbok_"),
        [*folder("lon_"), *folder("budget_"), *folder("prognos_")],
        [*folder("sjukfranvaro_"), *folder("indikatorer_"), KOMMENTARER, *folder("medar")],
        [TWICE, SERVICENAMNDEN / "expected.md", RESULTATFOND, BALANS, ORGANISATIONSMAPPNING,
         ANSVAR],
    ]  # fmt: skip


def rows(con, schema: str, table: str) -> list[tuple]:
    """The table's rows, sorted, without the columns the order of commits decides."""
    columns = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? and table_catalog = current_database() order by ordinal_position",
            [schema, table],
        ).fetchall()
        if name not in ORDERED
    ]
    listed = ", ".join(f'"{name}"' for name in columns)
    return con.execute(f'select {listed} from {schema}."{table}" order by all').fetchall()


def tables(con, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_catalog = current_database() order by all",
            [schema],
        ).fetchall()
    ]


def test_four_loaders_at_once_then_a_build_on_the_lake_equal_the_file_loaded_one_by_one(
    lake: Lake,
    tmp_path: Path,
    servicenamnden_2011: Paths,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = paths(tmp_path / "loaders").ensure()
    assert [r.status for r in ingest(home, REGISTERS)] == ["accepted", "accepted"]
    started = [start_loader(home.home, files) for files in loaders()]
    outputs = [loader.communicate(timeout=900)[0] for loader in started]
    # Exit 1 for the loader with the misnamed expected.md (rejected), 0 for the others.
    assert [loader.returncode for loader in started] == [0, 0, 0, 1], outputs
    said = [
        (status, name)
        for output in outputs
        for status, name in re.findall(r"^\[\d+/\d+\] (\w+)\s+(\S+)", output, re.MULTILINE)
    ]
    twice = sorted(status for status, name in said if name == TWICE.name)
    assert twice == ["accepted", "duplicate"], outputs
    reference = {(row["status"], row["file"]) for row in ingested(servicenamnden_2011)}
    assert set(said) - {("duplicate", TWICE.name)} == reference - {
        ("accepted", r.name) for r in REGISTERS
    }

    file = duckdb_connect(servicenamnden_2011.published_events, read_only=True)
    on_lake = lake.connect()
    try:
        events = tables(file, "events")
        assert tables(on_lake, "events") == events
        for table in events:
            assert rows(on_lake, "events", table) == rows(file, "events", table), table
    finally:
        file.close()
        on_lake.close()

    # Dagster's dbt asset and publish, materialised by hand (`tertial build`'s build on
    # the lake is the migration's, test_lake.py): dbt's `lake` target, the publish from
    # the catalog.
    result = dg.materialize(
        [dbt_models, published_snapshot],
        resources={"tertial": TertialHome(home=str(home.home)), "dbt": dbt_resource(home)},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    events = result.get_asset_materialization_events()
    assert {e.asset_key.to_user_string() for e in events} >= {
        "marts/fct_ledger",
        "published/tertial",
    }
    assert not home.database.exists()  # nothing was built in the working database's place
    built = duckdb_connect(home.published, read_only=True)
    one_by_one = duckdb_connect(servicenamnden_2011.published, read_only=True)
    try:
        marts = tables(one_by_one, "marts")
        assert tables(built, "marts") == marts and len(marts) > 20
        for table in marts:
            assert rows(built, "marts", table) == rows(one_by_one, "marts", table), table
    finally:
        built.close()
        one_by_one.close()

    # A corrected fund decision lands; `tertial run` on the lake loads it and builds only
    # what it changes (warehouse/selection.py reads the catalog's log), with dbt's tests.
    # In this process, through the CLI's entry (its environment as a subprocess's was:
    # the lake's TERTIAL_CATALOG and TERTIAL_DATA_PATH, this home, no settling): the
    # concurrency above is between processes, this run is alone.
    (home.landing / "resultatfond_2011_rattelse.csv").write_text(CORRECTION, encoding="utf-8")
    before = marts_of(home)
    monkeypatch.setenv("TERTIAL_HOME", str(home.home))
    monkeypatch.setenv("TERTIAL_LANDING_SETTLE_SECONDS", "0")
    monkeypatch.chdir(REPO_ROOT)
    capsys.readouterr()
    code = main(["--home", str(home.home), "run"])
    night = capsys.readouterr()
    assert code == 0, night.out[-3000:] + night.err[-3000:]
    assert "1 new batch in resultatfond since the working marts were built" in night.out
    models = re.findall(r"\] model +(\S+) ", night.out)
    assert "rpt_result_funds" in models and "fct_ledger" not in models, models
    after = marts_of(home)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {
        "rpt_result_funds",
        "rpt_result_after_disposition",
        "rpt_indicators",
        "meta_freshness",
    }, changed


# SN-2011-RF-1 re-delivered: 2,5 mnkr used instead of 2,0 (test_source_resultatfond.py).
CORRECTION = (
    "Nämnd;År;Ingående resultatfond;Beslut;Belopp;Beslutsdatum;Beslut-id\n"
    "142;2011;7 600 000,00;disposition;2 500 000,00;2011-03-16;SN-2011-RF-1\n"
)


def marts_of(home: Paths) -> dict[str, list[tuple]]:
    """Every published mart's rows, sorted, as the snapshot holds them."""
    con = duckdb_connect(home.published, read_only=True)
    try:
        return {
            name: con.execute(f'select * from marts."{name}" order by all').fetchall()
            for name in tables(con, "marts")
        }
    finally:
        con.close()

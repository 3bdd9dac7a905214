"""Adding a source is its folder, its registry line and its staging model: end to end.

The source is written into a temporary package (a contract and its expectations, the two
files a plain `;`-separated export needs), registered at run time through
`sources.registry.register`, and a file of it is parsed by the shared CSV parser, checked
by Great Expectations and appended to its own event table, which the warehouse creates
from the contract in a database that existed before the source did.

Then the dbt side, on a copy of `dbt_project/` with exactly the files the README's
"Adding a source" names: the staging model `stg_bibliotek__loans` (and its models YAML),
the table's entry in `_events__sources.yml` and the seed `source_key_columns.csv` written
again by `registry.key_columns_csv()`. A real dbt builds only that model, the seed and
the key-splitting staging models on the test's working database (never the whole
project), and the accepted file's rows are read back from the staging view.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from sources import registry
from sources._common.source import Source
from tests.conftest import SERVICENAMNDEN
from tests.helpers import event_state
from warehouse.build import run_dbt
from warehouse.ingest import ingest
from warehouse.settings import DBT_PROJECT_DIR, Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

PACKAGE = "throwaway_bibliotek"

CONTRACT_PY = '''
"""Contract of `bibliotek_*.csv`: library loans per board and month (a test's source)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="bibliotek",
    file_pattern=re.compile(r"bibliotek_.*\\.csv"),
    columns=(
        Column("Period", "period", "period"),
        Column("Nämnd", "namnd", "code"),
        Column("Lån", "lan", "integer"),
        Column("Kostnad", "kostnad", "money"),
        Column("Öppnat", "oppnat", "date"),
        Column("Filialer", "filialer", "codes", required=False, nullable=True),
    ),
    supersession_key=("namnd", "period"),
    description="Library loans per board and month.",
)
'''

EXPECTATIONS_PY = '''
"""The suites a `bibliotek` export must pass."""

from sources._common.batch import for_validation
from sources._common.rules import (
    cell_expectations,
    cell_values,
    known_namnd,
    structure_suite,
    unique_rows,
)
from throwaway_bibliotek.contract import CONTRACT


def suites(parsed, reference):
    cells = for_validation(parsed, **cell_values(CONTRACT, parsed))
    content = [
        *cell_expectations(CONTRACT, parsed),
        *known_namnd(reference),
        *unique_rows(CONTRACT, "namnd", "period"),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]
'''

INIT_PY = '''
"""`bibliotek`: a source that exists only in a test."""

from sources._common.source import Source
from throwaway_bibliotek import expectations
from throwaway_bibliotek.contract import CONTRACT

SOURCE = Source(CONTRACT, expectations.suites)
'''


@contextmanager
def throwaway_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Source]:
    """The source, imported from a temporary folder and registered while the block runs."""
    folder = tmp_path / "pkg" / PACKAGE
    folder.mkdir(parents=True)
    for name, text in (
        ("__init__.py", INIT_PY),
        ("contract.py", CONTRACT_PY),
        ("expectations.py", EXPECTATIONS_PY),
    ):
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    source = importlib.import_module(PACKAGE).SOURCE
    registry.register(source)
    try:
        yield source
    finally:
        registry.unregister(source.name)
        for module in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[module]


# The dbt side of the source: what the README's "Adding a source" (3.) says to write.
STAGING_SQL = """
with

source as (

    select * from {{ source('events', 'bibliotek') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        period,
        namnd as namnd_code,

        -- counts
        lan as loans,

        -- amounts
        cast(kostnad as decimal(18, 2)) as cost,

        -- attributes
        oppnat as opened_on,
        filialer as branches,
        extra as extra_columns

    from source

)

select * from renamed
"""

STAGING_YML = """
version: 2

models:
  - name: stg_bibliotek__loans
    description: Library loans (bibliotek) of every batch, typed and renamed.
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: ["batch_id", "line_number"]
    columns:
      - name: batch_id
        data_tests:
          - not_null
      - name: namnd_code
        data_tests:
          - not_null
      - name: cost
        description: Kostnad (kronor, DECIMAL(18,2)).
"""

SOURCES_YML = Path("models", "staging", "events", "_events__sources.yml")


def dbt_project_with_the_source(tmp_path: Path) -> Path:
    """A copy of `dbt_project/` plus the files the README names for a new source.

    Called while the source is registered: the seed comes from the registry, as the
    README's command writes it.
    """
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    staging = project / "models" / "staging" / "bibliotek"
    staging.mkdir()
    (staging / "stg_bibliotek__loans.sql").write_text(STAGING_SQL.lstrip(), encoding="utf-8")
    (staging / "_bibliotek__models.yml").write_text(STAGING_YML.lstrip(), encoding="utf-8")
    sources_yml = project / SOURCES_YML
    document = yaml.safe_load(sources_yml.read_text(encoding="utf-8"))
    [events] = document["sources"]
    events["tables"].append(
        {
            "name": "bibliotek",
            "description": "Library loans per board and month. Supersession key: (nämnd, period).",
            "config": {"meta": {"dagster": {"asset_key": ["events", "bibliotek"]}}},
        }
    )
    sources_yml.write_text(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    seed = project / "seeds" / "source_key_columns.csv"
    with seed.open("w", encoding="utf-8", newline="") as out:
        out.write(registry.key_columns_csv())
    return project


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_new_source_is_parsed_checked_appended_and_staged(
    home: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A working database from before the source existed: the register only.
    [register] = ingest(home, [SERVICENAMNDEN / "organisation.csv"])
    assert register.status == "accepted"
    assert "bibliotek" not in registry.event_tables()

    with throwaway_source(tmp_path, monkeypatch) as source:
        assert registry.source_for("bibliotek_201108.csv") is source
        assert "bibliotek" in registry.event_tables()
        exports = tmp_path / "exports"
        exports.mkdir()
        good = _write(
            exports,
            "bibliotek_201108.csv",
            [
                "Period;Nämnd;Lån;Kostnad;Öppnat;Filialer;Kommentar",
                "201108;142;1 204;12 345,50;2011-08-01;A, B;sommar",
                "201108;101;310;-1,25;2011-08-02;;",
            ],
        )
        bad = _write(
            exports,
            "bibliotek_201109.csv",
            [
                "Period;Nämnd;Lån;Kostnad;Öppnat",
                "201109;142;12;1,00;2011-09-01",
                "201109;999;12;1,00;2011-09-31",
            ],
        )
        [accepted] = ingest(home, [good])
        assert (accepted.status, accepted.rows) == ("accepted", 2), accepted.line()
        before = event_state(home)
        [rejected] = ingest(home, [bad])
        assert rejected.status == "rejected"
        # Great Expectations ran the source's suites: the unknown board, the impossible day.
        assert "Nämnd is a code of the organisation register" in rejected.reason, rejected.reason
        assert "(+1 more rule(s))" in rejected.reason, rejected.reason
        assert "2011-09-31" in Path(rejected.report).read_text(encoding="utf-8")
        assert event_state(home) == before  # nothing of the rejected file entered the log
        # Its validation results are saved like every source's (for the data docs).
        saved = [p for p in home.validations.iterdir() if p.name.startswith(bad.name)]
        assert saved and any(saved[0].glob("*.json"))

        con = duckdb.connect(str(home.database), read_only=True)
        try:
            columns = con.execute(
                """
                select column_name, data_type, is_nullable from duckdb_columns()
                where schema_name = 'events' and table_name = 'bibliotek'
                order by column_index
                """
            ).fetchall()
            assert columns == [
                ("batch_id", "BIGINT", False),
                ("line_number", "INTEGER", False),
                ("period", "INTEGER", False),
                ("namnd", "VARCHAR", False),
                ("lan", "BIGINT", False),
                ("kostnad", "DECIMAL(18,2)", False),
                ("oppnat", "DATE", False),
                ("filialer", "VARCHAR[]", True),
                ("extra", "JSON", True),
            ]
            rows = con.execute(
                """
                select b.source, b.file_name, e.line_number, e.period, e.namnd, e.lan,
                       e.kostnad, strftime(e.oppnat, '%Y-%m-%d'), e.filialer,
                       e.extra ->> 'Kommentar'
                from events.bibliotek e join events.batches b using (batch_id)
                order by e.line_number
                """
            ).fetchall()
            assert rows == [
                ("bibliotek", "bibliotek_201108.csv", 2, 201108, "142", 1204,
                 Decimal("12345.50"), "2011-08-01", ["A", "B"], "sommar"),
                ("bibliotek", "bibliotek_201108.csv", 3, 201108, "101", 310,
                 Decimal("-1.25"), "2011-08-02", None, None),
            ]  # fmt: skip
            keys = con.execute(
                "select source, key, row_count from events.supersession_keys "
                "where batch_id = ? order by key",
                [accepted.batch_id],
            ).fetchall()
            assert keys == [("bibliotek", "101|201108", 1), ("bibliotek", "142|201108", 1)]
        finally:
            con.close()

        # dbt: the README's files in a copy of the project, the seed from the registry.
        project = dbt_project_with_the_source(tmp_path)
        assert "bibliotek,1,namnd\nbibliotek,2,period\n" in registry.key_columns_csv()

    # The selected build only: the new staging model, the seed and the staging models
    # that split supersession keys by it (the whole project would take a minute); the
    # tests of those alone (cautious: no test that also reads an unbuilt model).
    result = run_dbt(
        home,
        "build",
        *("--project-dir", str(project), "--profiles-dir", str(project)),
        *("--select", "+stg_bibliotek__loans", "+stg_events__supersession_keys"),
        *("stg_events__batches", "--indirect-selection", "cautious"),
    )
    # run_dbt raises BuildFailed on a failed model or test; these are what it built.
    built = sorted(n.name for n in result.nodes if n.resource_type in ("model", "seed"))
    assert built == [
        "source_key_columns",
        "stg_bibliotek__loans",
        "stg_events__batches",
        "stg_events__key_parts",
        "stg_events__supersession_keys",
    ], built
    tested = [n.name for n in result.nodes if n.resource_type == "test"]
    assert "unique_combination_of_columns_stg_bibliotek__loans_batch_id__line_number" in tested

    con = duckdb.connect(str(home.database), read_only=True)
    try:
        staged = con.execute(
            """
            select batch_id, line_number, period, namnd_code, loans, cost,
                   strftime(opened_on, '%Y-%m-%d'), branches,
                   extra_columns ->> 'Kommentar'
            from staging.stg_bibliotek__loans
            order by line_number
            """
        ).fetchall()
        # The accepted file's rows; the rejected file's batch has none to stage.
        assert staged == [
            (accepted.batch_id, 2, 201108, "142", 1204, Decimal("12345.50"), "2011-08-01",
             ["A", "B"], "sommar"),
            (accepted.batch_id, 3, 201108, "101", 310, Decimal("-1.25"), "2011-08-02",
             None, None),
        ]  # fmt: skip
        [cost_type] = con.execute(
            """
            select data_type from duckdb_columns()
            where schema_name = 'staging' and table_name = 'stg_bibliotek__loans'
              and column_name = 'cost'
            """
        ).fetchone() or [None]
        assert cost_type == "DECIMAL(18,2)"
        # The regenerated seed tells the shared key splitting where the board and the
        # period sit in bibliotek's key: no SQL names the source.
        split = con.execute(
            """
            select supersession_key, namnd_code, period, source_name, row_count
            from staging.stg_events__supersession_keys
            where batch_id = ? order by supersession_key
            """,
            [accepted.batch_id],
        ).fetchall()
        assert split == [
            ("101|201108", "101", 201108, "bibliotek", 1),
            ("142|201108", "142", 201108, "bibliotek", 1),
        ]
    finally:
        con.close()
    assert "bibliotek" not in registry.event_tables()

"""The dbt project follows the registry (issue 13, part 2: a source is one folder).

dbt cannot import Python, so what it needs of `sources/registry.py` is kept beside it and
checked here, fast (files only, no dbt build):

- the seed `source_key_columns.csv` (which part of a supersession key is the board, the
  period, the year, the report) is exactly what the registry generates;
- `_events__sources.yml` declares exactly the registry's event tables (plus the log's own
  tables), each with its Dagster asset key;
- every event table has its staging model over `source('events', '<table>')`;
- the SQL that splits keys lists no source names (it reads the seed instead).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sources import registry

pytestmark = pytest.mark.unit

DBT = Path(__file__).resolve().parents[2] / "dbt_project"
SEED = DBT / "seeds" / "source_key_columns.csv"
SOURCES_YML = DBT / "models" / "staging" / "events" / "_events__sources.yml"
# The log's own tables: written by the loader for every source, owned by none.
LOG_TABLES = ("batches", "retractions", "supersession_keys")
REGENERATE = (
    'python -c "from sources.registry import key_columns_csv; '
    "open('dbt_project/seeds/source_key_columns.csv', 'w', encoding='utf-8', newline='')"
    '.write(key_columns_csv())"'
)


def test_the_key_columns_seed_is_what_the_registry_generates() -> None:
    assert SEED.read_text(encoding="utf-8") == registry.key_columns_csv(), (
        f"{SEED.relative_to(DBT.parent)} differs from the registry; write it again from "
        f"the repository root with:\n  {REGENERATE}"
    )


def _event_source_tables() -> dict[str, dict]:
    [events] = [s for s in yaml.safe_load(SOURCES_YML.read_text("utf-8"))["sources"]]
    assert events["name"] == "events"
    return {t["name"]: t for t in events["tables"]}


def test_the_dbt_sources_declare_exactly_the_registry_event_tables() -> None:
    declared = _event_source_tables()
    expected = [*LOG_TABLES, *registry.event_tables()]
    missing = [t for t in expected if t not in declared]
    extra = [t for t in declared if t not in expected]
    assert not missing, (
        f"add to {SOURCES_YML.relative_to(DBT.parent)} under `tables:`, for each of "
        f"{missing}:\n"
        + "".join(
            f"      - name: {t}\n        description: >\n          <what a row is>. "
            f"Supersession key: <key>.\n        config:\n          meta:\n"
            f'            dagster:\n              asset_key: ["events", "{t}"]\n'
            for t in missing
        )
    )
    assert not extra, f"{SOURCES_YML.name} declares tables no registered source owns: {extra}"
    for name, table in declared.items():
        asset_key = table.get("config", {}).get("meta", {}).get("dagster", {}).get("asset_key")
        assert asset_key == ["events", name], f"{name}: asset_key {asset_key}"


def test_every_event_table_has_its_staging_model() -> None:
    staging = DBT / "models" / "staging"
    for table in registry.event_tables():
        reading = re.compile(rf"source\(\s*'events'\s*,\s*'{table}'\s*\)")
        models = [
            p.relative_to(DBT).as_posix()
            for p in sorted(staging.glob("**/*.sql"))
            if reading.search(p.read_text(encoding="utf-8"))
        ]
        assert models, (
            f"events.{table} has no staging model: write "
            f"dbt_project/models/staging/{table}/stg_{table}__<what>.sql over "
            f"source('events', '{table}') (and its _{table}__models.yml)"
        )


@pytest.mark.parametrize(
    ("model", "allowed"),
    [
        ("models/staging/events/stg_events__supersession_keys.sql", ()),
        # A budget decision's key is its id: its boards come from its rows, by design.
        ("models/marts/meta/meta_freshness.sql", ("budget",)),
    ],
)
def test_key_splitting_sql_lists_no_source_names(model: str, allowed: tuple[str, ...]) -> None:
    text = (DBT / model).read_text(encoding="utf-8")
    code = "\n".join(line.split("--")[0] for line in text.splitlines())  # SQL comments out
    named = [t for t in registry.event_tables() if f"'{t}'" in code and t not in allowed]
    assert not named, f"{model} names sources {named}; read stg_events__key_parts instead"

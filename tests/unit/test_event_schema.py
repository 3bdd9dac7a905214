"""The event tables come from the contracts, and databases created before keep working.

Until issue 13 `warehouse/schema.sql` declared every source's table by hand; it is kept
as it was in `tests/fixtures/schema_before_issue13.sql`. The schema is applied with
`create ... if not exists` on every open, so an existing table is never altered: the
generated tables must be exactly the old ones, column by column (name, position, type,
nullability), or an old database and a new one would differ silently.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from sources import registry
from sources.registry import SOURCES, event_tables, table_owner
from warehouse.schema import event_table_columns, schema_sql

BEFORE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_before_issue13.sql"
CATALOG = """
    select table_name, column_index, column_name, data_type, is_nullable
    from duckdb_columns()
    where schema_name = 'events'
    order by table_name, column_index
"""


def _columns(*scripts: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        for script in scripts:
            con.execute(script)
        return con.execute(CATALOG).fetchall()
    finally:
        con.close()


# Sources added since: their tables are new, the others must stay as they were.
ADDED_SINCE = {"kommentarer", "resultatfond", "balans", "organisationsmappning", "ansvar"}
# Columns added since to a table that existed (Column.added_later): (table, column, type),
# after `extra`, nullable, in this order.
COLUMNS_ADDED = [
    ("verksamheter", "eftertradare", "VARCHAR"),  # issue 17: Efterträdare
    ("verksamheter", "rs_kod", "VARCHAR"),  # issue 17: RS-kod
]


def _with_added_columns(before: list[tuple]) -> list[tuple]:
    """The old tables with the columns added since at their ends."""
    result = list(before)
    for table, column, type_ in COLUMNS_ADDED:
        last = max(c[1] for c in result if c[0] == table)
        result.append((table, last + 1, column, type_, True))
    return sorted(result, key=lambda c: (c[0], c[1]))


def test_generated_tables_are_the_hand_written_ones_column_by_column() -> None:
    before = _with_added_columns(_columns(BEFORE.read_text(encoding="utf-8")))
    now = _columns(schema_sql())
    assert {t for t, *_ in now} == {t for t, *_ in before} | ADDED_SINCE
    for table in {t for t, *_ in before}:
        assert [c for c in now if c[0] == table] == [c for c in before if c[0] == table], table


def test_a_database_created_before_takes_the_new_schema_unchanged() -> None:
    """Opening an old database runs the new DDL over it: nothing fails; the tables that
    existed keep every column where it was and get the added columns at their ends, the
    same as a new database's (rows are never changed: an added column is null in them)."""
    before = _columns(BEFORE.read_text(encoding="utf-8"))
    after = _columns(BEFORE.read_text(encoding="utf-8"), schema_sql())
    assert [c for c in after if c[0] not in ADDED_SINCE] == _with_added_columns(before)
    assert {c[0] for c in after if c[0] in ADDED_SINCE} == ADDED_SINCE  # created beside them
    assert after == _columns(schema_sql())  # an old database and a new one: the same


def test_an_old_row_keeps_its_values_and_has_the_added_columns_null() -> None:
    con = duckdb.connect()
    try:
        con.execute(BEFORE.read_text(encoding="utf-8"))
        con.execute(
            "insert into events.verksamheter values (1, 2, '142', '240', 'Ekonomi', null, "
            "date '2010-01-01', null, null)"
        )
        con.execute(schema_sql())
        con.execute(schema_sql())  # every open runs it: the second time changes nothing
        assert con.execute(
            "select namnd, verksamhet, namn, giltig_fran, eftertradare, rs_kod "
            "from events.verksamheter"
        ).fetchall() == [("142", "240", "Ekonomi", dt.date(2010, 1, 1), None, None)]
    finally:
        con.close()


def test_every_event_table_is_owned_by_one_source_and_every_written_table_exists() -> None:
    tables = event_tables()
    assert len(set(tables)) == len(tables)
    assert set(tables) == {
        "huvudbok",
        "organisation",
        "verksamheter",
        "budget",
        "prognos",
        "lon",
        "sjukfranvaro",
        "medarbetarenkat",
        "indikatorer",
        "kommentarer",
        "resultatfond",
        "balans",
        "organisationsmappning",
        "ansvar",
    }
    for source in SOURCES:
        assert set(source.tables) <= set(tables), source.name
    # SIE writes the ledger's, the budget's and the balances' tables and has none of its own.
    assert registry.BY_NAME["sie"].tables == ("huvudbok", "budget", "balans")
    assert "sie" not in tables


@pytest.mark.parametrize("table", event_tables())
def test_event_table_is_its_contract(table: str) -> None:
    contract = table_owner(table).contract
    names = [name for name, _, _ in event_table_columns(contract)]
    assert names == [
        "batch_id",
        "line_number",
        *(c.name for c in contract.columns if not c.added_later),
        *(c.name for c in contract.derived),
        "extra",
        *(c.name for c in contract.columns if c.added_later),
    ]


def test_a_source_writing_another_table_keys_it_as_its_owner_does() -> None:
    """A SIE file's ledger lines supersede under the ledger's key: the same columns."""
    keys = registry.supersession_keys()
    for source in SOURCES:
        for table, key in (source.table_keys or {}).items():
            assert key == keys[table], (source.name, table)


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_one_folder_per_source_the_same_files_in_each(source) -> None:
    """contract.py, expectations.py, __init__.py; parser.py only for a parser of its own."""
    folder = Path(__file__).resolve().parents[2] / "sources" / source.name
    assert {"__init__.py", "contract.py", "expectations.py"} <= {p.name for p in folder.iterdir()}
    shared = source.parse.__module__ == "sources._common.batch"  # csv_parser(CONTRACT)
    assert (folder / "parser.py").is_file() == (not shared), source.name
    assert shared == (source.name not in {"huvudbok", "indikatorer", "sie", "kommentarer"}), (
        source.name
    )

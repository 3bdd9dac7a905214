"""Adding a source is its folder and its registry line: a throwaway source, end to end.

The source is written into a temporary package (a contract and its expectations, the two
files a plain `;`-separated export needs), registered at run time through
`sources.registry.register`, and a file of it is parsed by the shared CSV parser, checked
by Great Expectations and appended to its own event table, which the warehouse creates
from the contract in a database that existed before the source did. No dbt build: a dbt
staging model (and its entry in `_events__sources.yml`) is still written by hand, see the
README's "Adding a source".
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sources import registry
from sources._common.source import Source
from tests.conftest import SERVICENAMNDEN
from tests.helpers import event_state
from warehouse.ingest import ingest
from warehouse.settings import Paths

pytestmark = pytest.mark.integration

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

from sources._common.batch import (
    cell_expectations,
    cell_values,
    for_validation,
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


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_new_source_is_parsed_checked_and_appended_to_its_own_table(
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
    assert "bibliotek" not in registry.event_tables()

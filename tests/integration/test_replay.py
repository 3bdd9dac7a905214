"""Replay: the marts are a function of the event log alone.

After an incremental build with a correction and a retraction (on a copy of the
session's reference home, built once), `tertial replay` drops every projection, rebuilds
from the log with a full refresh and publishes: every table of the published marts is
identical row for row (an md5 over its sorted rows). The published copy of the log,
appended incrementally, equals the log itself. Loading the same files again changes
nothing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tertial.cli import main
from tests.conftest import SERVICENAMNDEN, ledger_files
from tests.helpers import accepted_batch, event_state
from warehouse.ingest import ingest
from warehouse.pipeline import build_and_publish
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def table_digests(database: Path, schema: str) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of its rows as text, sorted)} for every table of a schema."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
                [schema],
            ).fetchall()
        ]
        # Identifiers come from the catalog of the database under test, quoted.
        return {
            table: con.execute(
                f"select count(*), md5(coalesce(string_agg(cast(t as varchar), chr(10) "
                f'order by cast(t as varchar)), \'\')) from "{schema}"."{table}" as t'
            ).fetchone()
            for table in tables
        }
    finally:
        con.close()


def corrected_july(folder: Path) -> Path:
    """July's export delivered again without its last line: a correction of 142|201107."""
    july = SERVICENAMNDEN / "huvudbok_201107.csv"
    lines = july.read_bytes().splitlines(keepends=True)
    corrected = folder / july.name
    corrected.write_bytes(b"".join(lines[:-1]))
    return corrected


def test_replay_gives_identical_marts_and_reloading_changes_nothing(
    reference_copy: Paths, tmp_path: Path
) -> None:
    # The session's reference home, loaded and built once (~70 files): copied here in
    # ~0.1 s instead of loading files and building them first (~45 s).
    home = reference_copy
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    [correction] = ingest(home, [corrected_july(inbox)])
    assert correction.status == "accepted", correction.line()
    february = accepted_batch(home, "huvudbok_201102.csv")
    assert main(["retract", str(february), "--reason", "levererad två gånger", "--yes"]) == 0
    build_and_publish(home)  # incremental: the correction and the retraction
    before = table_digests(home.published, "marts")
    assert {"fct_ledger", "dim_namnd", "dim_konto", "dim_verksamhet", "dim_period"} <= set(before)
    assert before["fct_ledger"][0] > 0
    with duckdb.connect(str(home.published), read_only=True) as con:
        assert con.execute(
            "select distinct batch_id from marts.fct_ledger where period = 201107"
        ).fetchall() == [(correction.batch_id,)]
        assert con.execute(
            "select count(*) from marts.fct_ledger where period = 201102"
        ).fetchone() == (0,)
    # The published log, appended batch by batch, is the log.
    assert table_digests(home.published_events, "events") == table_digests(home.database, "events")
    log_before = event_state(home)

    assert main(["replay"]) == 0

    assert table_digests(home.published, "marts") == before
    assert event_state(home) == log_before  # replay never touches the log
    assert table_digests(home.published_events, "events") == table_digests(home.database, "events")

    # The same files again: every one a duplicate, nothing written.
    files = [
        *ledger_files("huvudbok_201101.csv", "huvudbok_201106_leverans1.csv"),
        SERVICENAMNDEN / "budget_2011_1.csv",
        SERVICENAMNDEN / "huvudbok_201106_leverans2.csv",
        inbox / "huvudbok_201107.csv",
    ]
    again = ingest(home, files)
    assert {r.status for r in again} == {"duplicate"}
    assert event_state(home) == log_before

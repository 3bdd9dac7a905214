"""Helpers the integration and acceptance tests share."""

from __future__ import annotations

import duckdb

from sources.registry import event_tables
from warehouse.settings import Paths


def event_state(home: Paths) -> tuple:
    """Everything accepted data consists of: every event table's rows and content digest.

    Rejected batches leave a row in events.batches (that is their record), so batches
    count by status; every other table must not change at all when a file is rejected.
    """
    con = duckdb.connect(str(home.database), read_only=True)
    try:
        accepted = con.execute(
            "select count(*) from events.batches where status = 'accepted'"
        ).fetchone()
        # Identifiers come from the registry's event tables, never from input.
        tables = [*event_tables(), "supersession_keys"]
        contents = [
            con.execute(
                f"select count(*), sum(hash(t)::hugeint) from events.{table} as t"
            ).fetchone()
            for table in tables
        ]
        return (accepted, *contents)
    finally:
        con.close()

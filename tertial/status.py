"""`tertial status`: what the published snapshot holds and how fresh it is.

Read from the published snapshot, never the working database: status must answer while
a nightly build holds the working database (DuckDB: one writer, no readers beside it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse.publish import connect_published


@dataclass(frozen=True)
class Status:
    path: Path
    published_at: dt.datetime
    through_batch_id: int | None
    batches: dict[str, int]
    columns: list[str]
    freshness: list[tuple[Any, ...]]

    def header(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.batches.items()))
        return "\n".join(
            [
                f"Published snapshot: {self.path}",
                f"Published at:       {self.published_at.isoformat(timespec='seconds')}",
                f"Batches:            {sum(self.batches.values())} ({counts or 'none'}), "
                f"through batch {self.through_batch_id}",
                "Freshness (meta_freshness: newest period per source and board):",
            ]
        )


def status(published: Path) -> Status:
    """Publication time, batch counts and meta_freshness of the snapshot at `published`."""
    with connect_published(published) as con:
        published_at, through = con.execute(
            "select published_at, through_batch_id from meta.publication"
        ).fetchone()
        batches = dict(
            con.execute("select status, count(*) from meta.batches group by status").fetchall()
        )
        cursor = con.execute(
            """
            select source_name, namnd_code, newest_period, through_month, batch_id,
                   file_name, recorded_at
            from marts.meta_freshness
            order by source_name, namnd_code nulls first
            """
        )
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    return Status(published, published_at, through, batches, columns, rows)

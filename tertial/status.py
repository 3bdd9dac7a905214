"""`tertial status`: what the published snapshot holds and how fresh it is.

Read from the published snapshot, never the working database: status must answer while
a nightly build holds the working database (DuckDB: one writer, no readers beside it).
Short by default (19 lines on the demo city); `--verbose` adds the per-board freshness
table (225 rows there: 28 boards x 8 sources, and the organisation register), which was
the whole default before (232 lines).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse.publish import connect_published

# Rejected files named in the short status; the rest are counted, with how to list them.
REJECTED_SHOWN = 10
# A reason longer than this is cut in the middle: the whole text is in the file's
# report. The demo's rejection reads 300 characters since the rule text became bilingual.
REASON_CHARS = 200
# Anything the personnummer masker could change holds six digits, at most one separator
# and four digits. Only then is the masker imported: it imports Polars (~0.3 s), which a
# read command never loads (tests/integration/test_query_security.py).
_MAYBE_PERSONNUMMER = re.compile(r"[0-9]{6}[^0-9]?[0-9]{4}")

REJECTED_SQL = (
    "select batch_id, file_name, reason from meta.batches "
    "where status = 'rejected' order by batch_id"
)


def masked(text: str | None) -> str:
    """`text` as it may be shown: no personnummer (sources/_common/personnummer.mask).

    The log masks a reason when it records it; this masks again for logs written before.

    >>> masked("line 8: 'Ersättning 19121212-1212'")
    "line 8: 'Ersättning 19121212-****'"
    >>> masked("missing header Belopp")
    'missing header Belopp'
    """
    if not text or not _MAYBE_PERSONNUMMER.search(text):
        return text or ""
    from sources._common.personnummer import mask

    return mask(text)


def _short(text: str, limit: int = REASON_CHARS) -> str:
    """One line of at most `limit` characters: a long reason keeps its start (the rule)
    and its end (the line and value that broke it), the middle elided.

    >>> _short("rule X (why, at length) in column text: line 6: 'Ersättning'", 40)
    "rule X (why, at l … line 6: 'Ersättning'"
    """
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    head = limit // 2 - 3
    return f"{line[:head].rstrip()} … {line[-(limit - head - 3) :].lstrip()}"


@dataclass(frozen=True)
class Rejected:
    batch_id: int
    file_name: str
    reason: str  # masked


@dataclass(frozen=True)
class Status:
    path: Path
    published_at: dt.datetime
    through_batch_id: int | None
    batches: dict[str, int]
    rejected: list[Rejected]
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
            ]
        )

    def rejected_lines(self, quarantine: Path) -> list[str]:
        """The rejected files by name with their reason, at most REJECTED_SHOWN of them."""
        if not self.rejected:
            return ["Rejected files:     none"]
        lines = [
            f"Rejected files:     {len(self.rejected)}, not loaded (each one's report is in "
            f"{quarantine}/; deliver a corrected file again)"
        ]
        # The newest first: the one a controller just delivered is the one asked about.
        newest = sorted(self.rejected, key=lambda r: r.batch_id, reverse=True)
        for r in newest[:REJECTED_SHOWN]:
            lines.append(f"  {r.batch_id:>5}  {r.file_name}: {_short(r.reason)}")
        if len(newest) > REJECTED_SHOWN:
            lines.append(
                f'  +{len(newest) - REJECTED_SHOWN} more; every one: tertial query "{REJECTED_SQL}"'
            )
        return lines

    def summary(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Freshness per source: boards, the newest period, how many boards are behind
        it (and the oldest period among them), the last delivery."""
        at = {c: i for i, c in enumerate(self.columns)}
        by_source: dict[str, list[tuple[Any, ...]]] = {}
        for row in self.freshness:
            by_source.setdefault(row[at["source_name"]], []).append(row)
        rows = []
        for source, group in by_source.items():
            months = [r[at["through_month"]] for r in group if r[at["through_month"]] is not None]
            newest = max(months, default=None)
            behind = [r for r in group if newest is not None and r[at["through_month"]] != newest]
            oldest = min(behind, key=lambda r: r[at["through_month"]] or 0, default=None)
            top = next((r for r in group if r[at["through_month"]] == newest), group[0])
            boards = sum(1 for r in group if r[at["namnd_code"]] is not None)
            rows.append(
                (
                    source,
                    boards,
                    top[at["newest_period"]] if newest is not None else None,
                    len(behind),
                    oldest[at["newest_period"]] if oldest is not None else None,
                    max(r[at["recorded_at"]] for r in group),
                )
            )
        columns = [
            "source_name",
            "boards",
            "newest_period",
            "boards_behind",
            "oldest_period",
            "last_recorded_at",
        ]
        return columns, rows


def status(published: Path) -> Status:
    """Publication time, batch counts, rejected files and meta_freshness of the snapshot."""
    with connect_published(published) as con:
        published_at, through = con.execute(
            "select published_at, through_batch_id from meta.publication"
        ).fetchone()
        batches = dict(
            con.execute("select status, count(*) from meta.batches group by status").fetchall()
        )
        rejected = [
            Rejected(batch_id, masked(file_name), masked(reason))
            for batch_id, file_name, reason in con.execute(REJECTED_SQL).fetchall()
        ]
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
    return Status(published, published_at, through, batches, rejected, columns, rows)

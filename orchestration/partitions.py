"""Monthly partitions: a monthly source's file belongs to the month in its name.

`huvudbok_201108.csv`, `lon_201108.csv` and `sjukfranvaro_201108.csv` are partition
2011-08 of their assets, so Dagster shows per month what was loaded when, and one month
can be reloaded on its own.
"""

from pathlib import Path

import dagster as dg

from sources.registry import source_for

# Which month a file is, and which sources are monthly, are read by `tertial run` too, to
# report its loads under the same partitions: they live in warehouse/dagster_events.py.
from warehouse.dagster_events import is_monthly, partition_of

TIMEZONE = "Europe/Stockholm"
# end_offset=1: the current month is a partition too (its exports land during it).
MONTHLY = dg.MonthlyPartitionsDefinition(start_date="2000-01-01", timezone=TIMEZONE, end_offset=1)


def monthly_files(landing: list[Path]) -> dict[str, set[str]]:
    """Partition keys with files waiting, per monthly source."""
    waiting: dict[str, set[str]] = {}
    for path in landing:
        source = source_for(path.name)
        key = partition_of(path.name)
        if source is not None and is_monthly(source) and key is not None:
            waiting.setdefault(source.name, set()).add(key)
    return waiting


def claimed_by_partition(path: Path) -> bool:
    """Whether a monthly asset's partition run takes this file (else the nightly job does)."""
    source = source_for(path.name)
    return source is not None and is_monthly(source) and partition_of(path.name) is not None


def is_register(path: Path) -> bool:
    """Registers (organisation, verksamheter) resolve every other file's codes."""
    source = source_for(path.name)
    return source is not None and source.contract.load_tier < 2

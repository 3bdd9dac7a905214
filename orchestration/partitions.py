"""Monthly partitions: a monthly source's file belongs to the month in its name.

`huvudbok_201108.csv`, `lon_201108.csv` and `sjukfranvaro_201108.csv` are partition
2011-08 of their assets, so Dagster shows per month what was loaded when, and one month
can be reloaded on its own.
"""

import re
from pathlib import Path

import dagster as dg

from sources._common.source import Source
from sources.registry import source_for

TIMEZONE = "Europe/Stockholm"
# end_offset=1: the current month is a partition too (its exports land during it).
MONTHLY = dg.MonthlyPartitionsDefinition(start_date="2000-01-01", timezone=TIMEZONE, end_offset=1)
_PERIOD = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(0[1-9]|1[0-2])(?![0-9])")


def is_monthly(source: Source) -> bool:
    """A source whose supersession key holds the period is delivered month by month."""
    return "period" in source.contract.supersession_key


def partition_of(file_name: str) -> str | None:
    """The monthly partition key of a file name, or None when it names no month.

    >>> partition_of("huvudbok_201106_leverans2.csv")
    '2011-06-01'
    >>> partition_of("huvudbok_202406_142_rattelse.csv")
    '2024-06-01'
    >>> partition_of("organisation.csv") is None
    True
    """
    match = _PERIOD.search(file_name)
    return f"{match.group(1)}-{match.group(2)}-01" if match else None


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

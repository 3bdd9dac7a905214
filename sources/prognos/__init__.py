"""`prognos`: year-end forecasts (source-formats.md §3)."""

from sources._common.source import Source
from sources.prognos.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

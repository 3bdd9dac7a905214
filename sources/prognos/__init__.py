"""`prognos`: year-end forecasts (source-formats.md §3)."""

from sources._common.source import Source
from sources.prognos import expectations
from sources.prognos.contract import CONTRACT

SOURCE = Source(CONTRACT, expectations.suites)  # the shared CSV parser

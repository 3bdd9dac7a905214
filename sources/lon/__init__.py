"""`lon`: monthly payroll counts (source-formats.md §4)."""

from sources._common.source import Source
from sources.lon import expectations
from sources.lon.contract import CONTRACT

SOURCE = Source(CONTRACT, expectations.suites)  # the shared CSV parser

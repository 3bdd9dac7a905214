"""`lon`: monthly payroll counts (source-formats.md §4)."""

from sources._common.source import Source
from sources.lon import expectations, parser
from sources.lon.contract import CONTRACT

SOURCE = Source(CONTRACT, parser.parse, expectations.suites)

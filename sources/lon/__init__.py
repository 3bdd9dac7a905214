"""`lon`: monthly payroll counts (source-formats.md §4)."""

from sources._common.source import Source
from sources.lon.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

"""`budget`: budget decisions (source-formats.md §2)."""

from sources._common.source import Source
from sources.budget.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

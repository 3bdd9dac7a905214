"""`sjukfranvaro`: monthly sick-leave hours (source-formats.md §5)."""

from sources._common.source import Source
from sources.sjukfranvaro.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

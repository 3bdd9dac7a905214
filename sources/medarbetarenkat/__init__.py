"""`medarbetarenkat`: yearly staff-survey indices (source-formats.md §6)."""

from sources._common.source import Source
from sources.medarbetarenkat.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

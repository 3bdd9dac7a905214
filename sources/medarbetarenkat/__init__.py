"""`medarbetarenkat`: yearly staff-survey indices (source-formats.md §6)."""

from sources._common.source import Source
from sources.medarbetarenkat import expectations
from sources.medarbetarenkat.contract import CONTRACT

SOURCE = Source(CONTRACT, expectations.suites)  # the shared CSV parser

"""`indikatorer`: indicator follow-ups (source-formats.md §7)."""

from sources._common.source import Source
from sources.indikatorer import expectations, parser
from sources.indikatorer.contract import CONTRACT

SOURCE = Source(CONTRACT, expectations.suites, parse=parser.parse)

"""`indikatorer`: indicator follow-ups (source-formats.md §7)."""

from sources._common.source import Source
from sources.indikatorer import parser
from sources.indikatorer.contract import CONTRACT

SOURCE = Source(CONTRACT, parse=parser.parse)

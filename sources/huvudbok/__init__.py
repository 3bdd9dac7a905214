"""`huvudbok`: the monthly general-ledger export of the finance system."""

from sources._common.source import Source
from sources.huvudbok import parser
from sources.huvudbok.contract import CONTRACT

SOURCE = Source(CONTRACT, parse=parser.parse, companion_suffixes=(".ctl",))

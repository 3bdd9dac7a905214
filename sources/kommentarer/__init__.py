"""`kommentarer`: the boards' comments per report section (README, "Sources")."""

from sources._common.source import Source
from sources.kommentarer import parser
from sources.kommentarer.contract import CONTRACT

SOURCE = Source(CONTRACT, parse=parser.parse)  # year and report from the name; expectations.py

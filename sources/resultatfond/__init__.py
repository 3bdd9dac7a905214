"""`resultatfond`: the boards' result funds and the decisions on them (README, "Sources")."""

from sources._common.source import Source
from sources.resultatfond.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

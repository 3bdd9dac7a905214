"""`ansvar`: the register of responsibility units (ansvar), their names and boards over time
(README, "Sources")."""

from sources._common.source import Source
from sources.ansvar.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

"""`organisation`: the register of boards and departments, as dated events."""

from sources._common.source import Source
from sources.organisation.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

"""`organisation`: the register of boards and departments, as dated events."""

from sources._common.source import Source
from sources.organisation import expectations
from sources.organisation.contract import CONTRACT

SOURCE = Source(CONTRACT, expectations.suites)  # the shared CSV parser

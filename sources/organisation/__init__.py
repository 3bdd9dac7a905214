"""`organisation`: the register of boards and departments, as dated events."""

from sources._common.source import Source
from sources.organisation import expectations, parser
from sources.organisation.contract import CONTRACT

SOURCE = Source(CONTRACT, parser.parse, expectations.suites)

"""`verksamheter`: each board's activities (verksamheter) and their parents."""

from sources._common.source import Source
from sources.verksamheter.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

"""`balans`: the boards' account balances (balansräkning), for systems without SIE (README).

`events.balans` also takes a SIE file's `#IB`/`#UB`/`#RES` (sources/sie/parser.py), so a
board's balances arrive the same way whichever export its finance system makes.
"""

from sources._common.source import Source
from sources.balans.contract import CONTRACT

SOURCE = Source(CONTRACT)  # the shared CSV parser, expectations.py

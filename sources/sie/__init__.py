"""`sie`: SIE 4 exports (`*.se`, `*.si`), the Swedish standard for accounting data.

A SIE file feeds two existing event tables in one batch: its vouchers are ledger
lines (`events.huvudbok`, superseding under the ledger's key Nämnd and Period, so a SIE
file and a CSV export of the same board and month replace each other whichever came
last), its period budget is a budget decision (`events.budget`, key Beslut) and its
balances `#IB`/`#UB`/`#RES` are account balances (`events.balans`, key Nämnd and Period,
as a `balans_<YYYYMM>.csv` export's).
"""

from sources._common.source import Source
from sources.balans.contract import CONTRACT as BALANS
from sources.budget.contract import CONTRACT as BUDGET
from sources.huvudbok.contract import CONTRACT as HUVUDBOK
from sources.sie import parser
from sources.sie.contract import CONTRACT

SOURCE = Source(
    CONTRACT,
    parse=parser.parse,
    table_keys={
        HUVUDBOK.source: HUVUDBOK.supersession_key,
        BUDGET.source: BUDGET.supersession_key,
        BALANS.source: BALANS.supersession_key,
    },
)

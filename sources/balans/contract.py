"""Contract of `balans_<YYYYMM>.csv`: a board's balance-sheet accounts at a month's end.

One row per board, period and account of Kommun-Bas classes 1–2: the account's balance
(saldo) at the end of Period, debit positive (tillgångar), credit negative (eget kapital,
avsättningar, skulder), as the reports' "Analys av balansräkning" prints them
(Servicenämnden 2011-08-31: omsättningstillgångar 38 549 828,67, eget kapital
−41 018 403,52). The balance sheet of a board and period sums to zero: the period's
result is booked in eget kapital by the export (an account such as 2099).

`Post` is optional: empty or `UB` is the closing balance at the end of Period; `IB` the
opening balance of the next year after the year-end closing entries, when the system
exports one (a SIE file's `#IB 0` lands here as `IB` at the month before the year).
"""

import re

from sources._common.contract import Column, Contract

# The kinds of balance a row can be; `RES` (a result account's year total) only comes
# from SIE `#RES` and is no balance-sheet row, so a CSV export never carries it.
CSV_POSTS = ("UB", "IB")

CONTRACT = Contract(
    source="balans",
    file_pattern=re.compile(r"balans_.*\.csv"),
    columns=(
        Column("Nämnd", "namnd", "code"),
        Column("Period", "period", "period"),  # YYYYMM: the balance at this month's end
        Column("Konto", "konto", "code"),  # 4 digits, Kommun-Bas class 1 or 2
        Column("Saldo", "saldo", "money"),  # kronor, debit positive, credit negative
        Column("Post", "post", "code", required=False, nullable=True),  # UB (empty) / IB
    ),
    # As the ledger: a re-export of a board's month replaces that month for that board,
    # whichever export (CSV or SIE) brought it; a file with several boards or months
    # supersedes each (Nämnd, Period) it holds.
    supersession_key=("namnd", "period"),
    description="The boards' balance-sheet accounts (classes 1–2) at a month's end.",
)

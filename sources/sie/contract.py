"""Contract of SIE 4 files (`*.se`, `*.si`; source-formats.md §1, SIE 4B in reference/sie).

A SIE file is not a table: its records (`#VER`, `#TRANS`, `#PBUDGET`, ...) are read by
`parser.py` into rows of two existing event tables. The columns below are those of a
ledger line as read from `#VER`/`#TRANS`, by the names the expectations' messages use.
"""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="sie",
    file_pattern=re.compile(r".*\.(se|si)"),
    columns=(
        Column("Period", "period", "period"),  # YYYYMM of the voucher date (verdatum)
        Column("Nämnd", "namnd", "code"),  # the file name `sie_<Nämnd>_...`, else #FNR
        Column("Ansvar", "ansvar", "code", nullable=True),  # object of dimension 1
        Column("Verksamhet", "verksamhet", "code"),  # dimension 2; none: -1 (Okänd)
        Column("Konto", "konto", "code"),
        Column("Projekt", "projekt", "code", nullable=True),  # dimension 6
        Column("Belopp", "belopp", "money"),  # `-300.00`: decimal point, debit positive
        Column("Verifikation", "verifikation", "text"),  # series and number, `A 1`
        Column("Datum", "datum", "date"),  # transdat, else the voucher's date
        Column("Text", "text", "text", nullable=True),  # transtext, else the voucher's
    ),
    # Not keyed as a source of its own: its ledger lines supersede under the ledger's key
    # (Nämnd, Period) and its budget under Beslut (see SOURCE.table_keys). Not monthly:
    # one file is usually a whole financial year.
    supersession_key=(),
    description="SIE 4 export (type 4E/4I) of a board's books: vouchers become ledger "
    "lines, period budgets (#PBUDGET of year 0) a budget decision.",
)

# Dimensions (#DIM) of the Kommun-Bas coding: SIE's reserved 1 (kostnadsställe) is
# Ansvar, 2 (kostnadsbärare) Verksamhet and 6 (projekt) Projekt.
DIMENSIONS = {"1": "ansvar", "2": "verksamhet", "6": "projekt"}

# A line that names no Verksamhet (dimension 2) is booked on the Unknown member: many
# SIE exports code no objects at all (BLBLOV_SIE4.SE), and a line must not be lost.
UNKNOWN_VERKSAMHET = "-1"

# `sie_142_bokslut2011.se`: the board is in the name (it wins over #FNR, which is the
# company's number in the finance system and rarely a board code).
FILE_NAMND = re.compile(r"sie_([^_]+)_.*", re.IGNORECASE)

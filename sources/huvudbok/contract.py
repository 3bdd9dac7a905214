"""Contract of `huvudbok_*.csv` (source-formats.md §1)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="huvudbok",
    file_pattern=re.compile(r"huvudbok_.*\.csv"),
    columns=(
        Column("Period", "period", "period"),  # YYYYMM
        Column("Nämnd", "namnd", "code"),
        Column("Ansvar", "ansvar", "code", nullable=True),
        Column("Verksamhet", "verksamhet", "code"),
        Column("Konto", "konto", "code"),  # 4 digits, Kommun-Bas
        Column("Projekt", "projekt", "code", required=False, nullable=True),
        Column("Motpart", "motpart", "code", required=False, nullable=True),
        Column("Belopp", "belopp", "money"),  # kronor, debit positive
        Column("Verifikation", "verifikation", "text", nullable=True),
        Column("Datum", "datum", "date"),
        Column("Text", "text", "text", required=False, nullable=True),
    ),
    # A re-export of a month for a board replaces that month for that board.
    supersession_key=("namnd", "period"),
    description="Monthly ledger export (Agresso/Unit4), one row per transaction line.",
)

# `huvudbok_201108.csv` may come with `huvudbok_201108.ctl`: per board, rows and sum.
CONTROL = Contract(
    source="huvudbok_control",
    file_pattern=re.compile(r"huvudbok_.*\.ctl"),
    columns=(
        Column("Nämnd", "namnd", "code"),
        Column("Period", "period", "period"),
        Column("Rader", "rader", "integer"),
        Column("Summa", "summa", "money"),
    ),
    supersession_key=(),
)

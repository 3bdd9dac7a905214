"""Contract of `budget_*.csv` (source-formats.md §2)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="budget",
    file_pattern=re.compile(r"budget_.*\.csv"),
    columns=(
        Column("År", "ar", "year"),
        Column("Beslut", "beslut", "text"),
        Column("Beslutsdatum", "beslutsdatum", "date"),  # valid time of the decision
        Column("Typ", "typ", "code"),  # Ursprunglig | Ombudgetering | Tilläggsbudget
        Column("Nämnd", "namnd", "code"),
        Column("Verksamhet", "verksamhet", "code"),
        Column("Slag", "slag", "code"),  # Kostnader | Intäkter | Investering
        Column("Belopp", "belopp", "money"),  # kronor, positive for all three Slag
    ),
    # A decision is delivered whole; decisions add up, a re-delivery of the same
    # Beslut replaces that decision only.
    supersession_key=("beslut",),
    description="Budget decisions: Ursprunglig, Ombudgetering, Tilläggsbudget.",
)

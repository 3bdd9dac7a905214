"""Contract of `prognos_*.csv` (source-formats.md §3)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="prognos",
    file_pattern=re.compile(r"prognos_.*\.csv"),
    columns=(
        Column("År", "ar", "year"),
        Column("Prognostillfälle", "prognostillfalle", "code"),  # T1 | T2 | M01..M12
        Column("Nämnd", "namnd", "code"),
        Column("Verksamhet", "verksamhet", "code"),
        Column("Slag", "slag", "code"),
        Column("Prognos", "prognos", "money"),
    ),
    # A forecast occasion of a board is re-delivered whole.
    supersession_key=("namnd", "ar", "prognostillfalle"),
    description="Year-end forecasts per Prognostillfälle (T1, T2, M01..M12).",
)

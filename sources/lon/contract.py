"""Contract of `lon_*.csv` (source-formats.md §4)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="lon",
    file_pattern=re.compile(r"lon_.*\.csv"),
    columns=(
        Column("Period", "period", "period"),
        Column("Nämnd", "namnd", "code"),
        # Tillsvidare | Visstid | Timavlönad
        Column("Anställningsform", "anstallningsform", "code"),
        Column("Kön", "kon", "code"),  # K | M
        Column("Anställda", "anstallda", "integer"),
        Column("Årsarbetare", "arsarbetare", "decimal"),
        Column("Utbetalda löner", "utbetalda_loner", "integer"),
        Column("Lönesumma", "lonesumma", "money"),
    ),
    # A board's month is re-delivered whole.
    supersession_key=("namnd", "period"),
    description="Monthly payroll counts by employment type and gender (aggregates only).",
)

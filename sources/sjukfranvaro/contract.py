"""Contract of `sjukfranvaro_*.csv` (source-formats.md §5)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="sjukfranvaro",
    file_pattern=re.compile(r"sjukfranvaro_.*\.csv"),
    columns=(
        Column("Period", "period", "period"),
        Column("Nämnd", "namnd", "code"),
        Column("Kön", "kon", "code"),
        Column("Åldersgrupp", "aldersgrupp", "code"),  # -29 | 30-49 | 50-
        Column("Anställda", "anstallda", "integer"),
        Column("Ordinarie arbetstid", "ordinarie_arbetstid", "decimal"),
        Column("Sjukfrånvaro", "sjukfranvaro", "decimal"),
        Column("Varav dag 1-14", "varav_dag_1_14", "decimal"),
        Column("Varav 60 dagar eller mer", "varav_60_dagar", "decimal"),
    ),
    # A board's month is re-delivered whole.
    supersession_key=("namnd", "period"),
    description="Monthly sick-leave hours by gender and age group.",
)

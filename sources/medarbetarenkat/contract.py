"""Contract of `medarbetarenkat_*.csv` (source-formats.md §6)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="medarbetarenkat",
    file_pattern=re.compile(r"medarbetarenkat_.*\.csv"),
    columns=(
        Column("År", "ar", "year"),
        Column("Nämnd", "namnd", "code"),
        Column("Index", "index_namn", "text"),
        Column("Värde", "varde", "decimal"),
        Column("Svarsfrekvens", "svarsfrekvens", "decimal", required=False, nullable=True),
    ),
    # A board's survey year is re-delivered whole.
    supersession_key=("namnd", "ar"),
    description="Yearly staff-survey indices (NMI and its successors).",
)

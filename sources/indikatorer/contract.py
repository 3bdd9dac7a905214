"""Contract of `indikatorer_*.csv` (source-formats.md §7)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="indikatorer",
    file_pattern=re.compile(r"indikatorer_.*\.csv"),
    columns=(
        Column("År", "ar", "year"),
        Column("Rapport", "rapport", "code"),
        Column("Nämnd", "namnd", "code"),
        Column("Mål", "mal", "text", nullable=True),
        Column("Indikator", "indikator", "text"),
        Column("Periodens utfall", "periodens_utfall", "text", nullable=True),
        Column("Prognos helår", "prognos_helar", "text", nullable=True),
        Column("Årsmål", "arsmal", "text", nullable=True),
        Column("KF:s årsmål", "kf_arsmal", "text", nullable=True),
        Column("Period", "period_text", "text", nullable=True),
        Column("Bedömning", "bedomning", "text", required=False, nullable=True),
    ),
    # A board's report (T1, T2, VB) of a year is re-delivered whole.
    supersession_key=("namnd", "ar", "rapport"),
    # What the parser (parser.py, values.py) made of each raw text: number, unit, kind.
    derived=(
        *(
            Column(f"{header} ({part})", f"{prefix}_{part}", kind, required=False, nullable=True)
            for header, prefix in (
                ("Periodens utfall", "utfall"),
                ("Prognos helår", "prognos"),
                ("Årsmål", "arsmal"),
                ("KF:s årsmål", "kf_arsmal"),
            )
            for part, kind in (("value", "decimal"), ("unit", "text"), ("kind", "code"))
        ),
        Column("Period (rapport)", "period_report", "code", required=False, nullable=True),
        Column("Period (år)", "period_year", "year", required=False, nullable=True),
        Column("Bedömning (tolkad)", "assessment", "code", required=False, nullable=True),
        # Columns whose text could not be parsed (never a rejection).
        Column("Ej tolkade", "unparsed", "codes", required=False, nullable=True),
    ),
    description="Goal and indicator follow-up per report (T1, T2, VB): raw texts, parsed values.",
)

"""Contract of `kommentarer_<År>_<T1|T2|VB>.csv`: the boards' own words in their report.

The figures of a report come from the marts; the text that explains them (analyses,
measures, the board's assessment of a goal) is written by the board's controllers and
delivered here, one file per report for one board or many. Each comment names the
report section it belongs to (Avsnitt) and, for an activity or an indicator, which one
(Referens). The year and the report come from the file's name, as the report's own name
says them (`kommentarer_2011_T2.csv`); the event log keeps them as columns.
"""

import re

from sources._common.contract import Column, Contract

SECTIONS = ("sammanfattning", "ekonomi", "verksamhet", "personal", "indikator")
KINDS = ("analys", "åtgärd", "bedömning")
# The name carries År and Rapport; anything after them (a board, a version) is free.
FILE_NAME = re.compile(r"kommentarer_(?P<year>\d{4})_(?P<report>t1|t2|vb)(?:_[^/]*)?\.csv")

CONTRACT = Contract(
    source="kommentarer",
    file_pattern=re.compile(r"kommentarer_.*\.csv"),
    columns=(
        Column("Nämnd", "namnd", "code"),
        Column("Avsnitt", "avsnitt", "code"),
        Column("Referens", "referens", "text", required=False, nullable=True),
        Column("Typ", "typ", "code"),
        Column("Text", "kommentar", "text"),
        Column("Författare", "forfattare", "text", required=False, nullable=True),
    ),
    # A board's comments on one report are re-delivered whole.
    supersession_key=("namnd", "ar", "rapport"),
    derived=(
        Column("År (filnamn)", "ar", "year", required=False),
        Column("Rapport (filnamn)", "rapport", "code", required=False),
    ),
    description="The boards' comments per report section (T1, T2, VB): analyses, measures, "
    "assessments.",
)

"""Contract of `verksamheter*.csv` (source-formats.md §8)."""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="verksamheter",
    file_pattern=re.compile(r"verksamheter.*\.csv"),
    columns=(
        Column("Nämnd", "namnd", "code"),
        Column("Verksamhet", "verksamhet", "code"),
        Column("Namn", "namn", "text"),
        # The parent verksamhet: reports show this one as its "varav" line.
        Column("Överordnad", "overordnad", "code", nullable=True),
        Column("Giltig från", "giltig_fran", "date", nullable=True),
        Column("Giltig till", "giltig_till", "date", required=False, nullable=True),
    ),
    # A delivery lists a board's activities completely: the newest per board wins.
    supersession_key=("namnd",),
    load_tier=1,  # after the register (its Nämnd codes), before the ledger
    description="Activities of each board, with parents for the reports' varav lines.",
)

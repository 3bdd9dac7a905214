"""Contract of `verksamheter*.csv` (source-formats.md §8).

Two optional columns came with issue 17; a file without them loads as before:
- `Efterträdare`: when an activity is closed or renamed, the code of the same board's
  activity that carries it on (dim_verksamhet's successor);
- `RS-kod`: the activity's code in SCB's classification of Räkenskapssammandraget (a
  leaf, 'blad', of dbt_project/seeds/rs_verksamhetsomraden.csv), so costs compare
  across boards and cities (rpt_activity_costs_rs).
"""

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
        Column(
            "Efterträdare", "eftertradare", "code", required=False, nullable=True, added_later=True
        ),
        Column("RS-kod", "rs_kod", "code", required=False, nullable=True, added_later=True),
    ),
    # A delivery lists a board's activities completely: the newest per board wins.
    supersession_key=("namnd",),
    load_tier=1,  # after the register (its Nämnd codes), before the ledger
    description="Activities of each board, with parents for the reports' varav lines.",
)

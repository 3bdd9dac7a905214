"""Contract of `ansvar*.csv`: the register of responsibility units (optional).

The ledger books on an Ansvar code but says neither its name nor when it moved to
another board; dim_ansvar infers the board from the months each board books it. This
register says it: one row per unit and validity (Nämnd; Ansvar; Namn; Giltig från;
Giltig till), so a unit that moves from 142 to 101 on 2011-03-01 is two rows, and
fct_ledger_units_restated carries its whole history to 101. A unit the register does not
list keeps its inferred versions.
"""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="ansvar",
    file_pattern=re.compile(r"ansvar.*\.csv"),
    columns=(
        Column("Nämnd", "namnd", "code"),  # the board the unit belongs to in the validity
        Column("Ansvar", "ansvar", "code"),  # the ledger's Ansvar code (same kind: a code)
        Column("Namn", "namn", "text"),
        Column("Giltig från", "giltig_fran", "date"),  # first day, inclusive
        Column("Giltig till", "giltig_till", "date", required=False, nullable=True),
    ),
    # A delivery is the whole register, as organisationsmappning.csv: the newest batch
    # replaces every row of the older one, so a unit left out falls back to the ledger's
    # inferred versions and a corrected date leaves no old validity behind.
    supersession_key=(),
    load_tier=1,  # after the organisation register whose board codes it names
    description="Register of responsibility units: names and boards over time.",
)

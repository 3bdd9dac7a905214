"""Contract of `organisationsmappning.csv`: how a reorganisation divides a code's history.

The organisation register says that Utvecklingsavdelningen (1012) was closed on
2007-01-01 and its work went to 1022 and 1023; it does not say how much of it went
where. This mapping does: one row per (Från kod, Till kod, Giltig från) with the share
of Från kod's activity Till kod carries from that date (1012 → 1022 0,6 and 1012 →
1023 0,4). fct_ledger_restated divides every ledger row booked on Från kod before
Giltig från by these shares, so history reads in today's organisation. A code may map
to itself: a board that hands a tenth of its work to another (131 → 131 0,9, 131 →
133 0,1) keeps the rest.
"""

import re

from sources._common.contract import Column, Contract

CONTRACT = Contract(
    source="organisationsmappning",
    file_pattern=re.compile(r"organisationsmappning.*\.csv"),
    columns=(
        Column("Från kod", "fran_kod", "code"),  # board or unit of the register
        Column("Till kod", "till_kod", "code"),  # where (part of) its activity went
        # 0 < Andel ≤ 1, at most 4 decimals (decimal(18, 4) in the event log); the shares
        # of one Från kod on one Giltig från sum to exactly 1 (expectations.py).
        Column("Andel", "andel", "decimal"),
        Column("Giltig från", "giltig_fran", "date"),  # the reorganisation's date
    ),
    # A delivery is the whole mapping, as a controller keeps it in one sheet: a newer
    # batch replaces every line of the older one (key () like the organisation register,
    # but current state is the newest batch, not the union: a share corrected from 0,6
    # to 0,5 must not leave the 0,6 behind, and a line left out is gone).
    supersession_key=(),
    load_tier=1,  # after the register whose codes it names, before anything is built
    description="Organisation mapping: the shares of an old code's activity in new codes.",
)

"""Contract of `resultatfond_<År>.csv`: a board's result fund and the decisions on it.

A board that ends a year with a surplus keeps it in its result fund (resultatfond); the
next year's opening fund is that balance (Servicenämnden 2011: 7,6 mnkr). Decisions then
use part of it in the year (disposition: 2,0 mnkr for one-off costs, which is why the
forecast net result is −2,0 before and 0,0 after the disposition) or carry it to the
next year (överföring: the remaining 5,6 mnkr). One row per decision, each with the
fund it draws on; decisions accumulate like budget decisions, and a re-delivered
Beslut-id replaces that decision only.
"""

import re

from sources._common.contract import Column, Contract

# The kinds of decision, kept in lower case (Disposition and disposition are one).
KINDS = ("disposition", "överföring")

CONTRACT = Contract(
    source="resultatfond",
    file_pattern=re.compile(r"resultatfond_.*\.csv"),
    columns=(
        Column("Nämnd", "namnd", "code"),
        Column("År", "ar", "year"),
        Column("Ingående resultatfond", "ingaende_resultatfond", "money"),  # kronor, >= 0
        Column("Beslut", "beslut", "code"),  # disposition | överföring
        Column("Belopp", "belopp", "money"),  # kronor, positive: used or carried over
        Column("Beslutsdatum", "beslutsdatum", "date"),  # valid time of the decision
        Column("Beslut-id", "beslut_id", "code"),
    ),
    # As budget decisions: decisions add up, a re-delivery of a Beslut-id replaces that
    # decision only (a file may carry many decisions, each its own key). The board and
    # year lead the key so that freshness (meta_freshness) and the key parts read them
    # from the registry's seed, not from SQL of this source (budget's key, the decision
    # alone, needs its own case there); a Beslut-id is one board's, for one year.
    supersession_key=("namnd", "ar", "beslut_id"),
    description="The boards' result funds: opening fund, dispositions and transfers.",
)

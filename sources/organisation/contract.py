"""Contract of `organisation*.csv` (source-formats.md §8)."""

import re

from sources._common.contract import Column, Contract

EVENTS = ("Skapad", "Namnbyte", "Sammanslagen", "Delad", "Nedlagd")
TYPES = ("Kommunstyrelse", "Facknämnd", "Stadsdelsnämnd", "Avdelning")

CONTRACT = Contract(
    source="organisation",
    # `organisation*.csv`, but not `organisationsmappning*.csv` (the mapping's own source).
    file_pattern=re.compile(r"organisation(?!smappning).*\.csv"),
    columns=(
        Column("Datum", "datum", "date"),  # valid time of the event
        # Skapad | Namnbyte | Sammanslagen | Delad | Nedlagd
        Column("Händelse", "handelse", "code"),
        Column("Kod", "kod", "code"),
        Column("Namn", "namn", "text"),
        Column("Typ", "typ", "code"),  # Kommunstyrelse | Facknämnd | Stadsdelsnämnd | Avdelning
        Column("Överordnad", "overordnad", "code", nullable=True),
        # Successor codes, a list.
        Column("Efterträdare", "eftertradare", "codes", required=False, nullable=True),
    ),
    # The register is one list of events: a delivery may repeat old events or bring only
    # new ones, so current state is the union of distinct events (see dbt intermediate).
    supersession_key=(),
    load_tier=0,  # every other file's codes are resolved against it
    description="Organisation register: Skapad, Namnbyte, Sammanslagen, Delad, Nedlagd.",
)

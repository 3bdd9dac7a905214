"""The demo city's organisation mapping: `organisationsmappning.csv` in the register folder.

The register (demo.city._organisation) says where a closed unit's work went; this file
says how much went where, so `fct_ledger_restated` can restate history in today's
organisation. Two reorganisations, modelled on the city office's of 2007
(`../shared/reference/stadsledningskontoret-ny-organisation-2006.txt`: departments closed,
their tasks divided among new ones) as far as the demo's register and years allow:

- 2019-01-01, the register's own: Förnyelseavdelningen (1022) closed, half its work to
  Stadsdirektörens stab (1020) and half to Digitaliseringsavdelningen (1027);
  IT-avdelningen (1023) closed, all of it to 1027. Nothing is booked on departments in
  the demo, so this restates no krona; it makes 1022 -> 1020 + 1027 a chain target for
  a mapping of older codes.
- 1 January of the middle demo year, when Idrottsnämnden (133) becomes Idrotts- och
  friluftsnämnden: the city's outdoor recreation areas move to it from
  Exploateringsnämnden's land management (131 keeps 0,9, 133 takes 0,1). A moved
  function with shares inside the demo's years, so the restated ledger differs from
  the booked one (131's earlier years are divided) while every year's total stays.

The 2007 reorganisation itself is not in the demo: its register has no unit before 2007
(the departments 1011–1015 that closed then are the reference register's, whose mapping
is tests/fixtures/organisationsmappning/) and its ledger starts in 2022.
"""

from __future__ import annotations

from demo.city import RENAMED, UTF8_BOM

HEADER = "Från kod;Till kod;Andel;Giltig från"
# (Från kod, Till kod, Andel) of the 2019 reorganisation of Kommunstyrelsen's departments.
DEPARTMENTS_2019 = (("1022", "1020", "0,5"), ("1022", "1027", "0,5"), ("1023", "1027", "1"))
# Exploateringsnämnden's outdoor areas to the renamed board: (Från, Till, Andel).
OUTDOOR_AREAS = (("131", "131", "0,9"), ("131", str(RENAMED[0]), "0,1"))


def organisation_mapping(years: tuple[int, ...]) -> bytes:
    """organisationsmappning.csv for a demo of `years` (sorted): the shares of each Från
    kod on each date sum to 1."""
    moved = f"{years[len(years) // 2]}-01-01"  # the renaming's date (demo.city)
    lines = [HEADER]
    lines += [f"{fran};{till};{share};2019-01-01" for fran, till, share in DEPARTMENTS_2019]
    lines += [f"{fran};{till};{share};{moved}" for fran, till, share in OUTDOOR_AREAS]
    return UTF8_BOM + ("\n".join(lines) + "\n").encode("utf-8")

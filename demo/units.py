"""The demo city's register of responsibility units: `ansvar.csv` in the register folder.

The ledger books every line on a unit: the board's code and two digits from the activity
(demo.city._ansvar: 14230 is Servicenämnden's Kontaktcenter, 14201 a board's own
office, where administration and the month-end lines sit). This register names each
unit, valid from its board's creation, and moves one: Kontaktcenter (14230) goes from
Servicenämnden (142) to Kommunstyrelsen (101) on 1 January after the demo's last year, a
reorganisation decided and entered in the register before it takes effect, as a city does
in the autumn. Its whole history then reads on 101 in fct_ledger_units_restated, while
the ledger, which ends before the date, stays as booked (and every other unit of 142
stays on 142).
"""

from __future__ import annotations

from demo.city import BOARDS, UTF8_BOM, _activities

HEADER = "Nämnd;Ansvar;Namn;Giltig från;Giltig till"
OFFICE = "Nämndens kansli"  # unit 01: administration, depreciation, internal interest
MOVED = ("14230", 142, 101)  # (Ansvar, from board, to board)


def units() -> list[tuple[int, str, str]]:
    """(board, Ansvar, Namn) of every unit the demo's ledger can book, by code."""
    found: dict[str, tuple[int, str, str]] = {}
    for board in BOARDS:
        for code, name, _ in _activities(board.code):
            unit = 1 if code % 100 == 0 or code >= 900 else code % 100
            ansvar = f"{board.code * 100 + unit}"
            found.setdefault(ansvar, (board.code, ansvar, OFFICE if unit == 1 else name))
    return [found[code] for code in sorted(found)]


def unit_register(years: tuple[int, ...]) -> bytes:
    """ansvar.csv for a demo of `years` (sorted): one row per unit, two for the moved one."""
    created = {b.code: b.created for b in BOARDS}
    moved_on = f"{years[-1] + 1}-01-01"
    lines = [HEADER]
    for board, ansvar, name in units():
        if ansvar == MOVED[0]:
            lines.append(f"{board};{ansvar};{name};{created[board]};{years[-1]}-12-31")
            lines.append(f"{MOVED[2]};{ansvar};{name};{moved_on};")
        else:
            lines.append(f"{board};{ansvar};{name};{created[board]};")
    return UTF8_BOM + ("\n".join(lines) + "\n").encode("utf-8")

"""Excel's own forms of a cell, named in a rejection with what to change in Excel.

A controller who saves a sheet as CSV without formatting its columns gets Excel's
internal forms: a date as its day number, a date with a time of day, a long number in
scientific notation. The cell rules reject them as any wrong value; this says why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

# How Excel writes a cell it was not told the format of: a date as its day number (days
# since 1899-12-30: 40775 is 2011-08-20; 20000-80000 are 1954-2119), a date with its time
# of day, a long number in scientific notation (its digits beyond the sixth lost).
_EXCEL_DAY_ZERO = dt.date(1899, 12, 30)
_EXCEL_DAY = re.compile(r"[0-9]{5}")
_WITH_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?")
_SCIENTIFIC = re.compile(r"[-\u2212]?[0-9]+(,[0-9]+)?[eE][-+]?[0-9]+")
_NUMBER_KINDS = ("money", "decimal", "integer")


def excel_hint(kind: str | None, values: Iterable[Any]) -> str | None:
    """What to change in Excel when a date or number cell is one of Excel's own forms.

    >>> excel_hint("date", ["40775"])[:62]
    "'40775' is Excel's day number of 2011-08-20: format the column"
    >>> excel_hint("money", ["1,75856E+08"])[:70]
    "'1,75856E+08' is in Excel's scientific notation, which has lost digits"
    >>> excel_hint("money", ["12.345,50"]) is None, excel_hint("date", ["12345"]) is None
    (True, True)
    """
    for value in values:
        text = str(value).strip()
        if kind == "date" and _EXCEL_DAY.fullmatch(text) and 20_000 <= int(text) <= 80_000:
            day = _EXCEL_DAY_ZERO + dt.timedelta(days=int(text))
            return (
                f"'{text}' is Excel's day number of {day.isoformat()}: format the column as "
                "a date (YYYY-MM-DD) before saving as CSV / Excels datumnummer: formatera "
                "kolumnen som datum (ÅÅÅÅ-MM-DD)"
            )
        if kind == "date" and _WITH_TIME.fullmatch(text):
            return (
                f"'{text}' has a time of day: format the column as a date without time "
                "(YYYY-MM-DD) before saving as CSV / datumet har klockslag: formatera "
                "kolumnen som datum utan tid (ÅÅÅÅ-MM-DD)"
            )
        if kind in _NUMBER_KINDS and _SCIENTIFIC.fullmatch(text):
            return (
                f"'{text}' is in Excel's scientific notation, which has lost digits: format "
                "the column as a number (with its decimals) before saving as CSV, and "
                "export again / talet är i Excels exponentform och har tappat siffror: "
                "formatera kolumnen som tal och exportera igen"
            )
    return None

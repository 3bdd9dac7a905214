"""A cell in a form the contract does not take, named with what to change.

The cell rules reject a wrong value as any other; this says why, for the forms a
controller's tools write without being asked:
- Excel, a sheet saved as CSV without formatting its columns: a date as its day number,
  a date with its time of day, a long number in scientific notation;
- a date without its dashes (`20241201`) or in another country's order (`1/12/2024`);
- a number in another convention than the exports' (source-formats.md: decimal comma,
  thousands grouped with a space or not at all): a decimal point (English regional
  settings), thousands grouped with points (`12.345,50`) or commas (`12,345.50`), a
  negative amount in parentheses (Excel's accounting format), the minus sign last (as
  SAP writes it), the currency written out (`1 234,50 kr`, `1 234:-`), a percent sign
  (`87 %`: a response rate's column holds the number).
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
# Dates in the other forms a sheet or a system writes: `20241201`, `1/12/2024`, `01.12.24`.
_COMPACT_DATE = re.compile(r"((?:19|20)[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])")
_DAY_MONTH_YEAR = re.compile(r"[0-9]{1,2}[/.][0-9]{1,2}[/.](?:[0-9]{2}|[0-9]{4})")
_NUMBER_KINDS = ("money", "decimal", "integer")

# A number as the exports write it (values.MONEY_PATTERN, without its cap on decimals):
# digits, thousands grouped with a space, a no-break space or not at all, decimal comma.
_SWEDISH = r"[0-9]+(?:[ \u00a0\u202f][0-9]{3})*(?:,[0-9]+)?"
_MINUS = "[-\u2212]"
_THOUSANDS_POINTS = re.compile(rf"({_MINUS}?)([0-9]{{1,3}}(?:\.[0-9]{{3}})+)(,[0-9]+)?")
_ENGLISH = re.compile(rf"({_MINUS}?)([0-9]{{1,3}}(?:,[0-9]{{3}})+)(\.[0-9]+)?")
_DECIMAL_POINT = re.compile(rf"({_MINUS}?)([0-9]+)\.([0-9]+)")
_PARENTHESES = re.compile(rf"\(\s*({_SWEDISH})\s*\)")
_MINUS_LAST = re.compile(rf"({_SWEDISH})\s*{_MINUS}")
_PERCENT = re.compile(rf"({_MINUS}?{_SWEDISH})\s*%")
_CURRENCY = re.compile(
    rf"(?:(?:SEK|kr)\.?\s*)?({_MINUS}?\s*{_SWEDISH})(?:\s*(?:SEK|kr\.?|:-))?", re.IGNORECASE
)


def cell_hint(kind: str | None, values: Iterable[Any]) -> str | None:
    """What to change when a date or number cell is in one of the forms above.

    >>> cell_hint("date", ["40775"])[:62]
    "'40775' is Excel's day number of 2011-08-20: format the column"
    >>> cell_hint("money", ["1,75856E+08"])[:70]
    "'1,75856E+08' is in Excel's scientific notation, which has lost digits"
    >>> cell_hint("date", ["12345"]) is None, cell_hint("money", ["12,345"]) is None
    (True, True)
    >>> cell_hint("date", ["20241201"])[:60]
    "'20241201' is a date without its dashes: write 2024-12-01 (Y"
    >>> cell_hint("date", ["1/12/2024"])[:49], cell_hint("date", ["01.12.24"])[:32]
    ("'1/12/2024' is a date in another country's order:", "'01.12.24' is a date in another ")
    """
    for value in values:
        text = str(value).strip()
        if kind == "date":
            hint = _date_hint(text)
        elif kind in _NUMBER_KINDS:
            hint = _number_hint(kind, text)
        else:
            hint = None
        if hint:
            return hint
    return None


def _date_hint(text: str) -> str | None:
    if _EXCEL_DAY.fullmatch(text) and 20_000 <= int(text) <= 80_000:
        day = _EXCEL_DAY_ZERO + dt.timedelta(days=int(text))
        return (
            f"'{text}' is Excel's day number of {day.isoformat()}: format the column as "
            "a date (YYYY-MM-DD) before saving as CSV / Excels datumnummer: formatera "
            "kolumnen som datum (ÅÅÅÅ-MM-DD)"
        )
    compact = _COMPACT_DATE.fullmatch(text)
    if compact:
        written = "-".join(compact.groups())
        return (
            f"'{text}' is a date without its dashes: write {written} (YYYY-MM-DD) / datumet "
            f"saknar bindestreck: skriv {written} (ÅÅÅÅ-MM-DD)"
        )
    if _DAY_MONTH_YEAR.fullmatch(text):
        return (
            f"'{text}' is a date in another country's order: format the column as a date "
            "written YYYY-MM-DD (Excel: Format Cells, Custom yyyy-mm-dd) before saving as "
            "CSV / datumet är skrivet i ett annat lands ordning: formatera kolumnen som "
            "ÅÅÅÅ-MM-DD"
        )
    if _WITH_TIME.fullmatch(text):
        return (
            f"'{text}' has a time of day: format the column as a date without time "
            "(YYYY-MM-DD) before saving as CSV / datumet har klockslag: formatera "
            "kolumnen som datum utan tid (ÅÅÅÅ-MM-DD)"
        )
    return None


def _number_hint(kind: str, text: str) -> str | None:
    """The number forms of the module's docstring, each with the value as the exports
    would write it.

    >>> print(_number_hint("money", "1234.50"))  # doctest: +ELLIPSIS
    '1234.50' has a decimal point: the exports write a decimal comma, 1234,50 ...
    >>> for text in ["12.345,50", "12,345.50", "(1 234,50)", "1234,50-", "1 234 kr", "55:-"]:
    ...     print(_number_hint("money", text).split(" / ")[0])  # doctest: +ELLIPSIS
    '12.345,50' has points between its thousands: write 12345,50 (or 12 345,50)
    '12,345.50' is written in English: write 12345,50
    '(1 234,50)' is Excel's accounting form of a negative amount: write -1 234,50 ...
    '1234,50-' has its minus sign last: write -1234,50
    '1 234 kr' has its currency written out: write 1 234 ...
    '55:-' has its currency written out: write 55 ...
    >>> _number_hint("decimal", "87,5 %").split(" / ")[0]
    "'87,5 %' has a percent sign: write the number alone, 87,5"
    >>> _number_hint("money", "1.234").split(":")[0], _number_hint("decimal", "1.234")[:25]
    ("'1.234' has points between its thousands", "'1.234' has a decimal poi")
    >>> [_number_hint(k, t) for k, t in [("money", "12,345"), ("integer", "1.5"), ("money", "x")]]
    [None, None, None]
    """
    if _SCIENTIFIC.fullmatch(text):
        return (
            f"'{text}' is in Excel's scientific notation, which has lost digits: format "
            "the column as a number (with its decimals) before saving as CSV, and "
            "export again / talet är i Excels exponentform och har tappat siffror: "
            "formatera kolumnen som tal och exportera igen"
        )
    points = _THOUSANDS_POINTS.fullmatch(text)
    # `1.234`: a thousand in an amount or a count (exact öre have two decimals at most),
    # but 1.234 hours or full-time equivalents.
    if points and (points[3] or kind != "decimal"):
        plain = points[1] + points[2].replace(".", "") + (points[3] or "")
        spaced = points[1] + points[2].replace(".", " ") + (points[3] or "")
        return (
            f"'{text}' has points between its thousands: write {plain} (or {spaced}) / "
            f"tusentalen är avgränsade med punkt: skriv {plain} (eller {spaced})"
        )
    english = _ENGLISH.fullmatch(text)
    if english and english[3]:
        plain = english[1] + english[2].replace(",", "") + english[3].replace(".", ",")
        return (
            f"'{text}' is written in English: write {plain} / talet är skrivet på "
            f"engelska: skriv {plain}"
        )
    point = _DECIMAL_POINT.fullmatch(text)
    if point and kind != "integer":
        plain = f"{point[1]}{point[2]},{point[3]}"
        return (
            f"'{text}' has a decimal point: the exports write a decimal comma, {plain} "
            "(save the CSV with Swedish regional settings) / talet har decimalpunkt: "
            f"skriv decimalkomma, {plain} (spara CSV-filen med svenska inställningar)"
        )
    parentheses = _PARENTHESES.fullmatch(text)
    if parentheses:
        return (
            f"'{text}' is Excel's accounting form of a negative amount: write "
            f"-{parentheses[1]} (format the column as a number) / parentesen är "
            f"bokföringsformatet för ett negativt belopp: skriv -{parentheses[1]}"
        )
    last = _MINUS_LAST.fullmatch(text)
    if last:
        return (
            f"'{text}' has its minus sign last: write -{last[1]} / minustecknet står "
            f"sist: skriv -{last[1]}"
        )
    percent = _PERCENT.fullmatch(text)
    if percent:
        return (
            f"'{text}' has a percent sign: write the number alone, {percent[1]} / talet "
            f"har procenttecken: skriv bara talet, {percent[1]}"
        )
    currency = _CURRENCY.fullmatch(text)
    if currency and currency[0] != currency[1]:
        plain = re.sub(rf"^({_MINUS})\s+", r"\1", currency[1])
        return (
            f"'{text}' has its currency written out: write {plain} (format the column as "
            "a number without currency) / beloppet har valutan utskriven: skriv "
            f"{plain} (formatera kolumnen som tal utan valuta)"
        )
    return None

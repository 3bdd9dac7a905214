"""Figures written the way the boards' reports write them: Swedish, decimal commas.

A report prints mnkr and percentages with one decimal, a decimal comma, a space between
thousands and a real minus sign (U+2212, as typeset Swedish does; `-` is a hyphen).
The marts round (half away from zero, from exact kronor or hours); these functions only
write what they are given, so a figure in the HTML, the PDF and the workbook is the same.
"""

from __future__ import annotations

from decimal import Decimal

MINUS = "\u2212"
THIN_SPACE = "\u00a0"  # no-break space between thousands: a figure never wraps
SUPPRESSED = "–"  # an en dash where a group is too small to publish (footnote says why)
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def number(value: Decimal | int | float | None, decimals: int = 1) -> str:
    """A figure as the report prints it; empty for none.

    >>> number(Decimal("-13.3")), number(Decimal("102.2")), number(Decimal("0.0"))
    ('−13,3', '102,2', '0,0')
    >>> number(4300, 0), number(Decimal("233.5")), number(None)
    ('4\\xa0300', '233,5', '')
    >>> number(Decimal("-0.04"))  # never "−0,0": rounded to zero it has no sign
    '0,0'
    """
    if value is None:
        return ""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals)) if decimals else value
    text = f"{abs(Decimal(rounded)):,.{decimals}f}"
    text = text.replace(",", THIN_SPACE).replace(".", ",")
    negative = Decimal(rounded) < 0 and any(c not in "0,\xa0" for c in text)
    return f"{MINUS}{text}" if negative else text


def month_name(period: int) -> str:
    """`201108` → `augusti`."""
    return MONTHS[period % 100 - 1]


def month_label(period: int) -> str:
    """`201108` → `augusti 2011`."""
    return f"{month_name(period)} {period // 100}"

"""Sentences the figures already say, written from them, never typed.

A board's report explains each activity's forecast in the same few words every time:
surplus or deficit, and whether costs or revenues make it. Those words are generated
here from the budget follow-up's deviations (mnkr, one decimal, favourable positive:
lower costs and higher revenues are positive), so they always agree with the table; the
board's own analysis (kommentarer) is printed beside them, not replaced.

Thresholds: a deviation that rounds to 0,0 mnkr is "enligt budget" (a report prints one
decimal, so a smaller one cannot be read off the table); a part is named as the cause of
a surplus when it is favourable, of a deficit when it is unfavourable; the other part,
when it pulls the other way, is named as what partly offsets it.
"""

from __future__ import annotations

from decimal import Decimal

from warehouse.report.swedish import number

ZERO = Decimal("0.0")


def _size(value: Decimal) -> str:
    return f"{number(abs(value))} mnkr"


def _part(kind: str, deviation: Decimal) -> str:
    """`lägre kostnader (1,1 mnkr)`: a part and its deviation (favourable positive)."""
    if kind == "Kostnader":
        word = "lägre kostnader" if deviation > 0 else "högre kostnader"
    else:
        word = "högre intäkter" if deviation > 0 else "lägre intäkter"
    return f"{word} ({_size(deviation)})"


def deviation_sentence(net: Decimal, costs: Decimal | None, revenues: Decimal | None) -> str:
    """What an activity's forecast deviation says, in the report's words.

    >>> D, say = Decimal, deviation_sentence
    >>> print(say(D("0.5"), D("0.5"), D("0.0")))  # doctest: +NORMALIZE_WHITESPACE
    Verksamheten prognostiserar ett nettoöverskott om 0,5 mnkr. Överskottet avser lägre
    kostnader (0,5 mnkr); intäkterna prognostiseras enligt budget.
    >>> print(say(D("-0.5"), D("1.1"), D("-1.6")))  # doctest: +NORMALIZE_WHITESPACE
    Verksamheten prognostiserar ett nettounderskott om 0,5 mnkr. Underskottet avser lägre
    intäkter (1,6 mnkr), delvis uppvägt av lägre kostnader (1,1 mnkr).
    >>> say(D("0.0"), D("0.0"), None)
    'Verksamheten prognostiserar ett resultat enligt budget.'
    >>> say(D("0.1"), D("0.0"), D("0.0")).split(". ")[1]
    'Överskottet består av avvikelser under 0,1 mnkr i varje del.'
    >>> print(say(D("0.1"), D("0.1"), None))  # doctest: +NORMALIZE_WHITESPACE
    Verksamheten prognostiserar ett nettoöverskott om 0,1 mnkr. Överskottet avser lägre
    kostnader (0,1 mnkr).
    >>> print(say(D("-2.6"), D("-2.6"), D("0.0")))  # doctest: +NORMALIZE_WHITESPACE
    Verksamheten prognostiserar ett nettounderskott om 2,6 mnkr. Underskottet avser högre
    kostnader (2,6 mnkr); intäkterna prognostiseras enligt budget.
    """
    # A part the activity has no rows of (depreciation has no revenues) is not named.
    parts = {k: v for k, v in (("Kostnader", costs), ("Intäkter", revenues)) if v is not None}
    if net == ZERO:
        moving = [_part(k, v) for k, v in parts.items() if v != ZERO]
        if not moving:
            return "Verksamheten prognostiserar ett resultat enligt budget."
        return (
            "Verksamheten prognostiserar ett resultat enligt budget: "
            + " och ".join(moving)
            + " tar ut varandra."
        )
    surplus = net > 0
    opening = (
        f"Verksamheten prognostiserar ett {'nettoöverskott' if surplus else 'nettounderskott'} "
        f"om {_size(net)}."
    )
    causes = [k for k, v in parts.items() if v != ZERO and (v > 0) == surplus]
    offsets = [k for k, v in parts.items() if v != ZERO and (v > 0) != surplus]
    even = [k for k, v in parts.items() if v == ZERO]
    what = "Överskottet" if surplus else "Underskottet"
    if not causes:  # each part rounds to 0,0 while their sum does not
        return f"{opening} {what} består av avvikelser under 0,1 mnkr i varje del."
    sentence = f"{what} avser " + " och ".join(_part(k, parts[k]) for k in causes)
    if offsets:
        sentence += ", delvis uppvägt av " + " och ".join(_part(k, parts[k]) for k in offsets)
    for kind in even:
        sentence += f"; {'kostnaderna' if kind == 'Kostnader' else 'intäkterna'} "
        sentence += "prognostiseras enligt budget"
    return f"{opening} {sentence}."

"""The expectation suites a `prognos` export must pass before it enters the event log."""

from __future__ import annotations

import re

import great_expectations as gx

from sources._common.batch import ParsedBatch, Reference, for_validation
from sources._common.rules import (
    NAMND_VERKSAMHET,
    cell_expectations,
    cell_values,
    known_namnd,
    known_verksamhet,
    structure_suite,
    unique_rows,
    valid_in_period,
)
from sources._common.source import Suite
from sources._common.validation import matches, rule
from sources._common.values import FIRST_YEAR, LAST_YEAR, SLAG
from sources.prognos.contract import CONTRACT

E = gx.expectations

# T1/T2 at the tertial reports, M01..M12 for an optional monthly forecast.
PROGNOSTILLFALLE_PATTERN = r"^(?:T1|T2|M(?:0[1-9]|1[0-2]))$"
# `prognos_<YYYY>_<T1|T2|M<mm>>.csv`, a correction maybe with a suffix (`_rattelse`).
FILE_NAME = re.compile(r"prognos_([0-9]{4})_(t1|t2|m0[1-9]|m1[0-2])(?:[_.-]|$)")


def suites(parsed: ParsedBatch, reference: Reference) -> list[Suite]:
    """Structure, then every cell, then one row per forecast line."""
    typed = parsed.rows
    in_period, in_period_rules = valid_in_period(
        reference, typed, when="ar", grain="year", verksamhet=True
    )
    cells = for_validation(
        parsed,
        ar_int=typed["ar"],
        prognos_kr=typed["prognos"],
        **NAMND_VERKSAMHET,
        **cell_values(CONTRACT, parsed),
        **in_period,
    )
    content = [
        *cell_expectations(CONTRACT, parsed),
        matches(
            "prognostillfalle", PROGNOSTILLFALLE_PATTERN, "Prognostillfälle is T1, T2 or M01..M12"
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="slag", value_set=SLAG),
            "Slag is Kostnader, Intäkter or Investering",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(
                column="ar_int", min_value=FIRST_YEAR, max_value=LAST_YEAR
            ),
            f"År is a year between {FIRST_YEAR} and {LAST_YEAR}",
        ),
        rule(
            E.ExpectColumnValuesToBeBetween(column="prognos_kr", min_value=0),
            "Prognos is not negative (expected full-year kronor, positive for "
            "Kostnader, Intäkter and Investering)",
        ),
        *_file_name_matches(parsed),
        *known_namnd(reference),
        *known_verksamhet(reference),
        *in_period_rules,
        *unique_rows(CONTRACT, "ar", "prognostillfalle", "namnd", "verksamhet", "slag"),
    ]
    return [structure_suite(CONTRACT, parsed, cells), ("content", cells, content)]


def _file_name_matches(parsed: ParsedBatch) -> list:
    """A file named `prognos_2011_T2.csv` holds the T2 forecast of 2011 (when so named).

    A T1 file that says T2 inside is a mislabelled export: loaded, it would replace the
    wrong occasion's forecast.
    """
    found = FILE_NAME.match(parsed.file_name.lower())
    if not found:
        return []
    year, occasion = int(found.group(1)), found.group(2).upper()
    return [
        rule(
            # On the typed year, after the 2000..2100 range rule (GX groups by column).
            E.ExpectColumnValuesToBeInSet(column="ar_int", value_set=[year]),
            f"År is the year in the file name ({parsed.file_name} says {year})",
        ),
        rule(
            E.ExpectColumnValuesToBeInSet(column="prognostillfalle", value_set=[occasion]),
            f"Prognostillfälle is the one in the file name ({parsed.file_name} says {occasion})",
        ),
    ]

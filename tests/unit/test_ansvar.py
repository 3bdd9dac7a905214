"""The `ansvar` source: the register of responsibility units loads as one key (the whole
register), and a register dim_ansvar could not use is refused by its rule, naming the
unit, the lines and the dates."""

from __future__ import annotations

import datetime as dt

import pytest

from sources._common.batch import Reference
from sources.ansvar import SOURCE
from sources.registry import source_for

# 137 was merged into 101 on 2011-01-01 (its units end by 2010-12-31).
REFERENCE = Reference(
    namnd_codes=frozenset({"101", "137", "142"}),
    namnd_ends={"137": (dt.date(2011, 1, 1), "Sammanslagen")},
)
HEADER = "Nämnd;Ansvar;Namn;Giltig från;Giltig till\n"
MOVED = (
    "142;14210;Lönecenter;2007-01-01;2011-02-28\n"
    "101;14210;Lönecenter;2011-03-01;\n"
    "142;14230;Kontaktcenter;2007-01-01;\n"
)


def failures(lines: str, header: str = HEADER) -> list[str]:
    parsed = SOURCE.parse((header + lines).encode("utf-8"), "ansvar.csv", {})
    return [f.summary() for o in SOURCE.check(parsed, REFERENCE) for f in o.failures]


def test_a_register_loads_as_one_key_and_a_unit_may_move_board() -> None:
    assert source_for("Ansvar_2011.CSV") is SOURCE
    batch = SOURCE.parse((HEADER + MOVED).encode("utf-8"), "ansvar.csv", {})
    assert SOURCE.supersession_keys(batch).rows() == [("ansvar", "*", 3)]
    assert failures(MOVED) == []
    # Giltig till is optional as a column too; 137's unit ends the day before 137 does.
    assert failures("142;14230;Kontaktcenter;2007-01-01\n", "Nämnd;Ansvar;Namn;Giltig från\n") == []
    assert failures("137;13710;Stab;2007-01-01;2010-12-31\n") == []


def test_overlapping_validities_of_one_unit_are_refused_naming_both_lines() -> None:
    # Line 3 starts 2011-02-01, inside line 2's validity (to 2011-02-28).
    [found] = failures(MOVED.replace("2011-03-01", "2011-02-01"))
    assert found.startswith("the validities of one Ansvar do not overlap")
    assert "Ansvar 14210: line 3 from 2011-02-01 overlaps line 2 (2007-01-01 – 2011-02-28)" in found
    # An open row before a later one overlaps it too.
    [found] = failures(MOVED.replace("2011-02-28", ""))
    assert "line 3 from 2011-03-01 overlaps line 2 (2007-01-01 – …)" in found


@pytest.mark.parametrize(
    ("lines", "rule"),
    [
        (MOVED.replace("101;", "999;"), "Nämnd is a code of the organisation register"),
        ("137;13710;Stab;2007-01-01;\n", "Nämnd exists for the whole validity"),
        ("137;13710;Stab;2011-01-01;2011-12-31\n", "Nämnd exists for the whole validity"),
        (MOVED.replace("2011-02-28", "2006-12-31"), "Giltig till is on or after Giltig från"),
        (MOVED.replace("2011-03-01", "2011-02-30"), "Giltig från is a real calendar date"),
        (MOVED + "142;14230;Kontaktcenter 2;2007-01-01;\n", "one row per Ansvar, Giltig från"),
        (MOVED.replace("Kontaktcenter", "Anna 19121212-1212"), "no personnummer-like value"),
        (MOVED.replace(";Lönecenter;2007", ";;2007"), "Namn is filled"),
    ],
)
def test_a_register_dim_ansvar_cannot_use_is_refused_by_its_rule(lines: str, rule: str) -> None:
    found = failures(lines)
    assert found and any(f.startswith(rule) for f in found), found

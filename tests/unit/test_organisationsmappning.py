"""The `organisationsmappning` source: the reference register's 2007 shares load as one key
(the whole mapping), and a mapping the restatement could not use is refused by its rule,
the shares that do not sum to 1 named by code, date, lines and sum."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sources._common.batch import Reference
from sources.organisationsmappning import SOURCE
from sources.registry import source_for
from tests.conftest import ORGANISATIONSMAPPNING

REFERENCE = Reference(namnd_codes=frozenset({"1012", "1022", "1023", "131", "133"}))
HEADER = "Från kod;Till kod;Andel;Giltig från\n"
SPLIT = "1012;1022;0,6;2007-01-01\n1012;1023;0,4;2007-01-01\n"


def failures(lines: str) -> list[str]:
    parsed = SOURCE.parse((HEADER + lines).encode("utf-8"), "organisationsmappning.csv", {})
    return [f.summary() for o in SOURCE.check(parsed, REFERENCE) for f in o.failures]


def test_the_reference_shares_load_as_one_key_and_the_register_keeps_its_name() -> None:
    assert source_for("Organisationsmappning_2007.CSV") is SOURCE
    assert source_for("organisation.csv").name == "organisation"
    assert source_for("organisation_namn.csv").name == "organisation"
    batch = SOURCE.parse(ORGANISATIONSMAPPNING.read_bytes(), ORGANISATIONSMAPPNING.name, {})
    assert batch.rows["andel"].sum() == Decimal("5")  # five codes, each divided whole
    # A delivery is the whole mapping: one key, which the next delivery replaces.
    assert SOURCE.supersession_keys(batch).rows() == [("organisationsmappning", "*", 7)]
    known = Reference(namnd_codes=frozenset(batch.rows["fran_kod"]) | set(batch.rows["till_kod"]))
    assert [f.summary() for o in SOURCE.check(batch, known) for f in o.failures] == []


def test_exact_shares_pass_where_a_float_would_not() -> None:
    # 0,1 + 0,2 + 0,7: a float sum is 0.9999999999999999; in Decimal it is 1.
    assert (
        failures("131;131;0,1;2023-01-01\n131;133;0,2;2023-01-01\n131;1022;0,7;2023-01-01\n") == []
    )
    assert failures(SPLIT + "131;131;1;2023-01-01\n") == []


def test_shares_that_do_not_sum_to_1_are_refused_naming_code_date_lines_and_sum() -> None:
    # 1012's shares 0,6 + 0,3 = 0,9 on lines 2 and 3; 131's 1 alone is fine.
    [found] = failures(SPLIT.replace("0,4", "0,3") + "131;133;1;2023-01-01\n")
    assert found.startswith("the shares of one Från kod on one Giltig från sum to exactly 1")
    assert "Från kod 1012 Giltig från 2007-01-01: Σ Andel on lines 2, 3 is 0,9000, not 1" in found
    # Three thirds of 0,3333 are 0,9999: refused too (the last must be 0,3334).
    [found] = failures(
        "131;131;0,3333;2023-01-01\n131;133;0,3333;2023-01-01\n131;1022;0,3333;2023-01-01\n"
    )
    assert "Σ Andel on lines 2, 3, 4 is 0,9999, not 1" in found
    # The same code on two dates: each date's shares are summed on their own.
    [found] = failures(SPLIT + "1012;1022;0,5;2019-01-01\n")
    assert "Från kod 1012 Giltig från 2019-01-01: Σ Andel on lines 4 is 0,5000" in found


@pytest.mark.parametrize(
    ("lines", "rule"),
    [
        (SPLIT.replace("1023", "999"), "Till kod is a code of the organisation register"),
        (SPLIT.replace("1012", "998"), "Från kod is a code of the organisation register"),
        (SPLIT.replace("0,6", "0,60001"), "Andel is a share between 0 and 1"),
        (SPLIT.replace("0,4", "1,4"), "Andel is above 0 and at most 1"),
        ("131;133;0;2023-01-01\n131;131;1;2023-01-01\n", "Andel is above 0 and at most 1"),
        (SPLIT.replace("2007-01-01", "2007-02-30"), "Giltig från is a real calendar date"),
        (SPLIT + SPLIT, "one row per Från kod, Till kod, Giltig från"),
        (SPLIT.replace("1023", "19121212-1212"), "no personnummer-like value"),
    ],
)
def test_a_mapping_the_restatement_cannot_use_is_refused_by_its_rule(lines: str, rule: str) -> None:
    found = failures(lines)
    assert found and any(f.startswith(rule) for f in found), found

"""The `resultatfond` source: Servicenämnden 2011's fund decisions load, each decision is
its own key, and a decision the fund follow-up could not count is refused by its rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sources._common.batch import Reference
from sources.registry import source_for
from sources.resultatfond import SOURCE
from tests.conftest import RESULTATFOND

REFERENCE = Reference(namnd_codes=frozenset({"142"}))
HEADER = "Nämnd;År;Ingående resultatfond;Beslut;Belopp;Beslutsdatum;Beslut-id\n"
GOOD = "142;2011;7 600 000,00;disposition;2 000 000,00;2011-03-16;SN-2011-RF-1\n"


def parsed(lines: str, name: str = "resultatfond_2011.csv"):
    return SOURCE.parse((HEADER + lines).encode("utf-8"), name, {})


def failures(lines: str, name: str = "resultatfond_2011.csv") -> list[str]:
    return [f.rule for o in SOURCE.check(parsed(lines, name), REFERENCE) for f in o.failures]


def test_the_reference_funds_load_one_key_per_decision() -> None:
    assert source_for("Resultatfond_2011.CSV") is SOURCE
    batch = SOURCE.parse(RESULTATFOND.read_bytes(), RESULTATFOND.name, {})
    assert batch.rows["belopp"].to_list() == [Decimal("2000000.00"), Decimal("5600000.00")]
    assert set(batch.rows["ingaende_resultatfond"]) == {Decimal("7600000.00")}
    # Two decisions, two keys: a re-delivered decision replaces itself only.
    keys = SOURCE.supersession_keys(batch)
    assert keys.rows() == [
        ("resultatfond", "142|2011|SN-2011-RF-1", 1),
        ("resultatfond", "142|2011|SN-2011-RF-2", 1),
    ]
    assert [f.summary() for o in SOURCE.check(batch, REFERENCE) for f in o.failures] == []


def test_the_kind_in_any_case_passes() -> None:
    assert failures(GOOD.replace("disposition", "Disposition")) == []
    assert failures(GOOD.replace("disposition", "ÖVERFÖRING")) == []


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (GOOD.replace("142;", "999;", 1), "Nämnd"),
        (GOOD.replace("disposition", "uttag"), "Beslut is a kind of decision"),
        (GOOD.replace("2 000 000,00", "2 000 000,005"), "Belopp"),
        (GOOD.replace("2 000 000,00", "-2 000 000,00"), "Belopp is not negative"),
        (GOOD.replace("7 600 000,00", "-1,00"), "Ingående resultatfond is not negative"),
        (GOOD.replace("2011-03-16", "2011-02-30"), "Beslutsdatum"),
        (GOOD + GOOD.replace("disposition", "överföring"), "one row per Beslut-id"),
        (GOOD.replace("142;2011;", "142;2012;"), "År is the year in the file name"),
        (GOOD.replace("SN-2011-RF-1", "19121212-1212"), "no personnummer-like value"),
    ],
)
def test_a_decision_the_funds_cannot_count_is_refused_by_its_rule(line: str, rule: str) -> None:
    found = failures(line)
    assert found and found[0].startswith(rule), found


def test_a_board_ended_before_the_year_is_refused() -> None:
    ended = Reference(
        namnd_codes=frozenset({"142"}), namnd_ends={"142": (dt.date(2011, 1, 1), "Nedlagd")}
    )
    found = [f.rule for o in SOURCE.check(parsed(GOOD), ended) for f in o.failures]
    assert found and found[0].startswith("Nämnd is a board that exists in the period"), found

"""The rules of retractions and as-of moments, as pure functions (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from warehouse.asof import AsOfError, Cut, parse_as_of
from warehouse.lineage import delivery_status
from warehouse.retractions import refusal, resolve

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("chain_length", "retracted"),
    [(0, False), (1, True), (2, False), (3, True), (4, False), (7, True)],
)
def test_a_batch_is_out_when_the_chain_of_retractions_above_it_is_odd(
    chain_length: int, retracted: bool
) -> None:
    # batch 1 <- 10 <- 11 <- ...: each retraction retracts the one before.
    pairs = [(10 + n, 1 if n == 0 else 9 + n) for n in range(chain_length)]
    resolution = resolve(pairs)
    assert resolution.is_retracted(1) is retracted
    # The top of the chain is always effective, and effectiveness alternates down it.
    for n in range(chain_length):
        assert ((10 + n) in resolution.effective) is ((chain_length - n) % 2 == 1)


def test_two_retractions_of_one_batch_both_have_to_be_undone() -> None:
    # 2 <- 13 <- 14 (13 undone), 2 <- 15 (out again), 14 <- 16 (13 back in force).
    resolution = resolve([(13, 2), (14, 13), (15, 2), (16, 14)])
    assert resolution.effective == {13, 15, 16}
    assert resolution.retracted_by[2] == (13, 15)
    # Undoing 15 alone leaves 2 out: 13 still holds.
    assert resolve([(13, 2), (14, 13), (15, 2), (16, 14), (17, 15)]).is_retracted(2)


def test_a_retraction_must_target_an_earlier_event() -> None:
    with pytest.raises(ValueError, match="not an earlier event"):
        resolve([(5, 5)])


def test_what_may_be_retracted() -> None:
    status = {1: "accepted", 2: "rejected", 3: "accepted"}
    assert refusal(1, status, []) is None
    assert "no batch or retraction" in (refusal(99, status, []) or "")
    assert "never counted" in (refusal(2, status, []) or "")
    assert "already retracted by retraction 4" in (refusal(1, status, [(4, 1)]) or "")
    # Once the retraction is itself retracted, the batch is back and may be retracted.
    assert refusal(1, status, [(4, 1), (5, 4)]) is None
    assert refusal(4, status, [(4, 1)]) is None  # retracting the retraction restores 1


def test_as_of_moments() -> None:
    # Stockholm is UTC+2 in September (summer time), UTC+1 in January.
    assert parse_as_of("2011-09-15T10:00:00") == dt.datetime(2011, 9, 15, 8, tzinfo=dt.UTC)
    assert parse_as_of("2011-01-15 10:00") == dt.datetime(2011, 1, 15, 9, tzinfo=dt.UTC)
    assert parse_as_of("2011-09-15T10:00:00+00:00") == dt.datetime(2011, 9, 15, 10, tzinfo=dt.UTC)
    for bad in ("yesterday", "2011-13-01", "15/9 2011", ""):
        with pytest.raises(AsOfError, match="is not a moment"):
            parse_as_of(bad)


def test_a_cut_names_its_build_by_the_newest_event_it_sees() -> None:
    seen = dt.datetime(2011, 9, 14, 7, 30, 0, 123456, tzinfo=dt.UTC)
    cut = Cut(dt.datetime(2011, 9, 15, 8, tzinfo=dt.UTC), 42, seen)
    assert cut.name == "20110914T073000123456Z-42"
    assert cut.dbt_var() == "2011-09-14T07:30:00.123456+00:00"
    empty = Cut(dt.datetime(2011, 9, 15, 8, tzinfo=dt.UTC), 0, None)
    assert empty.dbt_var() == "2011-09-15T08:00:00.000000+00:00"


def test_delivery_status_of_a_key() -> None:
    assert delivery_status([3, 7], {}) == {3: "superseded by 7", 7: "current"}
    # The correction retracted: the first delivery is current again.
    assert delivery_status([3, 7], {9: (7, "fel fil", None)}) == {
        3: "current",
        7: "retracted by 9: fel fil",
    }
    # The only delivery retracted: nothing is current.
    assert delivery_status([3], {9: (3, "dubblett", None)}) == {3: "retracted by 9: dubblett"}

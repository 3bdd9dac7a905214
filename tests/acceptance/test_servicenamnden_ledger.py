"""Servicenämnden's T2 2011 report, ledger columns: the warehouse gives back expected.md.

The expected figures below are typed from `../shared/reference/servicenamnden-2011/
expected.md` ("Bokfört t.o.m. augusti" and "Bokslut 2010", mnkr with one decimal); the
code under test only ever sees the export files.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tertial.cli import main
from tests.conftest import ingested
from warehouse.publish import connect_published
from warehouse.settings import Paths

pytestmark = [pytest.mark.acceptance, pytest.mark.slow]  # builds a home: `make test-fast` skips it

# (verksamhet, slag) -> (Bokfört t.o.m. augusti 2011, Bokslut 2010), mnkr. 230 includes 231.
EXPECTED = {
    ("100", "Kostnader"): ("18.4", "23.9"),
    ("210", "Kostnader"): ("23.2", "36.2"),
    ("220", "Kostnader"): ("5.3", "6.3"),
    ("230", "Kostnader"): ("20.9", "28.2"),
    ("231", "Kostnader"): ("7.1", "15.4"),
    ("240", "Kostnader"): ("27.2", "41.6"),
    ("250", "Kostnader"): ("6.6", "10.2"),
    ("900", "Kostnader"): ("0.5", "0.7"),
    ("910", "Kostnader"): ("0.1", "0.2"),
    ("210", "Intäkter"): ("29.5", "47.1"),
    ("220", "Intäkter"): ("6.6", "7.1"),
    ("230", "Intäkter"): ("25.1", "15.1"),
    ("231", "Intäkter"): ("11.1", "0.0"),
    ("240", "Intäkter"): ("34.7", "53.8"),
    ("250", "Intäkter"): ("8.9", "10.9"),
}
SUMS = {"Kostnader": ("102.2", "147.3"), "Intäkter": ("104.8", "134.0")}
NET_RESULT = ("2.6", "-13.3")  # Nettoresultat = Intäkter − Kostnader

# Booked amounts per activity and slag, positive as in the report, from the marts.
BOOKED_SQL = """
select f.verksamhet_code, v.parent_verksamhet_code, k.followup_slag,
       sum(f.amount * k.followup_sign) as booked
from fct_ledger as f
join dim_verksamhet as v using (verksamhet_key)
join dim_konto as k using (konto_key)
where f.namnd_code = '142' and k.followup_slag in ('Kostnader', 'Intäkter')
  and f.period between ? and ?
group by all
"""


def mnkr(kronor: Decimal) -> Decimal:
    """Kronor to mnkr with one decimal, rounded half away from zero as the report does."""
    return (kronor / Decimal(1_000_000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def booked(home: Paths, first: int, last: int) -> dict[tuple[str, str], Decimal]:
    """Exact kronor per (verksamhet, slag); a parent includes its children (varav lines)."""
    with connect_published(home.published) as con:
        rows = con.execute(BOOKED_SQL, [first, last]).fetchall()
    result: dict[tuple[str, str], Decimal] = {}
    for verksamhet, parent, slag, amount in rows:
        for code in (verksamhet, parent):
            if code is not None:
                result[(code, slag)] = result.get((code, slag), Decimal(0)) + amount
    return result


def totals(amounts: dict[tuple[str, str], Decimal], slag: str, parents: set[str]) -> Decimal:
    """The report's sum row: exact top-level amounts summed, then rounded."""
    return sum((a for (code, s), a in amounts.items() if s == slag and code in parents), Decimal(0))


@pytest.fixture(scope="module")
def loaded(servicenamnden_2011: Paths) -> dict:
    """The session's reference home (every file loaded in name order, built, published):
    its ledger and register files' outcomes and the booked amounts of both windows.

    The figure before leverans2 (27,1) is the warehouse's answer as of a moment between
    the two deliveries: tests/integration/test_event_sourcing.py loads in the order that
    makes such a moment hold every other month, and checks it there.
    """
    ledger = {"organisation.csv", "verksamheter.csv"}
    return {
        "home": servicenamnden_2011,
        "results": [
            r
            for r in ingested(servicenamnden_2011)
            if r["file"] in ledger or r["file"].startswith("huvudbok_")
        ],
        "ytd": booked(servicenamnden_2011, 201101, 201108),
        "year_2010": booked(servicenamnden_2011, 201001, 201012),
    }


def test_deliveries_duplicate_and_all_accepted(loaded: dict) -> None:
    status = {r["file"]: r["status"] for r in loaded["results"]}
    assert status.pop("huvudbok_201103_kopia.csv") == "duplicate"
    assert set(status.values()) == {"accepted"}
    assert len(status) == 23  # 2 registers + 21 distinct ledger files (12 of 2010, 9 of 2011)


@pytest.mark.parametrize(("key", "figures"), EXPECTED.items(), ids=lambda v: str(v))
def test_booked_per_verksamhet(loaded: dict, key: tuple[str, str], figures) -> None:
    ytd, year_2010 = figures
    assert mnkr(loaded["ytd"].get(key, Decimal(0))) == Decimal(ytd)
    assert mnkr(loaded["year_2010"].get(key, Decimal(0))) == Decimal(year_2010)


def test_sum_rows_and_net_result(loaded: dict) -> None:
    top_level = {"100", "210", "220", "230", "240", "250", "900", "910"}
    for slag, (ytd, year_2010) in SUMS.items():
        assert mnkr(totals(loaded["ytd"], slag, top_level)) == Decimal(ytd)
        assert mnkr(totals(loaded["year_2010"], slag, top_level)) == Decimal(year_2010)
    for window, expected in zip(("ytd", "year_2010"), NET_RESULT, strict=True):
        amounts = loaded[window]
        net = totals(amounts, "Intäkter", top_level) - totals(amounts, "Kostnader", top_level)
        assert mnkr(net) == Decimal(expected)


def test_leverans2_supersedes_leverans1(loaded: dict) -> None:
    # expected.md: Ekonomiadministration's costs through August, 27,2 with leverans2
    # (27,1 with leverans1 only: test_event_sourcing.py, as of a moment between them).
    assert mnkr(loaded["ytd"][("240", "Kostnader")]) == Decimal("27.2")
    with connect_published(loaded["home"].published) as con:
        batch = con.execute(
            "select distinct b.file_name from fct_ledger f join meta.batches b using (batch_id) "
            "where f.namnd_code = '142' and f.period = 201106"
        ).fetchall()
    assert batch == [("huvudbok_201106_leverans2.csv",)]


def test_published_snapshot_is_read_only_and_queryable(loaded: dict, capsys, monkeypatch) -> None:
    home: Paths = loaded["home"]
    published = Path(home.published)
    assert not published.stat().st_mode & 0o222  # nobody may write to what readers read
    monkeypatch.setenv("TERTIAL_HOME", str(home.home))
    assert (
        main(
            [
                "query",
                "--format",
                "json",
                "select typeof(amount) as t, count(*) as n from fct_ledger group by 1",
            ]
        )
        == 0
    )
    [row] = json.loads(capsys.readouterr().out)
    assert row["t"] == "DECIMAL(18,2)" and row["n"] > 0

"""Internal trade (stadsintern handel): Servicenämnden's sales in the reference home, a
buyer's ledger that reconciles and one that differs, as of a moment and retracted.

The reference folder holds Servicenämnden's (142) ledger only, whose revenue lines all
name the buying board in Motpart: in August 2011, by hand from huvudbok_201108.csv,
13 416 501,35 kr to 27 boards, of it 623 897,15 to Kommunstyrelsen (101) and
172 414,61 to Rinkeby-Kista (110). No buyer's ledger is there, so every pair is
'ej levererad'. tests/fixtures/internal_trade/ adds the August ledgers of 101 (its two
purchases from 142: 400 000,00 + 223 897,15 = 623 897,15, reconciles) and 110
(171 414,61: 1 000,00 less than 142 sold, avviker), with their activity registers.
The demo city's reconciliation is checked on the demo build in test_demo_run.py.
"""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from tertial.cli import main
from tests.helpers import accepted_batch
from warehouse.asof import connect_as_of
from warehouse.build import REFRESH_NOTE
from warehouse.freshness import projections_record_path
from warehouse.pipeline import run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "internal_trade"
LEDGER = "huvudbok_201108_kopare.csv"
PAIRS = (
    "select buyer_namnd_code, seller_revenue, buyer_cost, difference, status "
    "from marts.rpt_internal_trade "
    "where period = 201108 and seller_namnd_code = '142' and buyer_namnd_code in ('101', '110') "
    "order by buyer_namnd_code"
)
NOT_DELIVERED = [
    ("101", D("623897.15"), D("0.00"), D("623897.15"), "ej levererad"),
    ("110", D("172414.61"), D("0.00"), D("172414.61"), "ej levererad"),
]
AUGUST = (
    "select internal_revenues, internal_costs, net_cost_after_elimination - net_cost, "
    "unreconciled_pairs from marts.rpt_city_totals where period = 201108"
)


def query(database: object, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_servicenamnden_sells_to_boards_whose_ledgers_are_not_in(
    servicenamnden_2011: Paths,
) -> None:
    published = servicenamnden_2011.published
    assert query(published, PAIRS) == NOT_DELIVERED
    [(sellers, buyers, pairs, revenue, statuses)] = query(
        published,
        "select count(distinct seller_namnd_code), count(distinct buyer_namnd_code), count(*), "
        "sum(seller_revenue) filter (where period = 201108), list(distinct status) "
        "from marts.rpt_internal_trade",
    )
    assert (sellers, buyers, statuses) == (1, 27, ["ej levererad"])
    assert revenue == D("13416501.35") and pairs >= 27
    # Nothing is eliminated from the costs (no buyer booked any); the revenues lose
    # 142's internal sales, which is what the net moves by.
    assert query(published, AUGUST) == [(D("13416501.35"), D("0.00"), D("13416501.35"), 27)]


def test_buyers_ledgers_reconcile_or_differ_as_of_and_retraction_honoured(
    reference_copy: Paths,
) -> None:
    home = reference_copy
    before = max(r for (r,) in query(home.database, "select recorded_at from events.batches"))
    for name in (LEDGER, "verksamheter_kopare.csv"):
        shutil.copy(FIXTURES / name, home.landing / name)
    # As after an upgrade: the ledger's incremental sums were written by another project
    # (this one added Motpart to their grain). The night rebuilds them from the log.
    projections_record_path(home).write_text('{"fingerprint": "%s"}' % ("0" * 64))
    said: list[str] = []
    night = run(home, said.append, settle_seconds=0)
    assert REFRESH_NOTE in said
    assert sorted(r.status for r in night.files) == ["accepted", "accepted"], night.files
    assert night.published is not None, night.skipped
    assert query(home.published, PAIRS) == [
        ("101", D("623897.15"), D("623897.15"), D("0.00"), "stämmer"),
        ("110", D("172414.61"), D("171414.61"), D("1000.00"), "avviker"),
    ]
    # The city's August: costs lose 623 897,15 + 171 414,61 = 795 311,76 of purchases;
    # the net moves by what no buyer matched, 13 416 501,35 − 795 311,76 = 12 621 189,59,
    # over the 26 pairs that are not 'stämmer'.
    assert query(home.published, AUGUST) == [
        (D("13416501.35"), D("795311.76"), D("12621189.59"), 26)
    ]
    # The buyers' units and project come from their ledger lines.
    units = query(
        home.published,
        "select ansvar_code, namnd_code, first_period from marts.dim_ansvar "
        "where namnd_code in ('101', '110') order by 1",
    )
    assert units == [("10101", "101", 201108), ("10102", "101", 201108), ("11001", "110", 201108)]
    projects = "select namnd_code from marts.dim_projekt where projekt_code = '101001'"
    assert query(home.published, projects) == [("101",)]

    # As of a moment before the buyers' files: the reference home's answer.
    with connect_as_of(home, before) as con:
        assert con.execute(PAIRS).fetchall() == NOT_DELIVERED

    ledger = accepted_batch(home, LEDGER)
    command = ["--home", str(home.home), "retract", str(ledger), "--reason", "fel period"]
    assert main([*command, "--yes"]) == 0
    again = run(home, settle_seconds=0)
    assert again.published is not None, again.skipped
    assert query(home.published, PAIRS) == NOT_DELIVERED
    gone = "select count(*) from marts.dim_ansvar where namnd_code = '101'"
    assert query(home.published, gone) == [(0,)]

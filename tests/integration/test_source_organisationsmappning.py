"""The organisation mapping: the reference home's 2007 shares restate nothing of
Servicenämnden's, a new mapping that moves a quarter of Servicenämnden to Kommunstyrelsen
divides its history by hand-checkable figures (and a mapping whose shares do not sum to 1
is rejected in the same run), as of a moment before it nothing is divided, and retracting
it brings the earlier mapping back.

The reference home loads tests/fixtures/organisationsmappning/organisationsmappning.csv
after the folder (1011 -> 1021, 1012 -> 1022 0,6 + 1023 0,4, ... on 2007-01-01): the
ledger is Servicenämnden's (142) only, so fct_ledger_restated is fct_ledger row for row.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from tertial.cli import main
from tests.conftest import ORGANISATIONSMAPPNING
from warehouse.asof import connect_as_of
from warehouse.pipeline import run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Per booked row of 142: the board as booked, where it stands today, the piece, the whole.
PIECES = (
    "select period, namnd_code, amount, booked_amount, restated_share "
    "from marts.fct_ledger_restated where original_namnd_code = '142' order by all"
)
PER_YEAR = "select period // 100, sum(amount) from marts.{table} group by 1 order by 1"
# The reference mapping again (a delivery is the whole mapping), plus: from 2011-06-01 a
# quarter of Servicenämnden's work (say, its Kontaktcenter) is Kommunstyrelsen's.
MOVED = ORGANISATIONSMAPPNING.read_text(encoding="utf-8") + (
    "142;142;0,75;2011-06-01\n142;101;0,25;2011-06-01\n"
)
# 1012's shares 0,6 + 0,3: the whole file is rejected.
WRONG = "Från kod;Till kod;Andel;Giltig från\n1012;1022;0,6;2007-01-01\n1012;1023;0,3;2007-01-01\n"


def query(database: object, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_reference_mapping_restates_nothing_of_servicenamnden(
    servicenamnden_2011: Paths,
) -> None:
    home = servicenamnden_2011
    assert query(
        home.database, "select count(*) from intermediate.int_organisation_mapping_current"
    ) == [(7,)]
    pieces = query(home.published, PIECES)
    assert pieces and {(p[1], p[4]) for p in pieces} == {("142", Decimal(1))}
    assert query(home.published, "select count(*) from marts.fct_ledger_restated") == query(
        home.published, "select count(*) from marts.fct_ledger"
    )
    assert query(home.published, PER_YEAR.format(table="fct_ledger_restated")) == query(
        home.published, PER_YEAR.format(table="fct_ledger")
    )


def test_a_new_mapping_divides_history_as_of_and_retraction_honoured(
    reference_copy: Paths,
) -> None:
    home = reference_copy
    (home.landing / "organisationsmappning_2011.csv").write_text(MOVED, encoding="utf-8")
    (home.landing / "organisationsmappning_fel.csv").write_text(WRONG, encoding="utf-8")
    said: list[str] = []
    night = run(home, said.append, settle_seconds=0)
    assert [(r.path.name, r.status) for r in night.files] == [
        ("organisationsmappning_2011.csv", "accepted"),
        ("organisationsmappning_fel.csv", "rejected"),
    ]
    [wrong] = [r for r in night.files if r.status == "rejected"]
    assert "Från kod 1012 Giltig från 2007-01-01: Σ Andel on lines 2, 3 is 0,9000" in str(
        wrong.reason
    )
    assert night.published is not None, night.skipped
    # Only the mapping's models were built (warehouse/selection.py); both files are batches.
    assert any(line.startswith("2 new batches in organisationsmappning") for line in said), said

    # By hand, on every booked row of 142: before June 2011 Kommunstyrelsen (101) carries
    # amount × 0,25 rounded half away from zero to öre, and 142 the rest (its 0,75 is the
    # larger share, so it takes the rounding remainder); from June on 142 keeps it whole.
    pieces = query(home.published, PIECES)
    by_row: dict[tuple, list[tuple]] = {}
    for period, code, amount, booked, share in pieces:
        by_row.setdefault((period, booked), []).append((code, amount, share))
    divided = [p for p in pieces if p[0] < 201106]
    assert divided and {p[1] for p in divided} == {"101", "142"}
    assert {p[1] for p in pieces if p[0] >= 201106} == {"142"}
    for period, code, amount, booked, share in divided:
        quarter = (booked * Decimal("0.25")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if code == "101":
            assert (amount, share) == (quarter, Decimal("0.25")), (period, booked)
        else:
            assert (amount, share) == (booked - quarter, Decimal("0.75")), (period, booked)
    # Every year's total, restated or not, to the öre.
    restated = query(home.published, PER_YEAR.format(table="fct_ledger_restated"))
    assert restated == query(home.published, PER_YEAR.format(table="fct_ledger"))
    assert [year for year, _ in restated] == [2010, 2011]

    batches = query(
        home.database,
        "select batch_id, recorded_at from events.batches where source = "
        "'organisationsmappning' and status = 'accepted' order by batch_id desc",
    )
    assert len(batches) == 2  # the reference home's mapping and the new one
    (moved, moved_at), (_, first_at) = batches
    # As of a moment between the two deliveries: nothing of 142's is divided.
    with connect_as_of(home, first_at + (moved_at - first_at) / 2) as con:
        assert con.execute(
            "select count(*) from fct_ledger_restated where namnd_code = '101'"
        ).fetchall() == [(0,)]
    # Retract the new mapping: the reference one counts again (a full build, ~30-60 s).
    command = ["--home", str(home.home), "retract", str(moved), "--reason", "fel andelar"]
    assert main([*command, "--yes"]) == 0
    again = run(home, settle_seconds=0)
    assert again.published is not None, again.skipped
    assert {(p[1], p[4]) for p in query(home.published, PIECES)} == {("142", Decimal(1))}
    assert query(
        home.database, "select count(*) from intermediate.int_organisation_mapping_current"
    ) == [(7,)]

"""Activities with history and RS codes (issue 17): dim_verksamhet's versions and
successors, the register's new rules through the real ingest, and rpt_activity_costs_rs
reconciled with the ledger lines, as of a moment and after a retraction.

Cheap on purpose: one home of its own with the organisation register, Servicenämnden's
ledgers of December 2010 and January 2011 and an activity register with RS codes
(tests/fixtures/verksamheter/), built three times with dbt's selection of the mart, the
dimension and what they read (never the whole project), as tests/integration/
test_source_balans.py does. The register (verksamheter_rs.csv):
- 230 Kontaktcenter is RS 571 (Övriga insatser till vuxna) until 2010-12-31 and, renamed
  Kontaktcenter för äldre, 510 (Vård och omsorg om äldre) from 2011-01-01: December's
  costs go to 571, January's to 510;
- 260 IT-stöd ended 2009-12-31 with Efterträdare 250;
- 231 Äldre Direkt is 510, 100 is 100; 210, 220, 240, 250, 900 and 910 have no RS code
  ('-1'). The correction (verksamheter_rs_rattelse.csv) gives 240 the code 130.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from tertial.cli import main
from tests.conftest import SERVICENAMNDEN
from warehouse.build import run_dbt
from warehouse.ingest import ingest
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "verksamheter"
REGISTER = FIXTURES / "verksamheter_rs.csv"
CORRECTION = FIXTURES / "verksamheter_rs_rattelse.csv"
LEDGERS = [SERVICENAMNDEN / "huvudbok_201012.csv", SERVICENAMNDEN / "huvudbok_201101.csv"]
SELECTION = (
    "--select",
    "+rpt_activity_costs_rs +dim_verksamhet +dim_namnd +dim_period",
    "--indirect-selection",
    "cautious",
)
MODELS_ONLY = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
# The register's RS code of an activity by year (the version valid in the month).
RS = {"100": "100", "230": {2010: "571", 2011: "510"}, "231": "510"}
MART = (
    "select year, rs_code, net_cost, city_net_cost, months_booked "
    "from marts.rpt_activity_costs_rs where namnd_code = '142' order by year, rs_code"
)
HEADER = "Nämnd;Verksamhet;Namn;Överordnad;Giltig från;Giltig till;Efterträdare;RS-kod\n"


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def by_hand(database: Path, correction: bool = False) -> list[tuple]:
    """Net cost per year and RS code from the ledger lines in the event log, in Python:
    costs (classes 4-7, group 85) positive and revenues (class 3, group 84) negative, so
    Kostnader − Intäkter is the plain sum of both."""
    lines = query(database, "select period, verksamhet, konto, belopp from events.huvudbok")
    rs = dict(RS, **({"240": "130"} if correction else {}))
    net: dict[tuple[int, str], D] = defaultdict(D)
    months: dict[int, set[int]] = defaultdict(set)
    for period, verksamhet, konto, amount in lines:
        if not (konto[0] in "34567" or konto[:2] in ("84", "85")):
            continue  # balance sheet (1-2), the city's classes 80-83, anything else
        year = period // 100
        code = rs.get(verksamhet, "-1")
        code = code[year] if isinstance(code, dict) else code
        net[(year, code)] += amount
        months[year].add(period)
    # One board: the city's sum is the board's.
    return [(y, c, v, v, len(months[y])) for (y, c), v in sorted(net.items())]


def build(home: Paths, *extra: str) -> None:
    result = run_dbt(home, "build", *SELECTION, *extra)
    assert result.success, result.summary()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Load, build; correct the register, build now and as of before it; retract it."""
    home = paths(tmp_path_factory.mktemp("verksamheter")).ensure()
    batches = {}
    for path in [SERVICENAMNDEN / "organisation.csv", REGISTER, *LEDGERS, CORRECTION]:
        [result] = ingest(home, [path])
        assert result.status == "accepted", result.line()
        batches[path.name] = result.batch_id
    recorded = dict(query(home.database, "select batch_id, recorded_at from events.batches"))
    story: dict = {"home": home, "batches": batches}

    build(home)  # with the models' data tests: unique, not null, relationships, contract
    story["now"] = query(home.database, MART)
    story["dim"] = query(
        home.database,
        "select verksamhet_code, verksamhet_name, valid_from, valid_to, is_current, "
        "is_active, successor_verksamhet_code, today_verksamhet_code, rs_code, rs_area_code "
        "from marts.dim_verksamhet where verksamhet_code in ('230', '240', '250', '260') "
        "order by verksamhet_code, valid_from",
    )

    first, corrected = recorded[batches[LEDGERS[-1].name]], recorded[batches[CORRECTION.name]]
    moment = (first + (corrected - first) / 2).astimezone(dt.UTC).isoformat()
    build(home, *MODELS_ONLY, "--vars", json.dumps({"as_of": moment}))
    story["as_of"] = query(home.database, MART)

    command = ["--home", str(home.home), "retract", str(batches[CORRECTION.name])]
    assert main([*command, "--reason", "fel RS-kod", "--yes"]) == 0
    build(home, *MODELS_ONLY)
    story["retracted"] = query(home.database, MART)
    return story


def test_versions_and_successors_of_the_register(story: dict) -> None:
    d = dt.date
    assert story["dim"] == [
        ("230", "Kontaktcenter", d(2010, 1, 1), d(2010, 12, 31), False, True, None, "230",
         "571", "590"),
        ("230", "Kontaktcenter för äldre", d(2011, 1, 1), None, True, True, None, "230",
         "510", "590"),
        ("240", "Ekonomiadministration", d(2010, 1, 1), None, True, True, None, "240",
         "130", "190"),
        ("250", "IT och telefoni", d(2010, 1, 1), None, True, True, None, "250", None, None),
        ("260", "IT-stöd", d(2009, 1, 1), d(2009, 12, 31), True, False, "250", "250",
         None, None),
    ]  # fmt: skip


def test_the_mart_is_the_ledger_lines_summed_by_the_register_of_the_month(story: dict) -> None:
    home = story["home"]
    assert story["now"] == by_hand(home.database, correction=True)
    years = {(y, c) for y, c, *_ in story["now"]}
    # December on 230's old code, January on its new one: the version of the month.
    assert (2010, "571") in years and (2011, "571") not in years
    assert (2011, "510") in years and (2011, "130") in years


def test_as_of_a_moment_before_the_correction_shows_the_first_register(story: dict) -> None:
    assert story["as_of"] == by_hand(story["home"].database)
    assert (2011, "130") not in {(y, c) for y, c, *_ in story["as_of"]}


def test_a_retraction_takes_the_correction_out(story: dict) -> None:
    assert story["retracted"] == story["as_of"]


def _rejected(home: Paths, name: str, text: str) -> str:
    inbox = home.home / "inbox"
    inbox.mkdir(exist_ok=True)
    path = inbox / name
    path.write_text(HEADER + text, encoding="utf-8")
    [result] = ingest(home, [path])
    assert result.status == "rejected"
    return result.line()


def test_the_register_rules_reject_through_the_real_ingest(tmp_path: Path, loaded) -> None:
    home = paths(tmp_path / "home").ensure()
    loaded(home, [SERVICENAMNDEN / "organisation.csv"])
    # A sum of the classification, not a leaf.
    line = _rejected(home, "verksamheter_summa.csv", "142;100;Nämnd;;2010-01-01;;;490\n")
    assert "RS-kod is a leaf ('blad') code" in line and "'490'" in line
    # A code SCB does not have at all.
    line = _rejected(home, "verksamheter_okand.csv", "142;100;Nämnd;;2010-01-01;;;999\n")
    assert "RS-kod is a leaf" in line and "'999'" in line
    # A successor that is no activity of the same board in the register.
    line = _rejected(
        home,
        "verksamheter_eftertradare.csv",
        "142;100;Nämnd;;2010-01-01;;;100\n142;210;Lön;;2010-01-01;2010-12-31;299;\n",
    )
    assert "Efterträdare is an activity of the same Nämnd" in line and "'142 / 299'" in line
    # An activity that names itself as its successor ends nowhere.
    line = _rejected(
        home,
        "verksamheter_sjalv.csv",
        "142;100;Nämnd;;2010-01-01;;;100\n142;210;Lön;;2010-01-01;2010-12-31;210;\n",
    )
    assert "Efterträdare is another activity" in line and "'142 / 210'" in line
    # Successors in a ring (a trial file of 2026-12-06, accepted before): no chain ends.
    line = _rejected(
        home,
        "verksamheter_ring.csv",
        "142;100;Nämnd;;2010-01-01;;;100\n142;210;Lön;;2010-01-01;2010-12-31;220;\n"
        "142;220;Upphandling;;2010-01-01;2010-12-31;230;\n"
        "142;230;Kontaktcenter;;2010-01-01;2010-12-31;210;\n",
    )
    assert "a chain of Efterträdare ends" in line, line
    assert "'142 / 210 → 220 → 230 → 210'" in line and "line 3" in line, line
    # A personnummer in a new column rejects the batch as anywhere else.
    line = _rejected(home, "verksamheter_pnr.csv", "142;100;Nämnd;;2010-01-01;;19121212-1212;100\n")
    assert "personnummer" in line.lower()
    assert query(home.database, "select count(*) from events.verksamheter") == [(0,)]


def test_an_old_register_without_the_new_columns_loads_unchanged(tmp_path: Path, loaded) -> None:
    home = paths(tmp_path / "home").ensure()
    loaded(home, [SERVICENAMNDEN / "organisation.csv"])
    [result] = ingest(home, [SERVICENAMNDEN / "verksamheter.csv"])
    assert result.status == "accepted", result.line()
    assert query(
        home.database,
        "select count(*), count(eftertradare), count(rs_kod), count(extra) "
        "from events.verksamheter",
    ) == [(9, 0, 0, 0)]

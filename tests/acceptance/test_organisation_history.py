"""The city office's 2007 reorganisation, as the organisation register tells it.

`../shared/reference/stadsledningskontoret-ny-organisation-2006.txt` decides a new
structure from 2007: a Finansavdelningen, a Förnyelseavdelningen, an IT-avdelning and a
Kommunikationsstab replace the old departments. The register in the reference folder
records that as events; dim_namnd must show each unit's life, its versions, and where
its work went and which unit carries it today.
"""

import datetime as dt

import duckdb
import pytest

from tests.conftest import SHARED
from warehouse.settings import Paths

pytestmark = [pytest.mark.acceptance, pytest.mark.slow]  # builds a home: `make test-fast` skips it

REORGANISATION = SHARED / "reference" / "stadsledningskontoret-ny-organisation-2006.txt"


@pytest.fixture(scope="module")
def versions(servicenamnden_2011: Paths) -> list[dict]:
    """Every row of dim_namnd once the reference folder (with the register) is loaded."""
    con = duckdb.connect(str(servicenamnden_2011.published), read_only=True)
    cursor = con.execute(
        "select namnd_code, namnd_name, namnd_type, parent_namnd_code, valid_from, valid_to,"
        " is_current, is_active, successor_codes, today_namnd_code, namnd_key,"
        " today_namnd_key from marts.dim_namnd order by namnd_code, valid_from"
    )
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    con.close()
    return rows


@pytest.fixture(scope="module")
def namnd(versions: list[dict]) -> dict[str, dict]:
    """The current version of each code: what a join on namnd_key and is_current gives."""
    current = [v for v in versions if v["is_current"]]
    assert len(current) == len({v["namnd_code"] for v in versions})  # one per code
    return {v["namnd_code"]: v for v in current}


def test_the_new_departments_of_2007_are_in_the_decision(namnd) -> None:
    decision = REORGANISATION.read_text(encoding="utf-8").lower()
    for code in ("1021", "1022", "1023", "1026"):
        unit = namnd[code]
        assert unit["valid_from"] == dt.date(2007, 1, 1) and unit["is_active"]
        assert unit["parent_namnd_code"] == "101" and unit["namnd_type"] == "Avdelning"
        # Finansavdelningen, Förnyelseavdelningen, IT-avdelningen, Kommunikationsstaben.
        assert unit["namnd_name"].lower().split("avdelningen")[0][:8] in decision


@pytest.mark.parametrize(
    ("code", "successors"),
    [
        ("1011", ["1021"]),  # Ekonomiavdelningen → Finansavdelningen
        ("1012", ["1022", "1023"]),  # Utvecklingsavdelningen → Förnyelse- and IT-avdelningen
        ("1013", ["1020"]),  # Infrastrukturavdelningen → Stadsdirektörens stab
        ("1014", ["139", "140"]),  # Vård och utbildning → Utbildnings- and Äldrenämnden
        ("1015", ["1026"]),  # Kommunikationsavdelningen merged into Kommunikationsstaben
    ],
)
def test_dissolved_departments_end_and_name_their_successors(namnd, code, successors) -> None:
    unit = namnd[code]
    assert unit["valid_to"] == dt.date(2007, 1, 1)
    assert not unit["is_active"]
    assert sorted(unit["successor_codes"]) == successors


def test_boards_created_and_renamed(namnd) -> None:
    assert namnd["142"]["namnd_name"] == "Servicenämnden"
    assert namnd["142"]["valid_from"] == dt.date(2010, 1, 1)
    # Namnbyte 2016: the current name is the newest.
    assert namnd["130"]["namnd_name"] == "Arbetsmarknadsnämnden (AMN)"
    assert namnd["130"]["is_active"] and namnd["130"]["valid_to"] is None


@pytest.mark.parametrize(
    ("code", "today"),
    [
        ("1011", "1021"),  # Ekonomiavdelningen's work is Finansavdelningen's today
        ("1012", "1022"),  # split: the first successor the register names
        ("1013", "1020"),
        ("1014", "139"),  # split between Utbildnings- and Äldrenämnden: the first named
        ("1015", "1026"),  # merged into Kommunikationsstaben
        ("1021", "1021"),  # active units carry their own work
        ("142", "142"),
    ],
)
def test_history_maps_onto_todays_organisation(namnd, code, today) -> None:
    assert namnd[code]["today_namnd_code"] == today
    assert namnd[today]["is_active"]
    # today_namnd_key joins the current row of today's unit, with today's name.
    assert namnd[code]["today_namnd_key"] == namnd[today]["namnd_key"]


def test_a_rename_is_a_new_version_with_the_same_key(versions) -> None:
    board = [v for v in versions if v["namnd_code"] == "130"]
    assert [(v["namnd_name"], v["valid_from"], v["valid_to"], v["is_current"]) for v in board] == [
        ("Arbetsmarknadsnämnden", dt.date(2007, 1, 1), dt.date(2016, 1, 1), False),
        ("Arbetsmarknadsnämnden (AMN)", dt.date(2016, 1, 1), None, True),
    ]
    assert len({v["namnd_key"] for v in board}) == 1  # facts keep one durable key

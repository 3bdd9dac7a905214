"""The city office's 2007 reorganisation, as the organisation register tells it.

`../shared/reference/stadsledningskontoret-ny-organisation-2006.txt` decides a new
structure from 2007: a Finansavdelningen, a Förnyelseavdelningen, an IT-avdelning and a
Kommunikationsstab replace the old departments. The register in the reference folder
records that as events; dim_namnd must show each unit's life and where its work went.
"""

import datetime as dt

import duckdb
import pytest

from tertial.pipeline import build_and_publish
from tertial.settings import paths
from tests.conftest import SHARED, ledger_files
from warehouse.ingest import ingest

pytestmark = pytest.mark.acceptance

REORGANISATION = SHARED / "reference" / "stadsledningskontoret-ny-organisation-2006.txt"


@pytest.fixture(scope="module")
def namnd(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """dim_namnd, by code, after loading the register (and a month that uses it), once."""
    home = paths(tmp_path_factory.mktemp("organisation")).ensure()
    results = ingest(home, ledger_files("huvudbok_201108.csv"))
    assert {r.status for r in results} == {"accepted"}
    build_and_publish(home)
    con = duckdb.connect(str(home.published), read_only=True)
    cursor = con.execute(
        "select namnd_code, namnd_name, namnd_type, parent_namnd_code, valid_from, valid_to,"
        " is_active, successor_codes from marts.dim_namnd"
    )
    columns = [d[0] for d in cursor.description]
    rows = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    con.close()
    return rows


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

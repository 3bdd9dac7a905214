"""Every export of the Servicenämnden 2011 folder loads without a rejection, and so do the
board's comments on its T2 report, its result fund decisions, its balance sheet of
August, the shares of the 2007 reorganisation and the register of its responsibility
units, delivered after it."""

import pytest

from tests.conftest import ingested
from warehouse.settings import Paths

pytestmark = [pytest.mark.acceptance, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def test_every_export_of_the_reference_folder_is_accepted(servicenamnden_2011: Paths) -> None:
    # The session's reference home: the folder ingested once, as a controller would.
    results = ingested(servicenamnden_2011)
    status = {r["file"]: r["status"] for r in results}
    # expected.md is the folder's documentation, not an export: no source takes it.
    assert status.pop("expected.md") == "rejected"
    assert status.pop("huvudbok_201103_kopia.csv") == "duplicate"
    assert set(status.values()) == {"accepted"}, {
        n: s for n, s in status.items() if s != "accepted"
    }
    sources = {r["source"] for r in results if r["status"] == "accepted"}
    assert sources == {
        "organisation",
        "verksamheter",
        "huvudbok",
        "budget",
        "prognos",
        "lon",
        "sjukfranvaro",
        "medarbetarenkat",
        "indikatorer",
        "kommentarer",
        "resultatfond",
        "balans",
        "organisationsmappning",
        "ansvar",
    }

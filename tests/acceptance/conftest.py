"""Fixtures the acceptance tests share: the whole reference folder, loaded once."""

from __future__ import annotations

import pytest

from tertial.pipeline import build_and_publish
from tertial.settings import Paths, paths
from tests.conftest import SERVICENAMNDEN
from warehouse.ingest import ingest


@pytest.fixture(scope="session")
def servicenamnden_2011(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """Every export of `servicenamnden-2011/` loaded as a controller would, built, published.

    Loading the folder (~70 files) and building takes minutes on a shared machine, so
    the tests that only read the published marts share one home for the session.
    """
    home = paths(tmp_path_factory.mktemp("servicenamnden-2011")).ensure()
    results = ingest(home, [SERVICENAMNDEN])
    rejected = {r.path.name for r in results if r.status == "rejected"}
    assert rejected == {"expected.md"}, rejected  # the folder's documentation, not an export
    build_and_publish(home)
    return home

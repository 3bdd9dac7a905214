"""Publishing: all or nothing, read-only for readers, durable before it is announced.

The test starts from a copy of the session's reference home (`reference_copy`: loaded,
built and published once, ~0.1 s to copy) instead of loading a month and building it
again here (~45 s): what it checks is the publish, not the build.
"""

import hashlib
import stat

import duckdb
import pytest

from warehouse.publish import publish
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(home: Paths) -> list[str]:
    """Half-written files in published/ (a publish writes `.<name>.<pid>.tmp` first)."""
    return [p.name for p in home.published_dir.iterdir() if p.name.endswith(".tmp")]


def test_published_snapshot_is_read_only_and_a_failed_publish_changes_nothing(
    reference_copy: Paths,
) -> None:
    home = reference_copy  # as `tertial build` published it (copied with its mode bits)
    assert stat.S_IMODE(home.published.stat().st_mode) == 0o444
    assert leftovers(home) == []
    before = digest(home.published)

    # Readers open it read-only: no write gets through, whoever the reader is.
    con = duckdb.connect(str(home.published), read_only=True)
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("create table marts.scratch as select 1")
    con.close()

    # A publish that fails half-way (the working database cannot be read) leaves the old
    # snapshot byte for byte and no half-written file beside it.
    broken = home.home / "broken.duckdb"
    broken.write_bytes(b"not a database" * 1000)
    with pytest.raises(duckdb.Error):
        publish(broken, home.published)
    assert digest(home.published) == before
    assert leftovers(home) == []

    # And a good one replaces it whole, read-only again.
    published = publish(home.database, home.published)
    assert "marts.meta_freshness" in published.tables
    assert stat.S_IMODE(home.published.stat().st_mode) == 0o444
    assert leftovers(home) == []

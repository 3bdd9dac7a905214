"""A load is all or nothing: SIGKILL a real `tertial` process at every step of a load.

The process kills itself with SIGKILL (no cleanup, no `finally`) at the step named by
the test hook `TERTIAL_CRASH_AT` (warehouse/crashpoints.py). After each kill the batch
is either whole or absent, the published snapshot is the old one or the new one, and
running the same command again finishes the job without a duplicate.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tertial.pipeline import build_and_publish
from tertial.settings import Paths
from tests.conftest import SERVICENAMNDEN, ledger_files
from tests.helpers import event_state
from warehouse.ingest import ingest

pytestmark = pytest.mark.integration

FEBRUARY = SERVICENAMNDEN / "huvudbok_201102.csv"
MARCH = SERVICENAMNDEN / "huvudbok_201103.csv"  # with its control file huvudbok_201103.ctl


def tertial(home: Paths, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, optionally asking it to die at a step."""
    env = {**os.environ, "TERTIAL_HOME": str(home.home)}
    env.pop("TERTIAL_CRASH_AT", None)
    if crash_at:
        env["TERTIAL_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "tertial.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def killed(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == -signal.SIGKILL


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def batches_of(home: Paths, file: Path) -> list[tuple]:
    """(batch_id, row_count, rows in the log, keys) of every batch holding `file`'s bytes."""
    sha256 = hashlib.sha256(file.read_bytes()).hexdigest()
    with duckdb.connect(str(home.database), read_only=True) as con:
        return con.execute(
            """
            select b.batch_id, b.row_count,
                   (select count(*) from events.huvudbok h where h.batch_id = b.batch_id),
                   (select count(*) from events.supersession_keys k where k.batch_id = b.batch_id)
            from events.batches b where b.sha256 = ? order by b.batch_id
            """,
            [sha256],
        ).fetchall()


def published_periods(home: Paths) -> list[int]:
    with duckdb.connect(str(home.published), read_only=True) as con:
        rows = con.execute("select distinct period from marts.fct_ledger order by 1").fetchall()
    return [period for (period,) in rows]


def test_a_killed_load_leaves_the_batch_whole_or_absent_and_a_rerun_finishes(
    home: Paths,
) -> None:
    ingest(home, ledger_files("huvudbok_201101.csv"))
    build_and_publish(home)
    snapshot = digest(home.published)
    before = event_state(home)

    # Killed before the batch's transaction commits: nothing of it is in the log.
    for step in ("after_parse", "after_validation", "before_commit"):
        result = tertial(home, "ingest", str(FEBRUARY), crash_at=step)
        assert killed(result), (step, result.returncode, result.stderr[-2000:])
        assert event_state(home) == before, step
        assert batches_of(home, FEBRUARY) == [], step

    # Killed right after the commit, before the file left landing/: the batch is whole.
    shutil.copy(FEBRUARY, home.landing / FEBRUARY.name)
    result = tertial(home, "run", crash_at="after_commit")
    assert killed(result), result.stderr[-2000:]
    [(batch_id, row_count, lines, keys)] = batches_of(home, FEBRUARY)
    assert lines == row_count > 0 and keys == 1
    assert (home.landing / FEBRUARY.name).exists()
    assert digest(home.published) == snapshot  # nothing was built or published

    # Killed while publishing: the new snapshot is written but not in place yet. The
    # rerun of the night meets February again (a duplicate) and March (new).
    shutil.copy(MARCH, home.landing / MARCH.name)
    shutil.copy(MARCH.with_suffix(".ctl"), home.landing / MARCH.with_suffix(".ctl").name)
    result = tertial(home, "run", crash_at="during_publish")
    assert killed(result), result.stderr[-2000:]
    assert "duplicate  huvudbok_201102.csv" in result.stdout
    assert digest(home.published) == snapshot  # the old snapshot, whole
    assert published_periods(home) == [201101]
    assert batches_of(home, FEBRUARY) == [(batch_id, row_count, lines, keys)]

    # The rerun finishes the job: one batch per file, the new snapshot published.
    result = tertial(home, "run")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert published_periods(home) == [201101, 201102, 201103]
    assert batches_of(home, FEBRUARY) == [(batch_id, row_count, lines, keys)]
    assert len(batches_of(home, MARCH)) == 1
    assert list(home.landing.iterdir()) == []
    leftovers = [p.name for p in home.published_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []

"""Nothing is lost: SIGKILL a real `tertial` process at every step of a load, a build and
both publishes, and run two at once.

The process kills itself with SIGKILL (no cleanup, no `finally`) at the step named by
the test hook `TERTIAL_CRASH_AT` (warehouse/crashpoints.py). After each kill the batch
is either whole or absent, the published snapshot and the published log are each the
old one or the new one (opened read-only and checked), and running the same command
again finishes the job without a duplicate. A second run started while one is running
is refused with exit code 3 and touches nothing; run again later, it completes.

A dbt build costs ~25-60 s here, so the module builds one home (January) and every
test starts from a copy of it. The kills inside the two publishes need no build of
their own: a process that only publishes (`warehouse.pipeline.publish_all`, what every
build ends with) is killed there, and one `tertial build` afterwards finishes the job
(one build where killing `tertial build` at each publish step took three).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SERVICENAMNDEN, ledger_files
from tests.helpers import event_state
from warehouse.ingest import ingest
from warehouse.pipeline import build_and_publish
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

FEBRUARY = SERVICENAMNDEN / "huvudbok_201102.csv"
MARCH = SERVICENAMNDEN / "huvudbok_201103.csv"  # with its control file huvudbok_201103.ctl


@pytest.fixture(scope="module")
def january(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """January and the registers loaded, built and published: copied, never changed."""
    built = paths(tmp_path_factory.mktemp("january") / "home").ensure()
    ingest(built, ledger_files("huvudbok_201101.csv"))
    build_and_publish(built, tests="nightly")  # the nightly's tests: the tests' start state
    return built


@pytest.fixture
def home(january: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """A copy of the January home for one test (overrides conftest's empty home)."""
    copy = paths(tmp_path / "home")
    shutil.copytree(january.home, copy.home, symlinks=True)
    monkeypatch.setenv("TERTIAL_HOME", str(copy.home))
    return copy


def tertial(home: Paths, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, optionally asking it to die at a step."""
    return subprocess.run(
        [sys.executable, "-m", "tertial.cli", *args],
        env=environment(home, crash_at),
        capture_output=True,
        text=True,
        timeout=900,
    )


# A process that only publishes, as every build and run ends: `tertial build` without
# its dbt build (~40 s), to be killed inside the publishes.
PUBLISH = """
import sys
from warehouse.pipeline import publish_all
from warehouse.settings import paths
publish_all(paths(sys.argv[1]))
"""


def publish_only(home: Paths, crash_at: str) -> subprocess.CompletedProcess:
    """Run the publishes alone in a subprocess that dies at `crash_at`."""
    return subprocess.run(
        [sys.executable, "-c", PUBLISH, str(home.home)],
        env=environment(home, crash_at),
        capture_output=True,
        text=True,
        timeout=900,
    )


def environment(home: Paths, crash_at: str | None = None) -> dict[str, str]:
    env = {**os.environ, "TERTIAL_HOME": str(home.home), "TERTIAL_LANDING_SETTLE_SECONDS": "0"}
    env.pop("TERTIAL_CRASH_AT", None)
    if crash_at:
        env["TERTIAL_CRASH_AT"] = crash_at
    return env


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
    """The ledger's periods in the published snapshot, opened read-only as readers do."""
    with duckdb.connect(str(home.published), read_only=True) as con:
        rows = con.execute("select distinct period from marts.fct_ledger order by 1").fetchall()
    return [period for (period,) in rows]


def published_log_periods(home: Paths) -> list[int]:
    """The ledger's periods in the published copy of the event log, opened read-only."""
    with duckdb.connect(str(home.published_events), read_only=True) as con:
        rows = con.execute("select distinct period from events.huvudbok order by 1").fetchall()
    return [period for (period,) in rows]


def temporaries(home: Paths) -> list[str]:
    """What a publish writes before its rename: `.<name>.<pid>.tmp` and DuckDB's `.wal`."""
    return sorted(p.name for p in home.published_dir.iterdir() if ".tmp" in p.name)


def working_database_is_free(home: Paths, seconds: float = 20.0) -> bool:
    """Whether a writer can open the working database: no orphaned dbt holds it."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            duckdb.connect(str(home.database)).close()
            return True
        except duckdb.IOException:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)


def test_a_killed_load_leaves_the_batch_whole_or_absent_and_a_rerun_finishes(
    home: Paths,
) -> None:
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
    assert temporaries(home) == []


def test_killed_during_the_build_and_both_publishes_the_old_snapshot_stands(
    home: Paths,
) -> None:
    snapshot, log = digest(home.published), digest(home.published_events)
    assert tertial(home, "ingest", str(FEBRUARY)).returncode == 0

    # Killed while dbt builds (after its first model): dbt dies with it (a dbt left
    # running would hold the working database against the rerun), nothing is published.
    result = tertial(home, "build", crash_at="during_build")
    assert killed(result), result.stdout[-2000:] + result.stderr[-2000:]
    assert "[1] " in result.stdout  # dbt had started
    assert working_database_is_free(home)
    assert (digest(home.published), digest(home.published_events)) == (snapshot, log)

    # Killed half-way through copying the event log: the old copy stands, whole; the
    # marts snapshot was not touched. Its temporary file stays until the next publish.
    result = publish_only(home, crash_at="during_log_publish")
    assert killed(result), result.stdout[-2000:] + result.stderr[-2000:]
    assert (digest(home.published), digest(home.published_events)) == (snapshot, log)
    assert published_log_periods(home) == [201101]
    assert temporaries(home) != []

    # Killed half-way through writing the marts snapshot: the log's new copy is in
    # place (it goes first, so the snapshot never names a batch the log lacks), the
    # old snapshot stands, whole.
    result = publish_only(home, crash_at="during_snapshot_copy")
    assert killed(result), result.stdout[-2000:] + result.stderr[-2000:]
    assert digest(home.published) == snapshot
    assert published_periods(home) == [201101]
    assert published_log_periods(home) == [201101, 201102]

    # The rerun completes: February published, every temporary of the killed ones gone.
    result = tertial(home, "build")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert published_periods(home) == [201101, 201102]
    assert published_log_periods(home) == [201101, 201102]
    assert temporaries(home) == []


def test_two_runs_at_once_the_second_is_refused_and_nothing_is_lost(home: Paths) -> None:
    shutil.copy(FEBRUARY, home.landing / FEBRUARY.name)
    first = subprocess.Popen(
        [sys.executable, "-m", "tertial.cli", "run"],
        env=environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait until the first run has loaded February and is building.
        assert first.stdout is not None
        seen = []
        for line in first.stdout:
            seen.append(line)
            if line.startswith("Building the warehouse"):
                break
        else:
            pytest.fail("".join(seen) + first.stderr.read())  # type: ignore[union-attr]

        # March lands while it builds; a second run (and a hand-made ingest) is refused
        # at once with exit code 3, naming the first, and takes nothing.
        shutil.copy(MARCH, home.landing / MARCH.name)
        shutil.copy(MARCH.with_suffix(".ctl"), home.landing / MARCH.with_suffix(".ctl").name)
        for args in (["run"], ["ingest", str(MARCH)]):
            second = tertial(home, *args)
            assert second.returncode == 3, (args, second.stdout, second.stderr)
            [line] = second.stderr.strip().splitlines()  # one line, no traceback
            assert line.startswith("error: busy:") and f"pid {first.pid}" in line
            assert "tertial run" in line
        assert (home.landing / MARCH.name).exists()

        rest, errors = first.communicate(timeout=900)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, "".join(seen) + rest + errors
    assert published_periods(home) == [201101, 201102]

    # Run again later, the second completes: March loaded, built and published.
    result = tertial(home, "run")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert published_periods(home) == [201101, 201102, 201103]
    assert len(batches_of(home, MARCH)) == 1
    assert list(home.landing.iterdir()) == []

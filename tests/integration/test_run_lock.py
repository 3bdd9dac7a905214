"""One writer at a time, and clean exits: the run lock and the errors of the write path.

No dbt build here (each costs ~25-60 s): the lock is held by a helper process, the
warehouse is what `tertial ingest` makes, failures are real (a full tmpfs, a file of
garbage where the working database should be, a home that is a file). The crash and
two-concurrent-runs tests with builds live in test_crash_safety.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tertial.cli import _log_details, main
from tests.conftest import SERVICENAMNDEN, Load
from tests.helpers import event_state
from warehouse.lock import RunBusy, held, holder, run_lock
from warehouse.publish import publish
from warehouse.published_log import publish_event_log
from warehouse.settings import Paths, paths

pytestmark = pytest.mark.integration

REGISTER = SERVICENAMNDEN / "organisation.csv"
ACTIVITIES = SERVICENAMNDEN / "verksamheter.csv"  # the ledger's codes resolve against both
FEBRUARY = SERVICENAMNDEN / "huvudbok_201102.csv"
# Ingested once per session (conftest's `loaded`) and copied into a test's home.
REGISTERS = (REGISTER, ACTIVITIES)

# A process that holds the run lock of a home until its stdin closes, as a run would.
HOLDER = """
import sys
from pathlib import Path
home, sys.argv = Path(sys.argv[1]), ["tertial", "run"]
from warehouse.lock import run_lock
with run_lock(home):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def lock_held_elsewhere(home: Paths) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home.home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "held\n"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_second_writer_is_refused_with_exit_3_and_changes_nothing(
    home: Paths, loaded: Load, capsys
) -> None:
    loaded(home, REGISTERS)
    shutil.copy(FEBRUARY, home.landing / FEBRUARY.name)
    before = event_state(home)
    capsys.readouterr()

    with lock_held_elsewhere(home) as other:
        found = holder(home.home)
        assert found is not None and found.pid == other.pid and found.command == "tertial run"

        for command in (
            ["run"],
            ["build"],
            ["ingest", str(FEBRUARY)],
            ["retract", "1", "--reason", "wrong file", "--yes"],
            ["replay"],
            ["docs"],
            ["demo", "--years", "2022", "--rows-per-board-month", "1"],
        ):
            assert main(command) == 3, command
            line = one_line(capsys.readouterr().err)
            assert line.startswith("error: busy:"), line
            assert f"`tertial run` (pid {other.pid}, since " in line

        # The real command line: one line on stderr, exit 3, at once.
        result = subprocess.run(
            [sys.executable, "-m", "tertial.cli", "run"],
            env={**os.environ, "TERTIAL_HOME": str(home.home)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 3, result.stdout + result.stderr
        assert "busy" in one_line(result.stderr)

        # Readers never take the lock.
        assert main(["batches"]) == 0
        assert main(["retractions"]) == 0
        capsys.readouterr()

        # Nothing was touched: the log, landing/, the demo city not written.
        assert event_state(home) == before
        assert sorted(p.name for p in home.landing.iterdir()) == [FEBRUARY.name]

        # SIGKILL: the kernel drops the lock with the process, nothing stale is left.
        os.kill(other.pid, signal.SIGKILL)
        other.wait()
    assert main(["ingest", str(FEBRUARY)]) == 0
    assert event_state(home) != before


def test_the_lock_is_reentrant_in_a_process_and_released_after(home: Paths) -> None:
    with run_lock(home.home, "tertial run"):
        assert held(home.home)
        with run_lock(home.home, "inner"):  # the pipeline's functions take it again
            assert held(home.home)
        assert held(home.home)
        assert holder(home.home).command == "tertial run"  # type: ignore[union-attr]
    assert not held(home.home)
    assert holder(home.home) is None  # nobody holds it: the note is cleared
    with run_lock(home.home):
        pass


def test_busy_is_raised_before_anything_is_done(home: Paths) -> None:
    with lock_held_elsewhere(home), pytest.raises(RunBusy, match="busy"), run_lock(home.home):
        pytest.fail("the body must not run")


def test_a_waiting_run_takes_the_lock_when_the_holder_ends(home: Paths) -> None:
    # A Dagster run on the lake waits for the loaders (orchestration/resources.py).
    with lock_held_elsewhere(home) as other:
        with pytest.raises(RunBusy), run_lock(home.home, wait_seconds=1.5):
            pytest.fail("the body must not run while the other holds it")
        threading.Timer(1.0, other.stdin.close).start()  # type: ignore[union-attr]
        started = time.monotonic()
        with run_lock(home.home, "dagster run", wait_seconds=60):
            assert held(home.home)
        assert 0.5 < time.monotonic() - started < 60


def test_a_damaged_working_database_is_one_line_and_touched_by_nobody(home: Paths, capsys) -> None:
    garbage = b"not a database, a file someone copied over it\n" * 2000
    home.database.write_bytes(garbage)
    shutil.copy(FEBRUARY, home.landing / FEBRUARY.name)
    for command in (["ingest", str(FEBRUARY)], ["run"], ["build"], ["replay"], ["batches"]):
        assert main(command) == 2, command
        line = one_line(capsys.readouterr().err)
        assert "cannot be opened" in line and "restore" in line and "tertial replay" in line
    assert home.database.read_bytes() == garbage
    assert (home.landing / FEBRUARY.name).exists()


def test_a_home_that_cannot_be_a_folder_is_one_line(tmp_path: Path, capsys) -> None:
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file, not a folder\n")
    for command in (["ingest", str(REGISTER)], ["run"], ["build"]):
        assert main(["--home", str(not_a_folder), *command]) == 2
        line = one_line(capsys.readouterr().err)
        assert f"cannot use TERTIAL_HOME {not_a_folder}" in line, line


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_a_masked_log(
    home: Paths, capsys
) -> None:
    # A DuckDB file without the event log: not ours, not damaged, nothing we foresaw.
    duckdb.connect(str(home.database)).close()
    assert main(["retractions"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("error: unexpected error: CatalogException"), line
    log = Path(line.rsplit("details in ", 1)[1].rstrip(")"))
    assert log.parent == home.home / "logs"
    assert "Traceback" in log.read_text() and "retractions" in log.read_text()

    # Whatever an exception says, its log never shows a personnummer.
    try:
        raise ValueError("a cell held 19121212-1212")
    except ValueError as exc:
        written = Path(_log_details(home, exc))
    text = written.read_text()
    assert "19121212-****" in text and "19121212-1212" not in text


# -- a full disk: a real one (a small tmpfs), root only ---------------------------------


@contextlib.contextmanager
def small_disk(folder: Path, free: int) -> Iterator[Path]:
    """Mount a tmpfs over `folder` with its current files and about `free` bytes spare."""
    folder.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix="aside-"))
    for item in folder.iterdir():
        shutil.move(str(item), aside / item.name)
    used = sum(p.stat().st_size for p in aside.iterdir())
    size = (used + free) // 4096 * 4096 + 4096
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        for item in aside.iterdir():
            shutil.move(str(item), folder / item.name)
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        for item in aside.iterdir():
            shutil.copy2(item, folder / item.name)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        for item in aside.iterdir():  # the folder as it was before the mount
            shutil.move(str(item), folder / item.name)
        shutil.rmtree(aside, ignore_errors=True)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def test_a_full_disk_during_ingest_is_one_line_and_loads_nothing(
    home: Paths, loaded: Load, capsys
) -> None:
    loaded(home, REGISTERS)
    shutil.copy(FEBRUARY, home.landing / FEBRUARY.name)
    before = event_state(home)
    capsys.readouterr()
    with small_disk(home.database.parent, free=8 * 1024):
        assert main(["run"]) == 2
        line = one_line(capsys.readouterr().err)
        assert "the disk is full" in line and "No space left on device" in line, line
        assert "free space" in line
        assert event_state(home) == before
    assert (home.landing / FEBRUARY.name).exists()  # for the next run, once there is room
    assert not any(home.quarantine.iterdir())  # a full disk is no fault of the file


def test_a_full_disk_during_either_publish_keeps_the_old_copy_and_no_temporary(
    home: Paths, loaded: Load
) -> None:
    loaded(home, REGISTERS)
    publish_event_log(home.database, home.published_events)
    publish(home.database, home.published)
    assert main(["ingest", str(FEBRUARY)]) == 0  # something new to publish
    old_log, old_snapshot = digest(home.published_events), digest(home.published)

    with small_disk(home.published_dir, free=64 * 1024):
        # The log's copy (a clone of the old one first) does not fit: the old one stays.
        with pytest.raises(OSError, match="No space left") as raised:
            publish_event_log(home.database, home.published_events)
        assert raised.value is not None
        assert digest(home.published_events) == old_log
        assert temporaries(home.published_dir) == []

        # The marts snapshot does not fit either: the old one stays, whole, readable.
        with pytest.raises(duckdb.Error, match="No space left"):
            publish(home.database, home.published)
        assert digest(home.published) == old_snapshot
        assert temporaries(home.published_dir) == []
        with duckdb.connect(str(home.published), read_only=True) as con:
            assert con.execute("select count(*) from meta.batches").fetchone() == (2,)


def test_paths_of_a_missing_home_are_created_by_writers_only(tmp_path: Path, capsys) -> None:
    missing = paths(tmp_path / "nowhere")
    assert main(["--home", str(missing.home), "status"]) == 2
    assert "tertial build" in one_line(capsys.readouterr().err)
    assert not missing.home.exists()  # a reader creates nothing

"""One writer at a time per `TERTIAL_HOME`: the run lock.

DuckDB lets one process write a database file, and a second writer fails with an
IOException wherever it happens to meet the first: at its first load, or between the
other's build and its publish. So every command that writes (`tertial run`, `build`,
`ingest`, `retract`, `replay`, `demo`, `docs`) and the Dagster assets that load, build
or publish take this lock first, for the whole command; a second one is told at once
who holds it and ends with exit code 3, before it has touched anything. Readers
(`query`, `status`, `history`, `explain`, `batches`) never take it.

The lock is `flock(2)` on `<home>/run.lock`, taken without waiting. The kernel drops it
when the process ends however it ends, SIGKILL and power cuts included, so a dead run
never leaves a stale lock behind: there is nothing to clean up by hand. The file also
records who holds it (pid, command, since when) for the busy message; that text is
only information, the lock is the flock. The file itself is never removed (removing a
lock file lets two processes lock two different files).

Within one process the lock is re-entrant: `tertial run` takes it, and the pipeline
functions it calls (which Dagster calls on their own) take it again for free (in the
mode it was first taken).

On the DuckLake catalog (`TERTIAL_CATALOG`, warehouse/lake.py) a load writes nothing of
the home's working database: each file is one transaction on the catalog, which
serialises the event commits of every loader. There `tertial ingest` takes the lock
*shared* (`shared=True`, `LOCK_SH`): several loaders of one home load at once, as
loaders on several machines do, while a command that takes it exclusively (build,
publish, retract, replay, `run`) is refused while any loader runs, and refuses them
while it runs. A shared holder records nothing in the file (several hold it at once).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shlex
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sources._common.personnummer import mask

LOCK_NAME = "run.lock"

_guard = threading.Lock()
_held: dict[Path, list[int]] = {}  # lock path -> [fd, depth], this process's locks


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as its holder recorded it."""

    pid: int | None
    command: str
    since: str


class RunBusy(RuntimeError):
    """Another run holds the lock of this TERTIAL_HOME; nothing was done."""

    def __init__(self, message: str, holder: Holder | None) -> None:
        super().__init__(message)
        self.holder = holder


def lock_path(home: Path) -> Path:
    return home / LOCK_NAME


def command_line() -> str:
    """This process's command line as a user would type it (`tertial run`)."""
    argv = list(sys.argv) or ["?"]
    program = Path(argv[0]).name
    if program in {"cli.py", "__main__.py"}:
        program = "tertial"  # python -m tertial.cli
    return shlex.join([program, *argv[1:]])


def _masked(text: str) -> str:
    """A command line may carry a personnummer (`retract --reason ...`): never echo it."""
    return mask(text)


def holder(home: Path) -> Holder | None:
    """What the current (or last) holder recorded; None when nothing readable is there."""
    try:
        text = lock_path(home).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    return Holder(
        pid if isinstance(pid, int) else None,
        str(data.get("command") or "?"),
        str(data.get("since") or "?"),
    )


def busy_message(home: Path, found: Holder | None) -> str:
    who = "another run"
    if found is not None:
        who = f"`{found.command}` (pid {found.pid}, since {found.since})"
    return (
        f"busy: {who} holds the run lock of {home} (one writer at a time); "
        "nothing was done: run this again when it has finished"
    )


@contextmanager
def run_lock(
    home: Path, command: str | None = None, *, shared: bool = False, wait_seconds: float = 0
) -> Iterator[None]:
    """Hold the run lock of `home` for the block, or raise RunBusy at once.

    Re-entrant within a process; `command` (default: this process's command line) is
    what a second run is told holds it. `shared`: a loader on the lake (module
    docstring), which other shared holders do not exclude. `wait_seconds`: try again
    every second for that long before RunBusy (a Dagster run on the lake waiting for
    the loaders: orchestration/resources.py); the command line never waits.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = lock_path(home).resolve()
    with _guard:
        mine = _held.get(path)
        if mine is not None:
            mine[1] += 1
    if mine is not None:
        try:
            yield
        finally:
            with _guard:
                mine[1] -= 1
        return

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # close-on-exec: dbt never inherits it
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(1.0)
    except BlockingIOError:
        os.close(fd)
        found = holder(home)
        message = busy_message(home, found)
        if found is None and not shared:
            # Shared holders record nothing: loaders on the lake, most likely.
            message = (
                "busy: loaders on the DuckLake catalog (`tertial ingest`) or another run "
                f"hold the run lock of {home}; nothing was done: run this again when they "
                "have finished"
            )
        raise RunBusy(message, found) from None
    except BaseException:
        os.close(fd)
        raise
    try:
        if not shared:
            record = {
                "pid": os.getpid(),
                "command": _masked(command or command_line()),
                "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            }
            with contextlib.suppress(OSError):  # a full disk: the lock holds all the same
                os.ftruncate(fd, 0)
                os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)
        with _guard:
            _held[path] = [fd, 1]
        try:
            yield
        finally:
            with _guard:
                del _held[path]
            if not shared:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)  # nobody holds it now
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def held(home: Path) -> bool:
    """Whether this process holds the run lock of `home`."""
    with _guard:
        return lock_path(home).resolve() in _held

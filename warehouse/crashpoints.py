"""Test hook: die by SIGKILL at a named step, to prove a load is all or nothing.

`TERTIAL_CRASH_AT=<step>` makes the process kill itself, without any cleanup or
`finally`, when it reaches that step. Only `tests/integration/test_crash_safety.py`
sets it; unset (always, in production) each call is one dictionary lookup.

Steps: `after_parse`, `after_validation` (warehouse/ingest.py), `before_commit` (inside
the append transaction, warehouse/store.py), `after_commit` (the batch is committed,
the file not yet archived), `during_build` (dbt is building: its first node has
finished, warehouse/build.py; dbt dies with us), `during_log_publish` (half-way through
the copy of the event log: rows appended to the temporary copy, not yet committed,
warehouse/published_log.py), `during_snapshot_copy` (half-way through writing the new
marts snapshot, warehouse/publish.py), `during_publish` (the new snapshot is written
but not yet renamed into place, warehouse/publish.py).
"""

from __future__ import annotations

import os
import signal

STEPS = (
    "after_parse",
    "after_validation",
    "before_commit",
    "after_commit",
    "during_build",
    "during_log_publish",
    "during_snapshot_copy",
    "during_publish",
)
ENV = "TERTIAL_CRASH_AT"
FAULT_ENV = "TERTIAL_FAULT_AT"


def crash_point(step: str) -> None:
    """SIGKILL this process if the test hook asks for a crash at `step`."""
    assert step in STEPS, step
    if os.environ.get(ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def fault_point(step: str, file_name: str) -> None:
    """Raise an error nobody foresaw at `step` while the file `file_name` is handled.

    `TERTIAL_FAULT_AT=<step>:<file name>`: proves that such an error rejects that one
    file (rule `unreadable`) and the night goes on. Only tests set it.
    """
    assert step in STEPS, step
    if os.environ.get(FAULT_ENV) == f"{step}:{file_name}":
        raise RuntimeError(f"fault injected at {step} ({FAULT_ENV})")

"""A sensor on landing/: new files there start the loads they need, month by month."""

import hashlib
import os
import time
from typing import Any

import dagster as dg

from orchestration.partitions import is_register, monthly_files
from sources.registry import is_companion
from warehouse.ingest import expand, seconds_since_change
from warehouse.settings import ORPHAN_CONTROL_SECONDS, Paths, landing_settle_seconds, paths


def landing_fingerprint(home: Paths) -> str:
    """A digest of what lies in landing/ (names, sizes, modification times, and whether
    each file has settled or a lone control file has waited its day).

    Files leave landing/ once handled, so an empty digest means nothing to do and a
    changed one means something new landed, or a file left `waiting` (an upload still
    being written, a `.ctl` without its data file) is now due: without that a file
    that settles after the tick that saw it would wait for the nightly schedule.
    Reading metadata only keeps each tick cheap even with a month's 1 M-row file waiting.
    """
    now = time.time()
    settle = landing_settle_seconds()
    entries = []
    for path in expand([home.landing]):
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if is_companion(path):
            due = now - st.st_mtime >= ORPHAN_CONTROL_SECONDS
        else:
            due = seconds_since_change(st, now) >= settle
        entries.append(f"{path.relative_to(home.landing)}|{st.st_size}|{st.st_mtime_ns}|{int(due)}")
    if not entries:
        return ""
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def landing_run_requests(home: Paths, fingerprint: str) -> list[dg.RunRequest]:
    """`ingest_registers` if a register waits, one `ingest_monthly` run per month with
    files waiting, then one `nightly` run.

    The run queue takes one run at a time in the order requested, so the registers are
    loaded before the months whose codes they resolve, and every month is in the event
    log before the nightly run builds and publishes.
    """
    files = expand([home.landing])
    waiting = monthly_files(files)
    months = sorted({key for keys in waiting.values() for key in keys})
    requests = []
    if any(is_register(p) for p in files):
        requests.append(dg.RunRequest(job_name="ingest_registers", run_key=f"{fingerprint}:reg"))
    requests += [
        dg.RunRequest(
            job_name="ingest_monthly", partition_key=month, run_key=f"{fingerprint}:{month}"
        )
        for month in months
    ]
    requests.append(dg.RunRequest(job_name="nightly", run_key=f"{fingerprint}:nightly"))
    return requests


def build_landing_sensor(jobs: list[Any]) -> dg.SensorDefinition:
    @dg.sensor(
        jobs=jobs, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
    )
    def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        """Request the loads for files in landing/ not seen before."""
        home = paths().ensure()
        fingerprint = landing_fingerprint(home)
        if not fingerprint:
            return dg.SkipReason(f"nothing in {home.landing}")
        if fingerprint == context.cursor:
            return dg.SkipReason("no new files since the last run request")
        return dg.SensorResult(
            run_requests=landing_run_requests(home, fingerprint), cursor=fingerprint
        )

    return landing_sensor

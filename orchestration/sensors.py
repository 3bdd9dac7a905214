"""A sensor on landing/: a new or changed file there starts the nightly job."""

import hashlib
from typing import Any

import dagster as dg

from sources.registry import is_companion
from tertial.settings import Paths, paths


def landing_fingerprint(home: Paths) -> str:
    """A digest of what lies in landing/ (names, sizes, modification times).

    Files leave landing/ once handled, so an empty digest means nothing to do and a
    changed one means something new landed. Reading metadata only keeps each tick
    cheap even with a month's 1 M-row file waiting.
    """
    entries = sorted(
        f"{p.relative_to(home.landing)}|{p.stat().st_size}|{p.stat().st_mtime_ns}"
        for p in home.landing.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not is_companion(p)
    )
    if not entries:
        return ""
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


def build_landing_sensor(job: dg.JobDefinition | Any) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
    def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        """Request a run of the nightly job when landing/ holds files not seen before."""
        home = paths().ensure()
        fingerprint = landing_fingerprint(home)
        if not fingerprint:
            return dg.SkipReason(f"nothing in {home.landing}")
        if fingerprint == context.cursor:
            return dg.SkipReason("no new files since the last run request")
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint
        )

    return landing_sensor

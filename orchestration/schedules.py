"""The nightly schedule: 02:00 in Stockholm, when the day's exports have landed."""

from typing import Any

import dagster as dg

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Europe/Stockholm"


def build_nightly_schedule(job: dg.JobDefinition | Any) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nightly_schedule",
        job=job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Ingest what landed, build with dbt, publish the snapshot.",
    )

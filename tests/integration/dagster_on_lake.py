"""One `ingest_monthly` partition run as Dagster runs it on the lake, in a process of its own.

`python -m tests.integration.dagster_on_lake 2011-06-01` with TERTIAL_HOME, TERTIAL_CATALOG
and DAGSTER_HOME set: the instance of DAGSTER_HOME's dagster.yaml (orchestration/instance.py)
executes the job of orchestration/definitions.py, whose executor on the lake starts a
process per step. Prints one JSON line: the run, whether it succeeded, how many step
processes started and which storage the instance has. (tests/integration/test_dagster_lake.py)
"""

from __future__ import annotations

import json
import sys

import dagster as dg


def monthly_job() -> dg.JobDefinition:
    """The job as the definitions resolve it (reconstructed by every step process)."""
    from orchestration.definitions import defs

    return defs.resolve_job_def("ingest_monthly")


def main(partition: str) -> None:
    # Imported by its module's name, not as __main__: the step processes import it so.
    from tests.integration.dagster_on_lake import monthly_job as job

    instance = dg.DagsterInstance.get()
    with dg.execute_job(
        dg.reconstructable(job), instance=instance, tags={"dagster/partition": partition}
    ) as result:
        workers = [
            event
            for event in instance.all_logs(result.run_id)
            if event.dagster_event is not None
            and event.dagster_event.event_type_value == "STEP_WORKER_STARTED"
        ]
        print(
            json.dumps(
                {
                    "run_id": result.run_id,
                    "success": result.success,
                    "step_processes": len(workers),
                    "run_storage": type(instance.run_storage).__name__,
                }
            )
        )


if __name__ == "__main__":
    main(sys.argv[1])

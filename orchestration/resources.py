"""Dagster resources: where the warehouse lives."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from warehouse.lock import run_lock
from warehouse.settings import Paths, paths


class TertialHome(dg.ConfigurableResource):
    """The `TERTIAL_HOME` the assets read and write (default: the environment's).

    Initialised, it holds the run lock of that home (warehouse/lock.py) until the run
    ends: every asset (ingest, dbt, publish) writes the working database, so a Dagster
    run and a `tertial run` never write at the same time and nothing slips in between
    a run's build and its publish. The jobs execute in one process (in_process_executor),
    where a resource is initialised once per run; a run that finds the lock taken fails
    at once with the holder's pid and command (`RunBusy`), before any step has run.
    """

    home: str | None = None

    def paths(self) -> Paths:
        return paths(self.home).ensure()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["TertialHome"]:
        with run_lock(self.paths().home, f"dagster run {context.run_id or '(no id)'}"):
            yield self

"""Dagster resources: where the warehouse lives, and the dbt project over it."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.instance import LOCK_TAG
from warehouse import saved_parse
from warehouse.build import backend_target, dbt_env, dbt_executable, run_dbt
from warehouse.lake import configured_lake
from warehouse.lock import run_lock
from warehouse.settings import DBT_PROJECT_DIR, Paths, paths

# How long a Dagster run on the lake waits for the run lock: a month's files load in
# ~10-60 s and a whole build on the lake takes minutes (docs/ducklake.md); a holder
# still going after 30 min has hung, and the run fails saying who holds the lock.
LOCK_WAIT_SECONDS = 1800.0


class TertialHome(dg.ConfigurableResource):
    """The `TERTIAL_HOME` the assets read and write (default: the environment's).

    Initialised, it holds the run lock of that home (warehouse/lock.py) until the run
    ends: every asset (ingest, dbt, publish) writes the working database, so a Dagster
    run and a `tertial run` never write at the same time and nothing slips in between
    a run's build and its publish. The jobs execute in one process (in_process_executor),
    where a resource is initialised once per run; a run that finds the lock taken fails
    at once with the holder's pid and command (`RunBusy`), before any step has run.

    On the DuckLake catalog (issue 18) the ingest jobs (run tag `tertial/lock: shared`)
    run each step in a process of its own, each taking the lock shared, as `tertial
    ingest` does there; any other run takes it exclusively. Dagster's queue starts runs
    side by side there (orchestration/instance.py), so each waits up to
    `LOCK_WAIT_SECONDS` for the lock (the nightly for the loaders, a loader for the
    nightly's build and publish) instead of failing at once.
    """

    home: str | None = None

    def paths(self) -> Paths:
        return paths(self.home).ensure()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["TertialHome"]:
        run = context.dagster_run
        on_lake = configured_lake() is not None
        shared = on_lake and run is not None and run.tags.get(LOCK_TAG) == "shared"
        with run_lock(
            self.paths().home,
            f"dagster run {context.run_id or '(no id)'}",
            shared=shared,
            # On the lake the queue starts runs side by side (orchestration/instance.py):
            # the nightly waits for the loaders, a loader for the nightly's build.
            wait_seconds=LOCK_WAIT_SECONDS if on_lake else 0,
        ):
            yield self


def dbt_project(home: Paths) -> DbtProject:
    """The dbt project with its target (and so its manifest) in `home`.

    The same project, profiles and target folder as `tertial build` (warehouse.build
    `dbt_args`): a build by either front door leaves the manifest the other reads.
    """
    return DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=home.dbt_target
    )


def dbt_resource(home: Paths) -> DbtCliResource:
    """dagster-dbt's runner of the project, with this environment's `dbt`."""
    return DbtCliResource(project_dir=dbt_project(home), dbt_executable=dbt_executable())


@contextmanager
def dbt_environment(home: Paths) -> Iterator[None]:
    """`warehouse.build.dbt_env(home)` in the environment while dbt is started, then back.

    dagster-dbt's `DbtCliResource.cli` takes no environment: it reads the profile in this
    process and starts dbt with a copy of `os.environ`. So the working database and its
    memory limit of this run's home are set for that call only and the environment is
    restored after it: nothing leaks into the next run or another home. The jobs run
    one step at a time in one process (in_process_executor), so nothing else reads the
    environment meanwhile.
    """
    target, target_env = backend_target()
    wanted = {**dbt_env(home), **target_env}  # the catalog's, on the lake
    # dagster-dbt starts `tertial-dbt` in the project folder, which enters the home the
    # environment names; a home without dbt's saved parse gets this machine's.
    saved_parse.seed(home.dbt_target, saved_parse.saved_for(saved_parse.target_of(target)))
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prepared(home: Paths) -> DbtProject:
    """The dbt project of `home`, with a manifest for `@dbt_assets` to read.

    Under `dagster dev` dagster-dbt prepares it (`prepare_if_dev`: `dbt parse` at every
    load, so a changed model shows at once). Elsewhere the manifest is the one the last
    build left in the home's target folder (`tertial build`, a Dagster run); a home that
    has none yet (a fresh clone, the tests) gets it parsed here, once.
    """
    project = dbt_project(home)
    with dbt_environment(home):
        project.prepare_if_dev()
    # Several processes may load the definitions at once (on the lake, every step of
    # an ingest run is a process of its own, and two runs start together): one parses,
    # the others wait for it, and none reads a manifest half written (seen: orjson's
    # "unexpected content after document" in a second process, 2026-12-06).
    home.dbt_target.mkdir(parents=True, exist_ok=True)
    fd = os.open(home.dbt_target / ".parse.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not project.manifest_path.exists():
            run_dbt(home, "parse")
    finally:
        os.close(fd)  # releases the flock
    return project

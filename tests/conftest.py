"""Shared test fixtures: a TERTIAL_HOME per test and the city's reference files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import psycopg
import pytest
from filelock import FileLock

from warehouse.lake import CATALOG_ENV, DATA_PATH_ENV, Lake, configured_lake
from warehouse.postgres.server import LocalServer
from warehouse.settings import REPO_ROOT, Paths, paths

# Read in place, never copied into the project (shared/README.md).
SHARED = REPO_ROOT.parent / "shared"
SERVICENAMNDEN = SHARED / "reference" / "servicenamnden-2011"
# The board's own comments on its T2 2011 report, kept beside the reference folder.
KOMMENTARER = SHARED / "reference" / "kommentarer" / "kommentarer_2011_T2.csv"
# Its result fund decisions of 2011 as its T2 report prints them (7,6 mnkr opening, 2,0
# used, 5,6 carried over): no export of them came with the folder, so kept with the tests.
RESULTATFOND = Path(__file__).parent / "fixtures" / "resultatfond" / "resultatfond_2011.csv"
# Its balance sheet at 2011-08-31 as its T2 report's "Analys av balansräkning" prints it
# (omsättningstillgångar 38 549 828,67, eget kapital −41 018 403,52): kept with the tests.
BALANS = Path(__file__).parent / "fixtures" / "balans" / "balans_201108.csv"
# The shares of the register's 2007 reorganisation of Kommunstyrelsen's departments
# (1012 Utvecklingsavdelningen -> 1022 0,6 + 1023 0,4, ...): kept with the tests. Nothing
# of Servicenämnden's is booked on those codes, so no figure of expected.md moves.
ORGANISATIONSMAPPNING = (
    Path(__file__).parent / "fixtures" / "organisationsmappning" / "organisationsmappning.csv"
)
# Servicenämnden's responsibility units, named, none moved (the ledger books 14201-14250;
# names as its activities'): kept with the tests. No figure moves; dim_ansvar names them.
ANSVAR = Path(__file__).parent / "fixtures" / "ansvar" / "ansvar.csv"

# `loaded(home, files)`: the fixture below.
Load = Callable[[Paths, Sequence[Path]], None]


def pytest_configure(config: pytest.Config) -> None:
    """Nothing a test does may write into the repository's own var/: give the session a
    TERTIAL_HOME of its own before any module (Dagster's definitions) reads it."""
    os.environ["TERTIAL_HOME"] = tempfile.mkdtemp(prefix="tertial-tests-")
    os.environ["DAGSTER_HOME"] = os.path.join(os.environ["TERTIAL_HOME"], "dagster")
    os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    # Tests drop a file in landing/ and run at once: take it without waiting for it to
    # settle (tests/integration/test_landing.py sets a positive value where it tests that).
    os.environ["TERTIAL_LANDING_SETTLE_SECONDS"] = "0"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on the reference home waits for its build: slow, whatever its module says.

    pytest-xdist hands out whole modules in this order (the Makefile's
    `--no-loadscope-reorder`; by default it starts with the modules of most tests), two
    to each worker at the start, then one to whichever worker is free. So the order is:
    1. one module on the reference home: its worker builds that home (~90-180 s),
    2. the other slow modules that do not need it (a minute and more each), so the other
       worker works meanwhile instead of waiting on the home's file lock (it waited
       179 s of a 1690 s run when both workers started on the home),
    3. the rest of the slow modules, on the home built by then,
    4. the ~770 quick tests, which fill the end on both workers.
    """
    for item in items:
        if "servicenamnden_2011" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    on_home = [
        item.path for item in items if "servicenamnden_2011" in getattr(item, "fixturenames", ())
    ]
    first = on_home[0] if on_home else None

    def group(item: pytest.Item) -> int:
        if item.path == first:
            return 0
        if item.path not in slow:
            return 3
        return 2 if item.path in on_home else 1

    items.sort(key=group)  # stable: each module keeps its order


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.get("TERTIAL_HOME", ""), ignore_errors=True)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """An empty TERTIAL_HOME in tmp_path, also set in the environment for the CLI."""
    monkeypatch.setenv("TERTIAL_HOME", str(tmp_path / "home"))
    return paths(tmp_path / "home").ensure()


def ledger_files(*names: str) -> list[Path]:
    """Reference ledger files by name, plus the two registers they resolve against."""
    return [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"] + [
        SERVICENAMNDEN / n for n in names
    ]


@pytest.fixture(scope="session")
def servicenamnden_2011(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """Every export of `servicenamnden-2011/` loaded as a controller would, then the board's
    comments on its T2 report (`kommentarer/`) and its result fund decisions
    (tests/fixtures/resultatfond/), its balance sheet of August (tests/fixtures/balans/),
    the shares of the 2007 reorganisation (tests/fixtures/organisationsmappning/) and the
    register of its responsibility units (tests/fixtures/ansvar/), built, published.

    Loading the folder (~70 files) and building takes ~30 s on a quiet machine, so the
    tests that only read what is published (acceptance figures, README examples, BI
    connections, docs) share one home for the session; none of them may change its data.
    Under pytest-xdist the workers share it too: the first to need it builds it under a
    file lock, the others wait for it and open it read-only.
    """
    folder = shared_temporary(tmp_path_factory) / "servicenamnden-2011"
    with FileLock(f"{folder}.lock"):
        if not (folder / "built").exists():
            from warehouse.pipeline import build_and_publish

            shutil.rmtree(folder, ignore_errors=True)
            home = paths(folder).ensure()
            results = ingest_reference(home)
            outcome = [
                {"file": r.path.name, "status": r.status, "source": r.source} for r in results
            ]
            (folder / "ingest.json").write_text(json.dumps(outcome), encoding="utf-8")
            build_and_publish(home)
            (folder / "built").touch()
    return paths(folder)


def ingest_reference(home: Paths) -> list:
    """Load the reference home's files into `home`, in the reference home's order: the
    folder, then the board's comments on its report, its fund decisions, balance sheet,
    the 2007 mapping and its units' register (delivered after it)."""
    from warehouse.ingest import ingest

    results = [*ingest(home, [SERVICENAMNDEN]), *ingest(home, [KOMMENTARER])]
    for file in (RESULTATFOND, BALANS, ORGANISATIONSMAPPNING, ANSVAR):
        results += ingest(home, [file])
    return results


@pytest.fixture
def reference_copy(
    servicenamnden_2011: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Paths:
    """A writable copy of the reference home: loaded, built and published, in ~0.1 s.

    For a test that changes a built home (a new month, a retraction, a crash): copying
    the session's home costs a fraction of a second where loading the folder again and
    building costs ~1.5-3 min. TERTIAL_HOME points at the copy, as for `home`.
    """
    copy = paths(tmp_path / "home")
    shutil.copytree(servicenamnden_2011.home, copy.home, symlinks=True)
    monkeypatch.setenv("TERTIAL_HOME", str(copy.home))
    return copy


def ingested(home: Paths) -> list[dict[str, str]]:
    """What the reference home's ingest said of each file: file, status and source."""
    return json.loads((home.home / "ingest.json").read_text(encoding="utf-8"))


def shared_temporary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary root, the same for every pytest-xdist worker."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalServer]:
    """A real PostgreSQL 15 server for the session (one per pytest-xdist worker that asks).

    Started through the product's own code (warehouse/postgres/server.py, what `make
    serve` runs) on a free port, in a folder of its own under /tmp that the `postgres`
    user can reach when the tests run as root (pytest's temporary folders are 0700);
    stopped and removed at the end of the session. `make test` installs Debian's package
    first (`make postgresql`).
    """
    folder = Path(tempfile.mkdtemp(prefix="tertial-pg-"))
    folder.chmod(0o711)
    with socket.socket() as probe:  # a port nobody listens on now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = LocalServer(folder=folder / "postgres", port=port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Load:
    """`loaded(home, files)`: `home` as it is after ingesting `files`, from a copy.

    Many tests start from the same few files ingested (the registers and a month, then
    one broken file each): each set is ingested once per session (per xdist worker) and
    copied into the test's empty home, ~0.05 s instead of ~1-2 s of ingest per test.
    """
    built: dict[tuple[Path, ...], Paths] = {}

    def load(home: Paths, files: Sequence[Path]) -> None:
        from warehouse.ingest import ingest

        key = tuple(files)
        if key not in built:
            once = paths(tmp_path_factory.mktemp("loaded") / "home").ensure()
            ingest(once, list(files))
            built[key] = once
        shutil.copytree(built[key].home, home.home, symlinks=True, dirs_exist_ok=True)

    return load


@pytest.fixture
def lake(
    pg_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request
) -> Iterator[Lake]:
    """A new DuckLake catalog (its own PostgreSQL database) set in the environment."""
    name = "lake_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]
    with psycopg.connect(pg_server.loader_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f"drop database if exists {name}")
        admin.execute(f"create database {name}")
    monkeypatch.setenv(CATALOG_ENV, f"ducklake:postgres:{pg_server.loader_dsn(name)}")
    monkeypatch.setenv(DATA_PATH_ENV, str(tmp_path / "parquet"))
    configured = configured_lake()
    assert configured is not None
    yield configured
    with psycopg.connect(pg_server.loader_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f"drop database if exists {name} with (force)")

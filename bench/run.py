"""The city-scale benchmark: speed, memory and how cost grows, against DuckDB's own floor.

    python -m bench.run --years 1 --rows 100000      # make bench-small
    python -m bench.run --years 10 --rows 1000000    # make bench (by hand: hours)

Every step runs in its own process; the runner polls it and its children (dbt) for the
peak RSS, and prints each timing beside a baseline measured in the same run, as a ratio,
so a busy machine shows up in both and the ratio stays readable. The figures a user waits
for are whole processes (interpreter start, imports and work), timed by the runner on the
real `tertial` command (the installed entry point) against a bare `python -c` with DuckDB
alone, run in alternating pairs (`--ingest-pairs`, `--start-pairs`; medians and range):

- ingest of one `--ingest-rows` Windows-1252 ledger month with `tertial ingest` into a
  warehouse that holds the registers, against the floor of issue 14: Python + DuckDB
  `read_csv` of the same rows as UTF-8 (converted once, untimed) into a new file database;
  its peak RSS; and, for comparison, the old baseline of issue 7 (in-process work of the
  loader against `read_csv` through the `encodings` extension, imports left out);
- `tertial query "select 1"` on the published snapshot, against
  `python -c "import duckdb; duckdb.connect(snapshot, read_only=True).sql('select 1')"`;
- the nightly on 1, 3 and 10 years of history (those not above `--years`): `dbt build`
  after one new month (in-process, as before; the slope is the ratio to 1 year) and
  `tertial run` with nothing new in landing/ (whole process: no dbt); on the largest
  history, `tertial run` with one more month in landing/ (ingest, build and publish);
- replay (`tertial replay` when the CLI has it, else `dbt build --full-refresh`), against
  DuckDB copying the ledger log once;
- publish, against copying the snapshot's bytes;
- the PostgreSQL refresh of the published marts (what every publish does while `tertial
  serve` runs), beside the publish, against psycopg's `COPY` of DuckDB's CSV, on a
  server the runner starts under the home (`home/postgres`, a free port), and dashboard
  queries' p50 on PostgreSQL against the DuckDB snapshot;
- the analyst queries (those of `warehouse/examples.sql` with a scope), p50/p95 on the
  snapshot, against a bare `count(*)` of the fact table.

The table with the targets of issues 7 and 14 goes to stdout and to `docs/benchmarks.md`,
with the machine, its load average and the versions. Data and warehouses live under
`--out` (default `var/bench/`, git-ignored), never in the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from bench import scaleout
from bench.generate import CITY, PROBE, Parameters, arrival
from bench.queries import QUERIES
from warehouse.settings import LANDING_SETTLE_SECONDS_ENV, REPO_ROOT, paths

GIB = 1 << 30
POLL_SECONDS = 0.05
CHECKPOINT_YEARS = (1, 3, 10)
DOCS = REPO_ROOT / "docs" / "benchmarks.md"
FINDINGS = Path(__file__).with_name("findings.md")

# Targets of issue 7, tightened by issue 14 (whole processes against DuckDB's floor).
INGEST_RATIO_MAX = 3.0  # tertial ingest / (python + DuckDB read_csv of the UTF-8 rows)
INGEST_RSS_MAX = 1 * GIB
QUERY_START_RATIO_MAX = 3.0  # tertial query "select 1" / python -c "import duckdb; ..."
NOTHING_NEW_SECONDS_MAX = 2.0  # tertial run with nothing new, 10 years
NIGHTLY_SECONDS_MAX, NIGHTLY_SLOPE_MAX = 10.0, 1.5  # dbt build +1 month, 10 years
REPLAY_SECONDS_MAX = 600.0
PUBLISH_SECONDS_MAX = 60.0
PG_REFRESH_SECONDS_MAX = 30.0  # issue 15: the 10-year marts into PostgreSQL
PG_REFRESH = "PostgreSQL refresh of the published marts"
PG_COPY = "baseline: psycopg COPY of DuckDB's CSV into PostgreSQL"
PG_QUERIES = "dashboard queries: PostgreSQL and DuckDB"
QUERY_P50_MS_MAX = {"board": 100.0, "city": 1000.0}
PEAK_RSS_MAX = 4 * GIB
# Labels of the paired whole-process runs (each run's label gets " #n").
INGEST = "ingest one ledger month: tertial ingest"
INGEST_FLOOR = "floor: python + DuckDB read_csv of the rows as UTF-8"
# The same floor into the event log's own column types (codes as text, DECIMAL(18,2)):
# DuckDB's own guess stores six of the ledger's codes as BIGINT and Belopp as DOUBLE,
# which costs less to store (see `floor_ingest_command`). No target: for comparison.
INGEST_TYPED_FLOOR = "floor: the same read_csv into the event log's column types"
QUERY_START = 'tertial query "select 1"'
QUERY_FLOOR = 'floor: python -c "import duckdb; …select 1"'
# The old baseline (issue 7), in-process work on both sides: for comparison.
INGEST_WORK = "ingest one ledger month"
OLD_BASELINE = "baseline: DuckDB read_csv of the same file"
VERSIONED = (
    "duckdb",
    "polars",
    "pandas",
    "great-expectations",
    "dbt-core",
    "dbt-duckdb",
    "dagster",
    "psutil",
)


@dataclass(frozen=True)
class Measured:
    """One step's process: its own timing (JSON it printed), wall time and peak RSS."""

    label: str
    wall: float
    peak_rss: int  # bytes, the process and all its children at the worst poll
    result: dict = field(default_factory=dict)  # {"output": last lines} if it printed no JSON
    returncode: int = 0
    setup: bool = False  # loading history, not a figure with a target

    @property
    def seconds(self) -> float:
        """The work's own seconds (without interpreter start and imports) if reported."""
        return float(self.result.get("seconds", self.wall))


@dataclass(frozen=True)
class Verdict:
    figure: str
    measured: str
    baseline: str
    ratio: str
    target: str
    holds: bool | None  # None: not decided at this size


def measure(
    label: str,
    command: Sequence[str],
    *,
    setup: bool = False,
    env: dict[str, str] | None = None,
) -> Measured:
    """Run `command`, polling the process tree's RSS; its last stdout line is its JSON.

    `env`: variables set for this step only, on top of `step_environment()`.
    """
    with tempfile.TemporaryFile(mode="w+") as out:
        started = time.perf_counter()
        process = psutil.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            text=True,
            env={**step_environment(), **(env or {})},
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process))
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        out.seek(0)
        lines = out.read().splitlines()
    result = _last_json(lines) or {"output": lines[-10:]}
    if process.returncode != 0 and "output" in result:
        tail = "\n".join(lines[-20:])
        raise RuntimeError(f"{label}: exit {process.returncode}\n{tail}")
    measured = Measured(label, wall, peak, result, process.returncode, setup)
    print(
        f"  {label:<58} {measured.seconds:8.1f} s  (process {wall:6.1f} s, "
        f"peak RSS {peak / GIB:5.2f} GiB)",
        flush=True,
    )
    return measured


def measure_together(
    commands: Sequence[Sequence[str]], env: dict[str, str]
) -> tuple[float, int, list[dict]]:
    """Start every command at once (`measure`'s way, in `step_environment()` and `env`);
    (wall to the last exit, peak RSS of all their trees, each one's JSON)."""
    with contextlib.ExitStack() as stack:
        outs = [stack.enter_context(tempfile.TemporaryFile(mode="w+")) for _ in commands]
        started = time.perf_counter()
        processes = [
            psutil.Popen(
                list(command),
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO_ROOT,
                text=True,
                env={**step_environment(), **env},
            )
            for command, out in zip(commands, outs, strict=True)
        ]
        peak = 0
        while any(p.poll() is None for p in processes):
            peak = max(peak, sum(_tree_rss(p) for p in processes))
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        results = []
        for process, out in zip(processes, outs, strict=True):
            out.seek(0)
            lines = out.read().splitlines()
            if process.returncode != 0:
                tail = "\n".join(lines[-20:])
                command = shlex.join(map(str, process.args))
                raise RuntimeError(f"{command}: exit {process.returncode}\n{tail}")
            results.append(_last_json(lines))
    return wall, peak, results


def step_environment() -> dict[str, str]:
    """The environment of a step: this one, but with Python's bytecode cache allowed.

    With PYTHONDONTWRITEBYTECODE set (this machine's shells set it), every process
    compiles every module it imports from source: half of a 1 M-row ingest's own time
    went to compiling Great Expectations' lazily imported modules (py-spy). A deployed
    warehouse runs with compiled bytecode; the first steps write the cache, the
    measured ones read it.
    """
    # TERTIAL_PG_DSN left out too: the benchmark's publishes must never refresh a real
    # PostgreSQL with its generated city (its own server is given to its steps by DSN).
    dropped = {"PYTHONDONTWRITEBYTECODE", "TERTIAL_PG_DSN"}
    return {k: v for k, v in os.environ.items() if k not in dropped}


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def _last_json(lines: list[str]) -> dict:
    for line in reversed(lines):
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    return {}


def checkpoints(years: int) -> list[int]:
    """History sizes (years) after which one month is added and the build measured.

    >>> checkpoints(1), checkpoints(3), checkpoints(10), checkpoints(5)
    ([1], [1, 3], [1, 3, 10], [1, 3, 5])
    """
    return sorted({y for y in CHECKPOINT_YEARS if y < years} | {years})


def chunks(
    files: Sequence[Path], first_year: int, years: Sequence[int]
) -> list[tuple[list[Path], list[Path]]]:
    """Per checkpoint: (history files still to load, the +1 month's files).

    History up to checkpoint `y` is everything that arrives before January of
    first_year + y (the registers first); the +1 month is that January.
    """
    pending = sorted(files, key=lambda p: (arrival(p.name) or (0, -1), p.name))
    out = []
    for y in years:
        boundary = (first_year + y, 1)
        history = [p for p in pending if (arrival(p.name) or (0, -1)) < boundary]
        month = [p for p in pending if arrival(p.name) == boundary]
        taken = set(history) | set(month)
        pending = [p for p in pending if p not in taken]
        out.append((history, month))
    return out


def tertial_command(python: str) -> list[str]:
    """The `tertial` command as users run it: the entry point installed beside `python`.

    Without one (an uninstalled checkout), `python -m tertial.cli`, which is the same code.
    """
    script = Path(python).parent / "tertial"
    return [str(script)] if script.is_file() else [python, "-m", "tertial.cli"]


def _sql_literal(text: str) -> str:
    """
    >>> print(_sql_literal("it's"))
    'it''s'
    """
    return "'" + text.replace("'", "''") + "'"


def floor_ingest_command(
    python: str, csv: Path, database: Path, types: dict[str, str] | None = None
) -> list[str]:
    """Issue 14's floor of an ingest: Python + DuckDB `read_csv` of the rows (UTF-8) into a
    new file database, as one `python -c` (create table as select; close).

    `types`: DuckDB types by header, else DuckDB's own guess. Its guess for the ledger is
    BIGINT for Period and the six codes (Nämnd, Ansvar, Verksamhet, Konto, Projekt,
    Motpart: a leading zero would be lost) and DOUBLE for Belopp (not exact): two text
    columns to store where the event log has eight. Issue 14's probe, paired: 1.1-1.2 s
    as guessed, 1.5-1.6 s typed as the event log (`ledger_types`).
    """
    typed = ""
    if types:
        pairs = ", ".join(f"{_sql_literal(k)}: {_sql_literal(v)}" for k, v in types.items())
        typed = f", types = {{{pairs}}}"
    select = (
        f"select * from read_csv({_sql_literal(str(csv))}, delim = ';', header = true, "
        f"decimal_separator = ','{typed})"
    )
    code = (
        "import duckdb\n"
        f"con = duckdb.connect({str(database)!r})\n"
        f"con.execute({('create table copied as ' + select)!r})\n"
        "rows = con.execute('select count(*) from copied').fetchone()[0]\n"
        "con.close()\n"
        "print('{\"rows\": %d}' % rows)"
    )
    return [python, "-c", code]


def ledger_types(csv: Path) -> dict[str, str]:
    """The event log's DuckDB type of each column of a ledger file's header (UTF-8).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "h.csv").write_text("Period;Nämnd;Belopp;Övrigt\\n", encoding="utf-8")
    >>> ledger_types(folder / "h.csv")
    {'Period': 'integer', 'Nämnd': 'varchar', 'Belopp': 'decimal(18, 2)'}
    """
    from sources.huvudbok.contract import CONTRACT
    from warehouse.schema import DUCKDB_TYPE

    with csv.open(encoding="utf-8") as lines:
        headers = lines.readline().rstrip("\r\n").split(";")
    kinds = {c.header: c.kind for c in CONTRACT.columns}
    return {h: DUCKDB_TYPE[kinds[h]] for h in headers if h in kinds}


def floor_query_command(python: str, snapshot: Path) -> list[str]:
    """Issue 14's floor of `tertial query "select 1"`: DuckDB opening the snapshot."""
    code = (
        f"import duckdb; duckdb.connect({str(snapshot)!r}, read_only=True)"
        ".sql('select 1').fetchall()"
    )
    return [python, "-c", code]


def has_replay(tertial: Sequence[str]) -> bool:
    """Whether this version's CLI has `tertial replay` (the events branch adds it)."""
    probe = subprocess.run(
        [*tertial, "replay", "--help"],
        capture_output=True,
        cwd=REPO_ROOT,
        env=step_environment(),
        check=False,
    )
    return probe.returncode == 0


def land(files: Sequence[Path], landing: Path) -> None:
    """Deliver files into landing/, as the finance systems do during the day."""
    landing.mkdir(parents=True, exist_ok=True)
    for source in files:
        shutil.copyfile(source, landing / source.name)


def bench_server(home: Path):
    """The benchmark's own PostgreSQL server, under its home, on a port nobody uses."""
    import socket

    from warehouse.postgres.server import LocalServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return LocalServer(folder=home / "postgres", port=port)


def postgres_steps(step, bench: Sequence[str], home: Path, repeat: int) -> None:
    """Refresh PostgreSQL from the published snapshot and time dashboard queries on it.

    The server runs only for these steps: the publishes before them are DuckDB's alone
    (a running server would add its refresh to each), and none after them publishes.
    Skipped, with a line saying so, where PostgreSQL is not installed (`make postgresql`).
    """
    from warehouse.postgres.server import ServerError

    server = bench_server(home)
    try:
        server.start()
    except ServerError as exc:
        print(f"  PostgreSQL steps skipped: {exc}", flush=True)
        return
    try:
        on = ["--home", str(home), "--dsn", server.loader_dsn()]
        step(PG_REFRESH, [*bench, "pg_refresh", *on])
        step(PG_COPY, [*bench, "pg_copy", *on])
        step(PG_QUERIES, [*bench, "pg_queries", *on, "--repeat", str(repeat)])
    finally:
        server.stop()


def step_saved(result: Run, out: Path):
    """Append a measured step to `result` and keep what is measured so far."""

    def record(measured: Measured) -> Measured:
        result.steps.append(measured)
        save(result, "(in progress)", out / "results.partial.json")
        return measured

    return record


def scale_out(
    result: Run,
    out: Path,
    bench: Sequence[str],
    registers: Sequence[Path],
    months: Sequence[Path],
    save_partial,
) -> None:
    """Issue 18's scale-out table (bench/scaleout.py): the months by 1, 2 and 4 loaders at
    once on DuckLake against 1 loader on the embedded file, and the catalog's commits per
    second, on a PostgreSQL server of its own (skipped, said, without PostgreSQL)."""
    from warehouse.lake import CATALOG_ENV, DATA_PATH_ENV
    from warehouse.postgres.server import ServerError

    server = bench_server(out / "lake-server")
    try:
        server.start()
    except ServerError as exc:
        print(f"  scale-out steps skipped: {exc}", flush=True)
        return

    def together(label: str, commands: list[list[str]], env: dict[str, str]) -> None:
        wall, peak, results = measure_together(commands, env)
        rows = sum(int(r.get("rows", 0)) for r in results)
        commits = sum(int(r.get("commits", 0)) for r in results)
        gave_up = sum(int(r.get("gave_up", 0)) for r in results)
        measured = Measured(
            label,
            wall,
            peak,
            {
                "seconds": wall,
                "rows": rows,
                "commits": commits,
                "gave_up": gave_up,
                "each": results,
            },
        )
        save_partial(measured)
        extra = f"{rows:,} rows" if rows else f"{commits:,} commits"
        print(f"  {label:<58} {wall:8.1f} s  ({extra}, peak RSS {peak / GIB:5.2f} GiB)", flush=True)

    try:
        home = scaleout.fresh(out / "scale-embedded")
        save_partial(
            measure(
                f"setup: {scaleout.PREFIX}registers, embedded file",
                [*bench, "ingest", "--home", str(home), *map(str, registers)],
                setup=True,
            )
        )
        ingest = [*bench, "ingest", "--home", str(home), *map(str, months)]
        together(scaleout.loaders_label("embedded file", 1), [ingest], {})
        for count in scaleout.LOADERS:
            lake = {
                CATALOG_ENV: scaleout.lake_database(
                    server, scaleout.catalog_name(out, f"lake {count}")
                ),
                DATA_PATH_ENV: str(scaleout.fresh(out / f"scale-lake-{count}")) + os.sep,
            }
            homes = [scaleout.fresh(out / f"scale-lake-{count}-home-{i}") for i in range(count)]
            save_partial(
                measure(
                    f"setup: {scaleout.PREFIX}registers, DuckLake for {count}",
                    [*bench, "ingest", "--home", str(homes[0]), *map(str, registers)],
                    setup=True,
                    env=lake,
                )
            )
            commands = [
                [*bench, "ingest", "--home", str(h), *map(str, part)]
                for h, part in zip(homes, scaleout.deal(months, count), strict=True)
            ]
            together(scaleout.loaders_label("DuckLake", count), commands, lake)
        lake = {
            CATALOG_ENV: scaleout.lake_database(server, scaleout.catalog_name(out, "commits")),
            DATA_PATH_ENV: str(scaleout.fresh(out / "scale-commits")) + os.sep,
        }
        for count in (1, 4):
            commands = [
                [
                    *bench,
                    "lake_commits",
                    "--home",
                    str(scaleout.fresh(out / f"scale-commits-home-{i}")),
                    "--count",
                    str(scaleout.COMMITS),
                ]
                for i in range(count)
            ]
            together(scaleout.commits_label(count), commands, lake)
    finally:
        server.stop()


@dataclass
class Run:
    """Everything measured in one benchmark run."""

    parameters: Parameters
    started_at: dt.datetime
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    steps: list[Measured] = field(default_factory=list)
    nightly: dict[int, dict[str, Measured]] = field(default_factory=dict)
    replay_command: str = ""
    seconds: float = 0.0
    machine: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def step(self, label: str) -> Measured:
        return next(s for s in self.steps if s.label == label)

    def series(self, label: str) -> list[Measured]:
        """The runs of a paired figure: `label #1`, `label #2`, ..."""
        return [s for s in self.steps if s.label.rpartition(" #")[0] == label]


def run(
    parameters: Parameters,
    out: Path,
    *,
    repeat: int,
    ingest_pairs: int = 3,
    start_pairs: int = 5,
) -> Run:
    """Generate, load history checkpoint by checkpoint, and measure every figure."""
    python = sys.executable
    bench = [python, "-m", "bench.steps"]
    tertial = tertial_command(python)
    started = time.perf_counter()
    result = Run(parameters, dt.datetime.now(dt.UTC), os.getloadavg())
    result.machine, result.versions = machine(), versions()
    data, home, probe_home = out / "data", out / "home", out / "probe-home"
    bench_server(home).stop()  # one a stopped run left running, before its folder goes
    for folder in (home, probe_home):
        shutil.rmtree(folder, ignore_errors=True)

    def step(
        label: str,
        command: Sequence[str],
        *,
        setup: bool = False,
        env: dict[str, str] | None = None,
    ) -> Measured:
        measured = measure(label, command, setup=setup, env=env)
        result.steps.append(measured)
        # Hours at 10 years: keep what is measured so far, should the run be stopped.
        save(result, "(in progress)", out / "results.partial.json")
        return measured

    p = parameters
    step(
        "setup: generate the city's exports",
        [
            python,
            "-m",
            "bench.generate",
            "--out",
            str(data),
            "--years",
            str(p.years),
            "--rows",
            str(p.rows),
            "--ingest-rows",
            str(p.ingest_rows),
            "--first-year",
            str(p.first_year),
            "--seed",
            str(p.seed),
        ],
        setup=True,
    )
    city = data / CITY
    files = sorted(f for f in city.rglob("*.csv") if f.is_file())
    registers = [f for f in files if arrival(f.name) is None]
    years = checkpoints(p.years)
    on_home = [*tertial, "--home", str(home)]
    for y, (history, month) in zip(years, chunks(files, p.first_year, years), strict=True):
        label = f"{y} year{'s' if y > 1 else ''}"
        if history:
            step(
                f"setup: ingest history to {label}",
                [*bench, "ingest", "--home", str(home), *map(str, history)],
                setup=True,
            )
            step(
                f"setup: build history of {label}",
                [*bench, "build", "--home", str(home)],
                setup=True,
            )
        nightly = result.nightly[y] = {
            "ingest": step(
                f"ingest +1 month on {label}",
                [*bench, "ingest", "--home", str(home), *map(str, month)],
            ),
            "build": step(
                f"nightly build +1 month on {label}",
                [*bench, "build", "--home", str(home), "--nightly"],
            ),
        }
        step(f"setup: publish {label}", [*bench, "publish", "--home", str(home)], setup=True)
        # The nightly as the user gets it when nothing new landed: no dbt at all.
        nightly["run_noop"] = step(f"tertial run, nothing new, on {label}", [*on_home, "run"])
    # One more month (February) into landing/, and the whole nightly on the largest history.
    later = (p.first_year + years[-1], 2)
    if after := [f for f in files if arrival(f.name) == later]:
        land(after, paths(home).landing)
        # Delivered hours before the night in real life: no need to wait for them to settle.
        result.nightly[years[-1]]["run_month"] = step(
            f"tertial run +1 month on {years[-1]} year(s): ingest, build, publish",
            [*on_home, "run"],
            env={LANDING_SETTLE_SECONDS_ENV: "0"},
        )

    if has_replay(tertial):
        result.replay_command = "tertial replay"
        replay = [*on_home, "replay"]
    else:
        result.replay_command = "dbt build --full-refresh (no `tertial replay` in this version)"
        replay = [*bench, "build", "--home", str(home), "--full-refresh"]
    step("replay", replay)
    scratch = out / "scratch.duckdb"
    step(
        "baseline: DuckDB copies the ledger log",
        [*bench, "copy_log", "--home", str(home), str(scratch)],
    )
    step("publish", [*bench, "publish", "--home", str(home)])
    published = [home / "published" / "event_log.duckdb", home / "published" / "tertial.duckdb"]
    step(
        "baseline: copy the published files' bytes",
        [*bench, "copy_file", str(out / "published-copy"), *map(str, published)],
    )
    postgres_steps(step, bench, home, repeat)
    step(
        "queries",
        [
            *bench,
            "queries",
            "--home",
            str(home),
            "--queries",
            str(QUERIES),
            "--repeat",
            str(repeat),
        ],
    )
    # `tertial query "select 1"` against DuckDB opening the snapshot: whole processes,
    # alternated, after one unmeasured run of each (the bytecode cache, the page cache).
    query = [*on_home, "query", "select 1"]
    floor = floor_query_command(python, paths(home).published)
    step(f"setup: warm-up, {QUERY_START}", query, setup=True)
    step("setup: warm-up, " + QUERY_FLOOR.removeprefix("floor: "), floor, setup=True)
    for n in range(1, start_pairs + 1):
        step(f"{QUERY_START} #{n}", query)
        step(f"{QUERY_FLOOR} #{n}", floor)

    step(
        "setup: registers into an empty warehouse",
        [*bench, "ingest", "--home", str(probe_home), *map(str, registers)],
        setup=True,
    )
    [probe] = sorted((data / PROBE).glob("huvudbok_*.csv"))
    utf8 = out / "probe-utf8" / probe.name
    step("setup: the probe's rows as UTF-8", [*bench, "to_utf8", str(probe), str(utf8)], setup=True)
    # Ingest and floor alternately, each ingest into its own copy of the registers' home
    # (copied untimed): the machine is shared, so a pair sees the same load.
    floor_database = out / "floor.duckdb"
    for n in range(1, ingest_pairs + 1):
        fresh = out / f"probe-home-{n}"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(probe_home, fresh)
        step(f"{INGEST} #{n}", [*tertial, "--home", str(fresh), "ingest", str(probe)])
        shutil.rmtree(fresh)
        floor_database.unlink(missing_ok=True)
        step(f"{INGEST_FLOOR} #{n}", floor_ingest_command(python, utf8, floor_database))
        floor_database.unlink(missing_ok=True)
        typed = floor_ingest_command(python, utf8, floor_database, ledger_types(utf8))
        step(f"{INGEST_TYPED_FLOOR} #{n}", typed)
        floor_database.unlink(missing_ok=True)
    # The old baseline, for comparison: in-process work on both sides, imports left out.
    step(INGEST_WORK, [*bench, "ingest", "--home", str(probe_home), str(probe)])
    step(OLD_BASELINE, [*bench, "read_csv", str(probe), str(out / "read_csv.duckdb")])
    scale_out(result, out, bench, *scaleout.inputs(files), save_partial=step_saved(result, out))
    result.load_after = os.getloadavg()
    result.seconds = time.perf_counter() - started
    return result


# --- verdicts ---------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _x(ratio: float) -> str:
    return f"{ratio:.1f}×"


def _spread(values: Sequence[float], unit=_s) -> str:
    """Median and range of a paired figure.

    >>> _spread([3.0, 1.0, 2.0]), _spread([0.5])
    ('2.0 s (1.0 s–3.0 s)', '500 ms')
    """
    median = unit(statistics.median(values))
    return median if len(values) == 1 else f"{median} ({unit(min(values))}–{unit(max(values))})"


def _paired(mine: Sequence[Measured], floor: Sequence[Measured]) -> tuple[float, str]:
    """The ratio of the medians (process wall), and that with the range of the pairs' ratios."""
    ratio = statistics.median(m.wall for m in mine) / statistics.median(f.wall for f in floor)
    pairs = [m.wall / f.wall for m, f in zip(mine, floor, strict=False)]
    if len(pairs) < 2:
        return ratio, _x(ratio)
    return ratio, f"{_x(ratio)} ({_x(min(pairs))}–{_x(max(pairs))})"


def _whole(runs: Sequence[Measured]) -> str:
    return f"{len(runs)} run{'s' if len(runs) > 1 else ''}"


def verdicts(result: Run) -> list[Verdict]:
    """Each target of issues 7 and 14 with the figure of this run, and whether it holds."""
    p = result.parameters
    out = []
    ingests, floors = result.series(INGEST), result.series(INGEST_FLOOR)
    work = result.step(INGEST_WORK)
    rows = work.result.get("rows", 0)
    if ingests and floors:
        ratio, shown = _paired(ingests, floors)
        floor_rows = {f.result.get("rows") for f in floors}
        same = "" if floor_rows == {rows} else f"; **rows differ: {sorted(floor_rows, key=str)}**"
        out.append(
            Verdict(
                f"ingest, {rows:,}-line CP1252 ledger month: `tertial ingest`, whole process "
                f"(median of {_whole(ingests)}, range)",
                _spread([m.wall for m in ingests]),
                f"python + DuckDB read_csv of the rows as UTF-8, whole process "
                f"{_spread([f.wall for f in floors])}{same}",
                shown,
                f"≤ {INGEST_RATIO_MAX:g}×",
                ratio <= INGEST_RATIO_MAX and not same,
            )
        )
        typed_floors = result.series(INGEST_TYPED_FLOOR)
        if typed_floors:
            _, typed_shown = _paired(ingests, typed_floors)
            out.append(
                Verdict(
                    "the same ingest against the floor typed as the event log "
                    "(for comparison, no target)",
                    _spread([m.wall for m in ingests]),
                    "python + DuckDB read_csv into VARCHAR codes, INTEGER Period, "
                    "DECIMAL(18,2) Belopp, whole process "
                    + _spread([f.wall for f in typed_floors]),
                    typed_shown,
                    "—",
                    None,
                )
            )
        heaviest = max(m.peak_rss for m in ingests)
        out.append(
            Verdict(
                f"peak RSS of an ingest (`tertial ingest`, worst of {_whole(ingests)})",
                f"{heaviest / GIB:.2f} GiB",
                f"floor {max(f.peak_rss for f in floors) / GIB:.2f} GiB",
                "—",
                f"≤ {INGEST_RSS_MAX / GIB:g} GiB",
                heaviest <= INGEST_RSS_MAX,
            )
        )
    old = result.step(OLD_BASELINE)
    out.append(
        Verdict(
            "for comparison, the old figure: the loader's in-process work (imports left out)",
            _s(work.seconds),
            f"old baseline: read_csv of the CP1252 file via the encodings extension, "
            f"in-process {_s(old.seconds)}",
            _x(work.seconds / max(old.seconds, 1e-6)),
            "— (issue 7's baseline)",
            None,
        )
    )
    starts, start_floors = result.series(QUERY_START), result.series(QUERY_FLOOR)
    if starts and start_floors:
        ratio, shown = _paired(starts, start_floors)
        out.append(
            Verdict(
                f'`tertial query "select 1"` on the snapshot, whole process '
                f"(median of {_whole(starts)}, range)",
                _spread([m.wall for m in starts]),
                f"python -c \"import duckdb; …connect(snapshot).sql('select 1')\" "
                f"{_spread([f.wall for f in start_floors])}",
                shown,
                f"≤ {QUERY_START_RATIO_MAX:g}×",
                ratio <= QUERY_START_RATIO_MAX,
            )
        )
    largest = max(result.nightly)
    nightly = result.nightly[largest]
    build = nightly["build"].seconds
    noop = nightly.get("run_noop")
    if noop is not None:
        said = " ".join(noop.result.get("output", []))
        skipped = "no build" in said
        out.append(
            Verdict(
                f"nightly, nothing new: `tertial run` on {largest} year(s), whole process"
                + ("" if skipped else " (**it built**)"),
                _s(noop.wall),
                "—",
                "—",
                f"≤ {NOTHING_NEW_SECONDS_MAX:g} s (10 years)",
                noop.wall <= NOTHING_NEW_SECONDS_MAX and skipped,
            )
        )
    out.append(
        Verdict(
            f"nightly build +1 month on {largest} year(s): the nightly's selective dbt build, "
            "in-process",
            _s(build),
            # No ratio: an in-process build against a whole process is no pair.
            f"nothing new (`tertial run`, whole process) {_s(noop.wall)}" if noop else "—",
            "—",
            f"≤ {NIGHTLY_SECONDS_MAX:g} s (10 years)",
            build <= NIGHTLY_SECONDS_MAX,
        )
    )
    if (month := nightly.get("run_month")) is not None:
        built = "no build" not in " ".join(month.result.get("output", []))
        out.append(
            Verdict(
                f"nightly +1 month on {largest} year(s): `tertial run` (ingest, build, "
                "publish), whole process" + ("" if built else " (**it did not build**)"),
                _s(month.wall),
                f"its parts above: ingest {_s(nightly['ingest'].seconds)} + build {_s(build)}",
                "—",
                "— (for the record)",
                None,
            )
        )
    if 1 in result.nightly and largest > 1:
        one = result.nightly[1]["build"].seconds
        out.append(
            Verdict(
                f"nightly build slope, {largest} years against 1 year",
                _s(build),
                f"1 year {_s(one)}",
                _x(build / one),
                f"≤ {NIGHTLY_SLOPE_MAX:g}×",
                build / one <= NIGHTLY_SLOPE_MAX,
            )
        )
    else:
        out.append(
            Verdict(
                "nightly build slope, 10 years against 1 year",
                "—",
                "—",
                "—",
                f"≤ {NIGHTLY_SLOPE_MAX:g}× (needs --years ≥ 3)",
                None,
            )
        )
    replay = result.step("replay")
    copy_log = result.step("baseline: DuckDB copies the ledger log")
    out.append(
        Verdict(
            f"replay, {p.years} year(s): {result.replay_command}",
            _s(replay.seconds),
            f"copy of the log {_s(copy_log.seconds)}",
            _x(replay.seconds / copy_log.seconds),
            f"≤ {REPLAY_SECONDS_MAX / 60:g} min (10 years)",
            replay.seconds <= REPLAY_SECONDS_MAX,
        )
    )
    publish = result.step("publish")
    copy = result.step("baseline: copy the published files' bytes")
    snapshot = publish.result.get("bytes", 0) / 2**20
    log = publish.result.get("log_bytes", 0) / 2**20
    parts = (
        f" (log copy {_s(publish.result['log_seconds'])}, "
        f"snapshot {_s(publish.result['snapshot_seconds'])})"
        if "log_seconds" in publish.result
        else ""
    )
    out.append(
        Verdict(
            f"publish, {p.years} year(s): log {log:,.0f} MiB + snapshot {snapshot:,.0f} MiB",
            _s(publish.seconds) + parts,
            f"file copy {_s(copy.seconds)}",
            _x(publish.seconds / max(copy.seconds, 1e-6)),
            f"≤ {PUBLISH_SECONDS_MAX:g} s",
            publish.seconds <= PUBLISH_SECONDS_MAX,
        )
    )
    out += postgres_verdicts(result, publish)
    queries = result.step("queries").result
    base = queries["baseline"]["p50_ms"]
    for scope, limit in QUERY_P50_MS_MAX.items():
        mine = [q for q in queries["queries"] if q["scope"] == scope]
        worst = max(mine, key=lambda q: q["p50_ms"])
        out.append(
            Verdict(
                f"queries, {scope} ({len(mine)}): worst p50 (p95)",
                f"{worst['p50_ms']:.0f} ms ({worst['p95_ms']:.0f} ms)",
                f"count(*) {base:.0f} ms",
                _x(worst["p50_ms"] / max(base, 1e-6)),
                f"p50 ≤ {limit:g} ms",
                all(q["p50_ms"] <= limit for q in mine),
            )
        )
    # The warehouse's own steps (setup loads included: they are the real loader); the
    # baselines and floors are DuckDB alone, with its default memory limit (80 % of RAM);
    # the scale-out's steps are several processes at once (their sum, in its own table).
    ours = [
        s
        for s in result.steps
        if not s.label.startswith(("baseline:", "floor:")) and "scale-out: " not in s.label
    ]
    heaviest = max(ours, key=lambda s: s.peak_rss)
    out.append(
        Verdict(
            f"peak RSS of any step ({heaviest.label})",
            f"{heaviest.peak_rss / GIB:.2f} GiB",
            "—",
            "—",
            f"≤ {PEAK_RSS_MAX / GIB:g} GiB",
            heaviest.peak_rss <= PEAK_RSS_MAX,
        )
    )
    return out


def postgres_verdicts(result: Run, publish: Measured) -> list[Verdict]:
    """The PostgreSQL refresh beside the DuckDB publish, and the dashboards' p50 on both."""
    done = {s.label: s for s in result.steps}
    refresh, copy, queries = done.get(PG_REFRESH), done.get(PG_COPY), done.get(PG_QUERIES)
    if refresh is None:
        return [
            Verdict(
                "PostgreSQL refresh of the published marts", "— (not run: no PostgreSQL)",
                "—", "—", f"≤ {PG_REFRESH_SECONDS_MAX:g} s (10 years)", None,
            )
        ]  # fmt: skip
    rows = refresh.result.get("rows", 0)
    load = float(refresh.result.get("load_seconds", refresh.seconds))
    out = [
        Verdict(
            f"PostgreSQL refresh, {result.parameters.years} year(s): "
            f"{refresh.result.get('tables', '?')} tables, {rows:,} rows, swapped in "
            "(DuckDB's postgres extension)",
            f"{_s(refresh.seconds)} (rows moved in {_s(load)})",
            f"DuckDB publish {_s(publish.seconds)} (same run)"
            + (f"; rows moved by psycopg COPY of DuckDB's CSV {_s(copy.seconds)}" if copy else ""),
            # Rows moved against rows moved: the way to load, compared.
            _x(load / max(copy.seconds, 1e-6)) if copy else "—",
            f"≤ {PG_REFRESH_SECONDS_MAX:g} s (10 years)",
            refresh.seconds <= PG_REFRESH_SECONDS_MAX,
        )
    ]
    for q in queries.result.get("queries", []) if queries else []:
        out.append(
            Verdict(
                f"dashboard query ({q['scope']}), PostgreSQL: {q['name']}",
                f"p50 {q['postgres_p50_ms']:.0f} ms (p95 {q['postgres_p95_ms']:.0f} ms)",
                f"DuckDB snapshot p50 {q['duckdb_p50_ms']:.0f} ms",
                _x(q["postgres_p50_ms"] / max(q["duckdb_p50_ms"], 1e-6)),
                "— (for the record)",
                None,
            )
        )
    return out


# --- report -----------------------------------------------------------------------------


def _holds(value: bool | None) -> str:
    return {True: "yes", False: "**NO**", None: "n/a"}[value]


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def machine() -> dict[str, str]:
    memory = psutil.virtual_memory().total
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{memory / GIB:.1f} GiB",
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    ).stdout.strip()
    found["tertial"] = commit or "unknown"
    return found


def report(result: Run, command: str) -> str:
    """`docs/benchmarks.md`: the run, the targets, the slope, the queries, every step."""
    p = result.parameters
    generated = result.step("setup: generate the city's exports").result
    load = ", ".join(f"{v:.2f}" for v in result.load_before)
    load_after = ", ".join(f"{v:.2f}" for v in result.load_after)
    m = result.machine or machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` (`make bench-small`: 1 year; `make bench`: 10 years).",
        "Rerun after any change to the load, build or query path. Each timing stands beside",
        "a baseline measured in the same run (the ratio), because the machine may be shared",
        "and busy.",
        "",
        "The figures a user waits for are **whole processes** (interpreter start, imports",
        'and work), timed by the runner: `tertial ingest` and `tertial query "select 1"`',
        "against their floors (a bare `python -c` with DuckDB alone: `read_csv` of the same",
        "rows as UTF-8 into a new file database; opening the snapshot for `select 1`), run in",
        "alternating pairs and given as the median (range); and `tertial run`, the nightly,",
        "with nothing new and with one more month. Every other timing is the work's own",
        "seconds, measured inside its process with the imports left out, as before issue 14;",
        "so is the old ingest baseline (`read_csv` through the `encodings` extension), kept",
        "for comparison. The last table gives both for every step.",
        "",
        "## Run",
        "",
        f"- date: {result.started_at:%Y-%m-%d %H:%M} UTC, {result.seconds / 60:.1f} min in all",
        f"- command: `{command}`",
        f"- city: {p.years} year(s) from {p.first_year} plus two months, ~{p.rows:,} ledger "
        f"lines a month, 28 boards, every source; {generated.get('files', '?')} files, "
        f"{generated.get('ledger_rows', 0):,} ledger lines; the ingest probe has "
        f"{generated.get('probe_rows', 0):,} lines",
        f"- machine: nproc {m['nproc']}, memory {m['memory']}, {m['cpu']}, {m['os']}",
        f"- load average (1, 5, 15 min): {load} at the start, {load_after} at the end",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in (result.versions or versions()).items()),
        "",
        "## Targets",
        "",
    ]
    lines += _table(
        ("figure", "measured", "baseline, same run", "ratio", "target", "holds"),
        [
            (v.figure, v.measured, v.baseline, v.ratio, v.target, _holds(v.holds))
            for v in verdicts(result)
        ],
    )
    lines += ["", "## Nightly: one month more on a growing history", ""]
    one = result.nightly.get(1, {}).get("build")

    def wall(measured: Measured | None) -> str:
        return _s(measured.wall) if measured else "—"

    lines += _table(
        (
            "history",
            "ingest +1 month",
            "dbt build +1 month",
            "to 1 year",
            "`tertial run`, nothing new (process)",
            "`tertial run` +1 month (process)",
        ),
        [
            (
                f"{y} year(s)",
                _s(s["ingest"].seconds) + f" ({s['ingest'].result.get('rows', 0):,} rows)",
                _s(s["build"].seconds),
                _x(s["build"].seconds / one.seconds) if one else "—",
                wall(s.get("run_noop")),
                wall(s.get("run_month")),
            )
            for y, s in sorted(result.nightly.items())
        ],
    )
    queries = result.step("queries").result
    heading = f"## Queries on the snapshot: p50 / p95 of {queries.get('repeat')} runs each"
    lines += ["", heading + ", after one warm-up", ""]
    lines += _table(
        ("query", "scope", "rows", "p50", "p95", "target p50", "holds"),
        [
            (
                q["name"],
                q["scope"],
                q["rows"],
                f"{q['p50_ms']:.1f} ms",
                f"{q['p95_ms']:.1f} ms",
                f"{QUERY_P50_MS_MAX[q['scope']]:g} ms",
                _holds(q["p50_ms"] <= QUERY_P50_MS_MAX[q["scope"]]),
            )
            for q in [*queries["queries"], queries["baseline"]]
        ],
    )
    lines += scale_out_section(result)
    lines += ["", "## Every step", ""]
    lines += _table(
        ("step", "work", "process wall", "peak RSS"),
        [
            (s.label, _s(s.seconds), _s(s.wall), f"{s.peak_rss / 2**20:,.0f} MiB")
            for s in result.steps
        ],
    )
    if FINDINGS.exists():
        lines += ["", FINDINGS.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def scale_out_section(result: Run) -> list[str]:
    """Issue 18's scale-out table, when the run has it (bench/scaleout.py)."""

    loaders = {
        (backend, count): s
        for backend in ("embedded file", "DuckLake")
        for count in scaleout.LOADERS
        for s in result.steps
        if s.label == scaleout.loaders_label(backend, count)
    }
    floor = loaders.get(("embedded file", 1))
    if floor is None:
        return []

    def rate(s: Measured) -> float:
        return s.result.get("rows", 0) / s.wall

    lines = [
        "",
        "## Scale-out: loaders at once on DuckLake (issue 18)",
        "",
        "The same ledger months loaded by 1, 2 and 4 `ingest` processes started together on",
        "one DuckLake catalog (PostgreSQL on the runner's own server, Parquet on the local",
        "disk), each with its own home, the months dealt round-robin; against one process",
        "loading them one after the other into the embedded file. Whole processes: wall time",
        "from the first start to the last exit.",
        "",
    ]
    lines += _table(
        ("backend", "loaders", "rows", "wall", "rows/s", "against 1 loader, file", "peak RSS"),
        [
            (
                backend,
                count,
                f"{s.result.get('rows', 0):,}",
                _s(s.wall),
                f"{rate(s):,.0f}",
                _x(rate(s) / rate(floor)),
                f"{s.peak_rss / GIB:.2f} GiB",
            )
            for (backend, count), s in loaders.items()
        ],
    )
    labels = {scaleout.commits_label(count) for count in (1, 4)}
    commits = [s for s in result.steps if s.label in labels]
    if commits:
        lines += [
            "",
            "The catalog's ceiling: one-row commits of `loader.head` (every event commit",
            "makes one), by 1 and by 4 processes at once:",
            "",
        ]
        lines += _table(
            ("what", "commits", "gave up after every retry", "wall", "commits/s"),
            [
                (
                    s.label.removeprefix(scaleout.PREFIX),
                    s.result.get("commits", 0),
                    s.result.get("gave_up", 0),
                    _s(s.wall),
                    f"{s.result.get('commits', 0) / s.wall:,.1f}",
                )
                for s in commits
            ],
        )
    return lines


def save(result: Run, command: str, path: Path) -> None:
    """Every figure of the run as JSON, so the report can be written again (`--report-only`)."""
    data = {
        "command": command,
        "parameters": asdict(result.parameters),
        "started_at": result.started_at.isoformat(),
        "load_before": result.load_before,
        "load_after": result.load_after,
        "steps": [asdict(s) for s in result.steps],
        "nightly": {y: {k: asdict(m) for k, m in s.items()} for y, s in result.nightly.items()},
        "replay_command": result.replay_command,
        "seconds": result.seconds,
        "machine": result.machine,
        "versions": result.versions,
    }
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


def load(path: Path) -> tuple[Run, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    result = Run(
        Parameters(**data["parameters"]),
        dt.datetime.fromisoformat(data["started_at"]),
        tuple(data["load_before"]),
        tuple(data["load_after"]),
        [Measured(**s) for s in data["steps"]],
        {int(y): {k: Measured(**m) for k, m in s.items()} for y, s in data["nightly"].items()},
        data["replay_command"],
        data["seconds"],
        data.get("machine", {}),
        data.get("versions", {}),
    )
    return result, data["command"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "bench")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1_000_000, help="ledger lines a month")
    parser.add_argument("--ingest-rows", type=int, default=1_000_000, help="lines of the probe")
    parser.add_argument("--first-year", type=int, default=2015)
    parser.add_argument("--seed", type=int, default=2011)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument(
        "--ingest-pairs", type=int, default=3, help="tertial ingest / floor pairs (whole processes)"
    )
    parser.add_argument(
        "--start-pairs",
        type=int,
        default=5,
        help='tertial query "select 1" / floor pairs (whole processes)',
    )
    parser.add_argument("--docs", type=Path, default=DOCS, help="where the report goes")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the report again from the last run's results.json (after editing findings)",
    )
    parser.add_argument(
        "--scale-out-only",
        action="store_true",
        help="measure the scale-out table again on the last run's data, into its results.json",
    )
    args = parser.parse_args(argv)
    results = args.out / "results.json"
    if args.report_only:
        result, command = load(results)
    elif args.scale_out_only:
        result, command = load(results)
        result.steps = [s for s in result.steps if scaleout.PREFIX not in s.label]
        out = args.out.resolve()
        city = sorted(f for f in (out / "data" / CITY).rglob("*.csv") if f.is_file())
        bench = [sys.executable, "-m", "bench.steps"]
        scale_out(result, out, bench, *scaleout.inputs(city), save_partial=step_saved(result, out))
        save(result, command, results)
    else:
        parameters = Parameters(args.years, args.rows, args.ingest_rows, args.first_year, args.seed)
        print(f"Benchmark: {parameters} into {args.out}", flush=True)
        result = run(
            parameters,
            args.out.resolve(),
            repeat=args.repeat,
            ingest_pairs=max(args.ingest_pairs, 1),
            start_pairs=max(args.start_pairs, 1),
        )
        command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
        save(result, command.strip(), results)
    text = report(result, command.strip())
    args.docs.parent.mkdir(parents=True, exist_ok=True)
    args.docs.write_text(text, encoding="utf-8")
    print()
    for verdict in verdicts(result):
        print(
            f"{_holds(verdict.holds):>6}  {verdict.figure}\n        {verdict.measured}  "
            f"against {verdict.baseline}  {verdict.ratio}  target {verdict.target}"
        )
    print(f"\nWritten to {args.docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

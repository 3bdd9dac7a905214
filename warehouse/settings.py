"""Where everything lives at run time: one folder, `TERTIAL_HOME`.

Every path the warehouse writes is derived here, so tests point the whole stack at a
`tmp_path` by setting one environment variable, and a later move of the event log to
DuckLake stays a configuration change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SCHEMA_SQL = REPO_ROOT / "warehouse" / "schema.sql"
DEFAULT_HOME = REPO_ROOT / "var"

# DuckDB's buffer manager keeps pages cached up to its memory_limit, by default 80 % of
# RAM (19 GiB on a 24 GB machine): at 10 years a replay's copy of the log (120 M lines)
# peaked at 3.8 GiB RSS and a history load of 84 ledger months at 3.2 GiB, though
# neither needs it. Bounded at 1 GB the same copy ran as fast (124 s against 120 s)
# at 1.2 GiB. 2 GB per process keeps every step under the 4 GB target with the Polars
# and pandas frames of a 1 M-line ingest (~1.3 GiB) beside it (docs/benchmarks.md).
DUCKDB_MEMORY_LIMIT_ENV = "TERTIAL_DUCKDB_MEMORY_LIMIT"
DUCKDB_MEMORY_LIMIT_DEFAULT = "2GB"


def duckdb_config() -> dict[str, str]:
    """Settings of every DuckDB the warehouse opens (warehouse.connection.duckdb_connect:
    loader, publish, as-of builds, analysts' reads) and of dbt's (its profile, through
    warehouse.build.dbt_env)."""
    return {"memory_limit": os.environ.get(DUCKDB_MEMORY_LIMIT_ENV) or DUCKDB_MEMORY_LIMIT_DEFAULT}


# The largest file the loader reads. A file is read whole, then parsed and checked in
# memory: peak RSS 0.93 GiB for the 80 MB probe month, 1.46 GiB at 160 MB, 2.32 GiB at
# 320 MB (2026-12-07), about 0.5 GiB + 5.5× the file. A file the machine cannot hold
# would have the loader killed every night, before it could say why, and every file
# after it in landing/ would wait forever. So a larger file is rejected (rule
# `file-too-large`) unread; by default above 1/12 of the machine's memory (a file at the
# limit peaks at about half of it): 2 GB on 24 GB, where a monthly ledger is ~80 MB.
MAX_FILE_MB_ENV = "TERTIAL_MAX_FILE_MB"
MEMORY_PER_FILE_BYTE = 12


def machine_memory_bytes() -> int:
    """The memory this process may use: the machine's, or its cgroup's limit if lower
    (a container's `memory.max`)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return total
    return min(total, int(text)) if text.isdigit() else total


def max_file_bytes() -> int:
    """`$TERTIAL_MAX_FILE_MB` megabytes (10^6 bytes), else 1/12 of `machine_memory_bytes`.

    A value that is no positive number falls back to the default rather than stopping
    the night.

    >>> os.environ[MAX_FILE_MB_ENV] = "1,5"
    >>> max_file_bytes() == machine_memory_bytes() // MEMORY_PER_FILE_BYTE
    True
    >>> os.environ[MAX_FILE_MB_ENV] = "1.5"
    >>> max_file_bytes()
    1500000
    >>> del os.environ[MAX_FILE_MB_ENV]
    """
    text = os.environ.get(MAX_FILE_MB_ENV, "").strip()
    try:
        megabytes = float(text) if text else 0.0
    except ValueError:
        megabytes = 0.0
    if 0 < megabytes < float("inf"):
        return int(megabytes * 1_000_000)
    return machine_memory_bytes() // MEMORY_PER_FILE_BYTE


# A file is taken from landing/ only when it has not changed for this long: an upload
# still being written (SFTP, a network share) is reported `waiting` and left for the
# next run instead of being loaded half (issue 12). Tests set it small or 0.
LANDING_SETTLE_SECONDS_ENV = "TERTIAL_LANDING_SETTLE_SECONDS"
LANDING_SETTLE_SECONDS_DEFAULT = 60.0

# A control file (`.ctl`) waits this long in landing/ for its data file; older, it is
# rejected and quarantined ("control file without its data file"), never left silently.
ORPHAN_CONTROL_SECONDS = 24 * 60 * 60


def landing_settle_seconds() -> float:
    """`$TERTIAL_LANDING_SETTLE_SECONDS` (default 60); a value that is no number of
    seconds falls back to the default rather than stopping the night; below 0 is 0."""
    text = os.environ.get(LANDING_SETTLE_SECONDS_ENV, "").strip()
    try:
        value = float(text) if text else LANDING_SETTLE_SECONDS_DEFAULT
    except ValueError:
        return LANDING_SETTLE_SECONDS_DEFAULT
    if value != value or value == float("inf"):  # nan, inf
        return LANDING_SETTLE_SECONDS_DEFAULT
    return max(value, 0.0)


@dataclass(frozen=True)
class Paths:
    """The run-time layout under one `TERTIAL_HOME`."""

    home: Path

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def archive(self) -> Path:
        """Files `tertial run` took from landing/ (accepted or duplicate), by batch."""
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def database(self) -> Path:
        """The working database: the loader and dbt write here, analysts never read it."""
        return self.home / "warehouse" / "tertial.duckdb"

    @property
    def reports(self) -> Path:
        """The boards' generated reports (`tertial report`, the Dagster asset)."""
        return self.home / "reports"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def published(self) -> Path:
        """The read-only snapshot analysts and BI tools query."""
        return self.published_dir / "tertial.duckdb"

    @property
    def published_events(self) -> Path:
        """The read-only copy of the event log: as-of builds, history and explain read it."""
        return self.published_dir / "event_log.duckdb"

    @property
    def asof(self) -> Path:
        """Cache of as-of builds, one folder per cut (delete it freely)."""
        return self.home / "asof"

    @property
    def dbt_target(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.home / "dbt" / "logs"

    @property
    def validations(self) -> Path:
        """Great Expectations results of every checked file, as JSON, for the data docs."""
        return self.home / "validations"

    @property
    def docs(self) -> Path:
        """`tertial docs` writes the static documentation site here."""
        return self.home / "docs"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def ensure(self) -> Paths:
        for folder in (
            self.landing,
            self.archive,
            self.quarantine,
            self.database.parent,
            self.published_dir,
            self.dbt_target,
            self.dbt_logs,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """The layout for `home`, else `$TERTIAL_HOME`, else `var/` in the repository."""
    chosen = home or os.environ.get("TERTIAL_HOME") or DEFAULT_HOME
    return Paths(Path(chosen).expanduser().resolve())

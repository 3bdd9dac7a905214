"""The Dagster instance's settings, `$DAGSTER_HOME/dagster.yaml`, from the home's backend.

`make run`, `make dagster` and `make serve` write it (`python -m orchestration.instance`),
every time, so a changed `TERTIAL_CATALOG` is never met by an old file.

- The embedded default: orchestration/dagster.yaml as it is. Runs, event log and
  schedules in SQLite under `$DAGSTER_HOME`, one run at a time (DuckDB allows one
  writer on the working database).
- `TERTIAL_CATALOG` on PostgreSQL (`ducklake:postgres:<libpq string>`, issue 18): the
  instance's storage goes to the same PostgreSQL database as the catalog
  (dagster-postgres), so the daemon, the web UI and every loader's process on any
  machine see one history of runs; Dagster's tables (`runs`, `event_logs`, `jobs`, ...)
  sit beside DuckLake's `ducklake_*` ones without a clash. The queue then starts up to
  `MAX_RUNS` runs at once: the ingest runs load different months at once, each with its
  monthly sources in processes of their own (orchestration/definitions.py), and take
  the home's run lock shared (warehouse/lock.py); the runs that build and publish take
  it exclusively, at most one at a time (`LOCK_TAG`), and wait for the loaders.
- A DuckDB-file catalog (`ducklake:/path/file.ducklake`) is one machine's: the default
  settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import yaml

from warehouse.files import write_whole
from warehouse.lake import CATALOG_ENV

DEFAULTS = Path(__file__).with_name("dagster.yaml")
POSTGRES_CATALOG = "ducklake:postgres:"
# Runs at once on the lake: 2 cores here; each ingest run uses up to its 4 monthly
# sources' processes, and the catalog serialises the commits (docs/ducklake.md: ~34-41
# commits a second, so 4 loaders do not queue on it).
MAX_RUNS = 4
# The run tag the queue limits: `exclusive` runs (build, publish) one at a time.
LOCK_TAG = "tertial/lock"


def postgres_url(dsn: str) -> str:
    """A libpq keyword string as the URL dagster-postgres (SQLAlchemy) takes.

    A host that is a folder is the server's Unix socket, which a URL's host part cannot
    hold: it goes into the query, as libpq reads it there.

    >>> postgres_url("host=127.0.0.1 port=5433 user=loader password='s3 cret' dbname=lake")
    'postgresql://loader:s3%20cret@127.0.0.1:5433/lake'
    >>> postgres_url("host=/srv/pg/run port=5433 user=tertial_loader dbname=tertial_lake")
    'postgresql://tertial_loader@/tertial_lake?host=%2Fsrv%2Fpg%2Frun&port=5433'
    """
    from psycopg.conninfo import conninfo_to_dict

    parts = {key: str(value) for key, value in conninfo_to_dict(dsn).items()}
    user = quote(parts.pop("user", ""), safe="")
    password = parts.pop("password", None)
    login = f"{user}:{quote(password, safe='')}" if password is not None else user
    database = quote(parts.pop("dbname", ""), safe="")
    host = parts.pop("host", "")
    if host.startswith("/"):
        query = {"host": host, **({"port": parts.pop("port")} if "port" in parts else {})}
        netloc = f"{login}@" if login else ""
    else:
        port = parts.pop("port", None)
        netloc = f"{login}@{host}" if login else host
        netloc += f":{port}" if port else ""
        query = {}
    query.update(parts)  # anything else libpq was given (sslmode, ...)
    return f"postgresql://{netloc}/{database}" + (f"?{urlencode(query)}" if query else "")


def instance_settings(catalog: str | None) -> dict:
    """The dagster.yaml for `catalog` (`TERTIAL_CATALOG`; None or empty: embedded).

    >>> instance_settings(None)["run_queue"]
    {'max_concurrent_runs': 1}
    >>> lake = instance_settings("ducklake:postgres:host=db.local user=l dbname=lake")
    >>> lake["storage"], lake["run_queue"]["max_concurrent_runs"]
    ({'postgres': {'postgres_url': 'postgresql://l@db.local/lake'}}, 4)
    >>> lake["run_queue"]["tag_concurrency_limits"]
    [{'key': 'tertial/lock', 'value': 'exclusive', 'limit': 1}]
    """
    settings = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))
    catalog = (catalog or "").strip()
    if catalog.startswith(POSTGRES_CATALOG):
        settings["storage"] = {
            "postgres": {"postgres_url": postgres_url(catalog.removeprefix(POSTGRES_CATALOG))}
        }
        settings["run_queue"] = {
            "max_concurrent_runs": MAX_RUNS,
            "tag_concurrency_limits": [{"key": LOCK_TAG, "value": "exclusive", "limit": 1}],
        }
    return settings


def write_settings(dagster_home: Path, catalog: str | None = None) -> Path:
    """Write `dagster_home/dagster.yaml` for `catalog` (default: `TERTIAL_CATALOG`)."""
    if catalog is None:
        catalog = os.environ.get(CATALOG_ENV)
    dagster_home.mkdir(parents=True, exist_ok=True)
    target = dagster_home / "dagster.yaml"
    head = "# Written by `python -m orchestration.instance` (orchestration/instance.py).\n"
    text = head + yaml.safe_dump(instance_settings(catalog), sort_keys=False)
    write_whole(target, text)
    return target


if __name__ == "__main__":
    home = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(os.environ["DAGSTER_HOME"])
    print(f"Dagster settings: {write_settings(home)}")

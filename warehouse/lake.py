"""The storage backend, chosen by configuration only: the embedded DuckDB file, or DuckLake.

By default the event log is the working database `$TERTIAL_HOME/warehouse/tertial.duckdb`,
one file that exactly one process may write. With `TERTIAL_CATALOG` set to a DuckLake
catalog (`ducklake:postgres:dbname=tertial_lake host=127.0.0.1 port=5433 user=...`, or
`ducklake:/path/catalog.ducklake` for a DuckDB-file catalog) the event log (`events.*`)
lives in that catalog instead: its metadata in the catalog database, its rows as Parquet
under `TERTIAL_DATA_PATH` (default `$TERTIAL_HOME/lake/`: a folder every loader reaches,
a shared folder here, object storage in production). Several loaders on several machines
may then append at once (docs/ducklake.md).

What changes on the lake, and why:
- DuckLake has neither sequences ("DuckLake does not support sequences") nor PRIMARY
  KEY/UNIQUE constraints: the schema is schema.sql's with the sequence left out and
  `primary key` read as `not null` (`lake_schema_sql`), and event ids come from the one
  row of `loader.head` instead of `events.batch_id_seq`.
- Every transaction that writes an event (a batch, a rejection, a retraction) also
  updates that row. DuckLake merges two concurrent appends to one table without a word
  (both commit), so without it two loaders could take the same id or both accept the
  same bytes. Two updates of one row conflict ("Transaction conflict - ... another
  transaction has deleted inlined data from it"): one commits, the other fails whole,
  and is run again from its start (`in_transaction`), where it sees the winner's batch.
  Event writes are thus serialised at the catalog, and ids, `recorded_at` and the sha256
  check stay as exact as on the embedded file; the files' parsing and checking, the
  bulk of a load, still run in parallel.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse.connection import duckdb_connect
from warehouse.extensions import extension_path
from warehouse.settings import paths

CATALOG_ENV = "TERTIAL_CATALOG"
DATA_PATH_ENV = "TERTIAL_DATA_PATH"
# Object storage for the Parquet files (`TERTIAL_DATA_PATH=s3://bucket/prefix/`): the
# credentials under AWS's own names, and where the S3 API answers when it is not AWS
# (an S3-compatible store: MinIO, Ceph, a cloud's own; `host:port`, path-style URLs).
S3_ENV = {
    "key_id": "AWS_ACCESS_KEY_ID",
    "secret": "AWS_SECRET_ACCESS_KEY",
    "session_token": "AWS_SESSION_TOKEN",
    "region": "AWS_REGION",
    "endpoint": "TERTIAL_S3_ENDPOINT",
    "url_style": "TERTIAL_S3_URL_STYLE",
    "use_ssl": "TERTIAL_S3_USE_SSL",
}
# The name the catalog is attached under in every connection (and dbt's profile).
LAKE = "lake"

# Our own retries of a conflicting commit: DuckLake already retries a commit that merely
# lost the race without a logical conflict (ducklake_max_retry_count 10, 100 ms, x1.5);
# what reaches us is a real conflict, whose transaction must be run again from its start.
# 12 attempts from 50 ms growing x1.6 wait at most ~9 s in all, with jitter so that
# loaders that collided once do not collide again in step.
RETRIES = 12
FIRST_WAIT_SECONDS = 0.05
BACKOFF = 1.6

T = TypeVar("T")


class LakeConfigurationError(RuntimeError):
    """`TERTIAL_CATALOG` is set but names no DuckLake catalog we can use."""


@dataclass(frozen=True)
class Lake:
    """A DuckLake catalog and the folder of its Parquet files."""

    catalog: str  # `ducklake:...`, as ATTACH takes it
    data_path: str

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB with the catalog attached as `lake` and in use, so that
        `events.batches` means `lake.events.batches` as it means the file's table."""
        con = duckdb_connect(":memory:")
        try:
            self.attach(con)
            con.execute(f"use {LAKE}")
        except BaseException:
            con.close()
            raise
        return con

    def attach(
        self, con: duckdb.DuckDBPyConnection, alias: str = LAKE, *, read_only: bool = False
    ) -> None:
        """Attach the catalog to `con` as `alias` (one of our fixed names), loading the
        two extensions from their PyPI packages' files first. `read_only`: the publish
        reads the lake's log and marts so (warehouse/publish.py `attach_working`)."""
        for name in ("postgres", "ducklake", "httpfs"):
            literal = str(extension_path(name)).replace("'", "''")
            con.execute(f"load '{literal}'")
        secret = object_storage_secret(self.data_path, os.environ)
        if secret:
            con.execute(secret)
        # ATTACH takes no bind parameter: both strings are the operator's
        # configuration, quoted as literals.
        catalog = self.catalog.replace("'", "''")
        data = self.data_path.replace("'", "''")
        options = f"data_path '{data}'" + (", read_only" if read_only else "")
        wait = FIRST_WAIT_SECONDS
        for attempt in range(1, RETRIES + 1):
            try:
                con.execute(f"attach '{catalog}' as {alias} ({options})")
                return
            except duckdb.Error as exc:
                # Two loaders attaching a new catalog at once both create its metadata
                # tables, and PostgreSQL refuses the second ("Failed to initialize
                # DuckLake: ... CREATE TABLE ..."): seen with 2 loaders started together.
                # The next attempt finds the catalog made.
                if "initialize DuckLake" not in str(exc) or attempt == RETRIES:
                    raise
            time.sleep(wait * random.uniform(0.5, 1.5))
            wait *= BACKOFF


def object_storage_secret(data_path: str, environment: Mapping[str, str]) -> str | None:
    """The DuckDB secret that lets httpfs write and read `data_path` on S3, from the
    environment (`S3_ENV`); None for a folder.

    >>> print(object_storage_secret("s3://lake/tertial/", {"AWS_ACCESS_KEY_ID": "k",
    ...     "AWS_SECRET_ACCESS_KEY": "s'x", "TERTIAL_S3_ENDPOINT": "minio:9000",
    ...     "TERTIAL_S3_URL_STYLE": "path", "TERTIAL_S3_USE_SSL": "false"}))
    create or replace secret tertial_lake_s3 (type s3, scope 's3://lake/', key_id 'k', \
secret 's''x', endpoint 'minio:9000', url_style 'path', use_ssl false)
    >>> object_storage_secret("/srv/shared/lake/", {}) is None
    True
    """
    if not data_path.startswith("s3://"):
        return None
    parts = [f"type s3, scope '{s3_scope(data_path)}'"]
    for option, name in S3_ENV.items():
        value = environment.get(name, "").strip()
        if not value:
            continue
        if option == "use_ssl":
            parts.append(f"use_ssl {'false' if value.lower() in ('0', 'false', 'no') else 'true'}")
        else:
            # CREATE SECRET takes no bind parameter: the operator's values, quoted.
            literal = value.replace("'", "''")
            parts.append(f"{option} '{literal}'")
    return f"create or replace secret tertial_lake_s3 ({', '.join(parts)})"


def configured_lake() -> Lake | None:
    """The DuckLake of `TERTIAL_CATALOG`, or None: the embedded file (the default)."""
    catalog = os.environ.get(CATALOG_ENV, "").strip()
    if not catalog:
        return None
    if not catalog.startswith("ducklake:"):
        raise LakeConfigurationError(
            f"{CATALOG_ENV}={catalog!r} is no DuckLake catalog: it starts with `ducklake:` "
            "(e.g. `ducklake:postgres:dbname=tertial_lake host=127.0.0.1`), or is unset "
            "for the embedded DuckDB file"
        )
    data_path = os.environ.get(DATA_PATH_ENV, "").strip()
    if not data_path:
        data_path = str(paths().home / "lake")
    if "://" not in data_path:  # a local or shared folder (not s3://...): make it exist
        Path(data_path).mkdir(parents=True, exist_ok=True)
        data_path = str(Path(data_path).resolve()) + os.sep
    return Lake(catalog=catalog, data_path=data_path)


# -- the schema on the lake ---------------------------------------------------------------

HEAD_SQL = """
create schema if not exists loader;
-- One row: the last event id given out and when. Every event-writing transaction updates
-- it, so that two of them conflict and commit one after the other (module docstring).
create table if not exists loader.head (batch_id bigint not null);
insert into loader.head (batch_id)
select coalesce(greatest(
    (select max(batch_id) from events.batches),
    (select max(retraction_id) from events.retractions)
), 0)
where not exists (select 1 from loader.head);
"""


def dbt_lake_env(lake: Lake) -> dict[str, str]:
    """What dbt's `lake` target (dbt_project/profiles.yml) reads: the catalog, the
    Parquet folder and the two extensions' files. `dbt build --target lake` with it builds
    the same project on the lake (docs/ducklake.md)."""
    return {
        CATALOG_ENV: lake.catalog,
        DATA_PATH_ENV: lake.data_path,
        "TERTIAL_EXTENSION_POSTGRES": str(extension_path("postgres")),
        "TERTIAL_EXTENSION_DUCKLAKE": str(extension_path("ducklake")),
        "TERTIAL_EXTENSION_HTTPFS": str(extension_path("httpfs")),
        "TERTIAL_S3_SCOPE": s3_scope(lake.data_path),
    }


def s3_scope(data_path: str) -> str:
    """The bucket of an `s3://` data path, as a secret's scope; a scope nothing uses
    for a folder (dbt's profile always declares the secret: it cannot leave it out).

    >>> s3_scope("s3://lake/tertial/"), s3_scope("/srv/lake/")
    ('s3://lake/', 's3://tertial-no-object-storage/')
    """
    if data_path.startswith("s3://"):
        return "s3://" + data_path.removeprefix("s3://").split("/", 1)[0] + "/"
    return "s3://tertial-no-object-storage/"


def lake_schema_sql(embedded: str) -> str:
    """The embedded schema's DDL as DuckLake takes it: no sequence, no primary key.

    >>> print(lake_schema_sql("create sequence if not exists events.s start 1;\\n"
    ...                       "create table t (a bigint primary key, b int);"))
    create table t (a bigint not null, b int);
    """
    text = re.sub(r"(?im)^create sequence [^;]*;\n?", "", embedded)
    return re.sub(r"(?i)\bprimary key\b", "not null", text)


def is_conflict(exc: BaseException) -> bool:
    """A DuckLake commit that lost to a concurrent one (nothing of it was applied)."""
    text = str(exc)
    return isinstance(exc, duckdb.Error) and (
        "Transaction conflict" in text or ("conflict" in text.lower() and "DuckLake" in text)
    )


def in_transaction(
    con: duckdb.DuckDBPyConnection,
    work: Callable[[], T],
    *,
    retry: bool,
    before_commit: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`work()` in one transaction, committed; rolled back whole on any failure.

    `retry` (the lake): a commit that conflicts with a concurrent one is run again from
    `work()` with backoff, up to `RETRIES` times; `work` must read what it decides on
    inside the transaction. On the embedded file (`retry=False`) there is one attempt.
    """
    wait = FIRST_WAIT_SECONDS
    for attempt in range(1, RETRIES + 1):
        con.execute("begin transaction")
        try:
            result = work()
            before_commit()
            con.execute("commit")
            return result
        except BaseException as exc:
            # A failed commit has ended the transaction already: nothing to roll back.
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
            if not (retry and is_conflict(exc)) or attempt == RETRIES:
                raise
        sleep(wait * random.uniform(0.5, 1.5))
        wait *= BACKOFF
    raise AssertionError("unreachable")

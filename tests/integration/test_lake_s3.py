"""The lake's Parquet files on object storage (`TERTIAL_DATA_PATH=s3://...`, issue 18).

A local S3-compatible server (moto's, on 127.0.0.1: no network, no cloud account) holds
the bucket; the catalog is the tests' real PostgreSQL. The loader writes its batches'
Parquet files there through DuckDB's httpfs (the PyPI package's file) with the secret
warehouse/lake.py makes from the environment; dbt's `lake` target reads them with the
same secret (profiles.yml); the publish of the log reads them back.
"""

from __future__ import annotations

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.conftest import SERVICENAMNDEN
from warehouse.build import run_dbt
from warehouse.connection import duckdb_connect
from warehouse.ingest import ingest
from warehouse.lake import DATA_PATH_ENV, Lake, configured_lake, dbt_lake_env
from warehouse.published_log import publish_event_log
from warehouse.settings import Paths

pytestmark = pytest.mark.integration

BUCKET = "tertial-lake"
KEYS = {
    "AWS_ACCESS_KEY_ID": "tertial",
    "AWS_SECRET_ACCESS_KEY": "local-only",
    "AWS_REGION": "eu-north-1",
}


@pytest.fixture
def bucket(lake: Lake, monkeypatch: pytest.MonkeyPatch):
    """The lake's data path moved to a bucket of a local S3-compatible server."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TERTIAL_S3_ENDPOINT", f"{host}:{port}")
    monkeypatch.setenv("TERTIAL_S3_URL_STYLE", "path")
    monkeypatch.setenv("TERTIAL_S3_USE_SSL", "false")
    monkeypatch.setenv(DATA_PATH_ENV, f"s3://{BUCKET}/city/")
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        region_name=KEYS["AWS_REGION"],
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": KEYS["AWS_REGION"]}
    )
    try:
        yield client
    finally:
        server.stop()


def test_batches_go_to_the_bucket_and_dbt_and_the_publish_read_them_back(
    bucket, home: Paths
) -> None:
    lake = configured_lake()
    assert lake is not None and lake.data_path == f"s3://{BUCKET}/city/"
    files = [
        SERVICENAMNDEN / "organisation.csv",
        SERVICENAMNDEN / "verksamheter.csv",
        SERVICENAMNDEN / "huvudbok_201101.csv",
    ]
    results = ingest(home, files)
    assert [r.status for r in results] == ["accepted"] * 3
    # The ledger month (hundreds of rows) is a Parquet file in the bucket; the registers'
    # few rows may stay inlined in the catalog (docs/ducklake.md: small batches).
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert any(k.startswith("city/events/huvudbok/") and k.endswith(".parquet") for k in keys)
    con = lake.connect()
    try:
        [(lines, total)] = con.execute(
            "select count(*), sum(belopp) from events.huvudbok"
        ).fetchall()
    finally:
        con.close()
    assert lines == results[2].rows > 100

    # dbt's `lake` target reads the same files with the profile's secret.
    shown = run_dbt(
        home,
        "show",
        "--target",
        "lake",
        "--inline",
        "select sum(belopp) as total from {{ source('events', 'huvudbok') }}",
        env=dbt_lake_env(lake),
    )
    assert shown.success
    # The publish of the log reads the bucket through the catalog attached read-only.
    published = publish_event_log(home.database, home.published_events)
    assert published.appended["huvudbok"] == lines
    with duckdb_connect(home.published_events, read_only=True) as copy:
        assert copy.execute("select sum(belopp) from events.huvudbok").fetchone() == (total,)

"""Helpers the integration and acceptance tests share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from sources.registry import event_tables
from warehouse.build import RESULT_EVENTS
from warehouse.publish import META_COMMENTS
from warehouse.settings import REPO_ROOT, Paths


def dbt_last_nodes(home: Paths) -> dict[str, dict]:
    """The nodes dbt's last invocation in `home` finished (dbt's `node_info` of each), from
    dbt's own log: the nightly's `dbt run` writes no run_results.json (warehouse/build.py)."""
    nodes: dict[str, dict] = {}
    invocation = None
    for line in (home.dbt_logs / "dbt.log").read_text(encoding="utf-8").splitlines():
        if not line.startswith("{"):  # a dbt command started without `--log-format json`
            continue
        event = json.loads(line)
        if event["info"]["invocation_id"] != invocation:
            invocation, nodes = event["info"]["invocation_id"], {}
        if event["info"]["name"] in RESULT_EVENTS:
            node = event["data"]["node_info"]
            nodes[node["unique_id"]] = node
    return nodes


def dbt_last_ran(home: Paths) -> dict[str, str]:
    """The nodes dbt's last invocation in `home` ran, with their statuses."""
    return {unique_id: node["node_status"] for unique_id, node in dbt_last_nodes(home).items()}


def dbt_last_compiled(home: Paths) -> dict[str, str]:
    """The SQL dbt compiled for each model its last invocation in `home` ran (the files it
    writes under target/compiled, with or without its JSON artefacts)."""
    models = home.dbt_target / "compiled" / "tertial" / "models"
    return {
        unique_id: (models / node["node_path"]).read_text(encoding="utf-8")
        for unique_id, node in dbt_last_nodes(home).items()
        if unique_id.startswith("model.")
    }


def event_state(home: Paths) -> tuple:
    """Everything accepted data consists of: every event table's rows and content digest.

    Rejected batches leave a row in events.batches (that is their record), so batches
    count by status; every other table must not change at all when a file is rejected.
    """
    con = duckdb.connect(str(home.database), read_only=True)
    try:
        accepted = con.execute(
            "select count(*) from events.batches where status = 'accepted'"
        ).fetchone()
        # Identifiers come from the registry's event tables, never from input.
        tables = [*event_tables(), "supersession_keys"]
        contents = [
            con.execute(
                f"select count(*), sum(hash(t)::hugeint) from events.{table} as t"
            ).fetchone()
            for table in tables
        ]
        return (accepted, *contents)
    finally:
        con.close()


def published_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """{mart, or meta.<table>: (its description, {column: description})}: the dbt YAML of
    the marts and publish.py's META_COMMENTS, what every published comment must say."""
    marts = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"
    found = {}
    for file in sorted(marts.rglob("_*__models.yml")):
        for model in yaml.safe_load(file.read_text(encoding="utf-8"))["models"]:
            columns = {c["name"]: c["description"] for c in model["columns"]}
            found[model["name"]] = (model["description"], columns)
    return found | {f"meta.{table}": described for table, described in META_COMMENTS.items()}


def batch_statuses(home: Paths) -> list[tuple[str, str]]:
    """(file name, status) of every batch in the event log, in load order: what a test
    that starts from a `loaded(home, files)` copy checks of the files it did not ingest."""
    con = duckdb.connect(str(home.database), read_only=True)
    try:
        return con.execute(
            "select file_name, status from events.batches order by batch_id"
        ).fetchall()
    finally:
        con.close()


def accepted_batch(home: Paths, file_name: str) -> int:
    """The one accepted batch of a delivered file, by its name, in the working database."""
    with duckdb.connect(str(home.database), read_only=True) as con:
        [(batch_id,)] = con.execute(
            "select batch_id from events.batches where file_name = ? and status = 'accepted'",
            [file_name],
        ).fetchall()
    return batch_id


def start_loader(home: Path, files: list[Path]) -> subprocess.Popen:
    """`tertial ingest files...` as its own process on `home` (a loader of the lake)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tertial.cli", "ingest", *map(str, files)],
        cwd=REPO_ROOT,
        env={**os.environ, "TERTIAL_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

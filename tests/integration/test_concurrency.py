"""Readers never wait for writers: 4 reader processes query the published snapshot while
a full `tertial run` ingests a new month, builds and publishes.

Every answer must be the old snapshot's or the new one's, never a mix and never an
error. The query reads four tables that the new month changes together (the ledger,
the batches, the publication, freshness), so a half-published state would show as an
answer that is neither.

The old snapshot is the session's reference home (`reference_copy`, January-August
2011 built and published once), so the only build here is the run the readers race
(a selective one: a new month builds what the ledger feeds); the new month is August's
export delivered again as September.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SERVICENAMNDEN
from warehouse.settings import REPO_ROOT, Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

QUERY = """
select
    (select count(*) from marts.fct_ledger) as ledger_rows,
    (select sum(amount) from marts.fct_ledger) as ledger_sum,
    (select max(period) from marts.fct_ledger) as newest_period,
    (select count(*) from meta.batches) as batches,
    (select max(through_month) from marts.meta_freshness where source_name = 'huvudbok')
        as fresh_through,
    (select published_at from meta.publication) as published_at
"""

# One reader process: query in a loop until told to stop, one JSON line per answer.
# `hold` keeps one connection for the whole loop (its open file outlives the rename, so
# it must keep answering from the old snapshot); the others reconnect for every query,
# as BI dashboards and `tertial query` do. After the stop file appears each reconnecting
# reader asks once more, which must be answered by the new snapshot.
READER = r"""
import json, os, sys, time
import duckdb

path, query, stop, out, mode, seconds = sys.argv[1:7]
hold = mode == "hold"
deadline = time.monotonic() + float(seconds)
held = duckdb.connect(path, read_only=True) if hold else None
with open(out, "w") as sink:
    count, last = 0, False
    while count < 5000 and time.monotonic() < deadline:
        last = os.path.exists(stop)
        started = time.time()
        try:
            con = held or duckdb.connect(path, read_only=True)
            row = con.execute(query).fetchone()
            if not hold:
                con.close()
            line = {"answer": json.dumps(row, default=str), "at": started, "final": last}
        except Exception as exc:  # every error is a failure of the test, so record it
            line = {"error": f"{type(exc).__name__}: {exc}", "at": started, "final": last}
        sink.write(json.dumps(line) + "\n")
        sink.flush()
        count += 1
        if last:
            break
        time.sleep(0.05)  # the build needs the cores more than the readers
"""

READERS = 4
DEADLINE_SECONDS = 600.0


def answer(published: Path) -> str:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return json.dumps(con.execute(QUERY).fetchone(), default=str)
    finally:
        con.close()


def land_september(home: Paths) -> None:
    """August's export and its control file, as September's: a month the home lacks."""
    for suffix in (".csv", ".ctl"):
        august = (SERVICENAMNDEN / "huvudbok_201108").with_suffix(suffix).read_bytes()
        september = august.replace(b"201108", b"201109").replace(b"2011-08-", b"2011-09-")
        (home.landing / f"huvudbok_201109{suffix}").write_bytes(september)


def test_readers_see_the_old_or_the_new_snapshot_never_a_mix(
    reference_copy: Paths, tmp_path: Path
) -> None:
    home = reference_copy
    old = answer(home.published)
    land_september(home)

    stop = tmp_path / "stop"
    outputs = [tmp_path / f"reader{i}.jsonl" for i in range(READERS)]
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(home.published),
                QUERY,
                str(stop),
                str(out),
                "hold" if i == 0 else "reconnect",
                str(DEADLINE_SECONDS),
            ]
        )
        for i, out in enumerate(outputs)
    ]
    try:
        # The readers are querying before the run starts.
        while not all(o.exists() and o.stat().st_size for o in outputs):
            time.sleep(0.05)
        run_started = time.time()
        run = subprocess.run(
            [sys.executable, "-m", "tertial.cli", "run"],
            cwd=REPO_ROOT,
            env={**os.environ, "TERTIAL_HOME": str(home.home)},
            capture_output=True,
            text=True,
            timeout=DEADLINE_SECONDS,
        )
        run_ended = time.time()
        assert run.returncode == 0, run.stdout + run.stderr
        stop.touch()
        for reader in readers:
            assert reader.wait(timeout=60) == 0
    finally:
        for reader in readers:
            if reader.poll() is None:
                reader.kill()

    new = answer(home.published)
    assert new != old
    assert json.loads(new)[2] == 201109 and json.loads(old)[2] == 201108

    lines = [[json.loads(x) for x in out.read_text().splitlines()] for out in outputs]
    errors = [line["error"] for reader in lines for line in reader if "error" in line]
    assert errors == []
    answers = [[line["answer"] for line in reader] for reader in lines]
    for reader in answers:
        assert set(reader) <= {old, new}
        assert reader[0] == old
    # The one holding its connection keeps the snapshot it opened, to the end.
    assert set(answers[0]) == {old}
    # New connections get the new snapshot as soon as it is published.
    for reader in lines[1:]:
        assert reader[-1]["final"] and reader[-1]["answer"] == new
    # And the readers really ran while the run ingested, built and published.
    during = [line for reader in lines for line in reader if run_started < line["at"] < run_ended]
    assert len(during) >= 4 * READERS

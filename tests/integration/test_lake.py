"""The event log on DuckLake (`TERTIAL_CATALOG`), its catalog in a real PostgreSQL server.

The server is the session's `pg_server` (what `tertial serve start` runs); each test gets
a database of its own in it and a Parquet folder in tmp_path. Nothing of the stack is
mocked: the real extensions (the PyPI packages), real DuckLake commits and conflicts.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sources import registry
from tertial.cli import main
from tests.conftest import (
    ANSVAR,
    BALANS,
    KOMMENTARER,
    ORGANISATIONSMAPPNING,
    RESULTATFOND,
    SERVICENAMNDEN,
    Load,
    ledger_files,
)
from tests.helpers import start_loader
from warehouse import store as store_module
from warehouse.asof import connect_as_of
from warehouse.connection import duckdb_connect
from warehouse.ingest import ingest, ingest_file
from warehouse.lake import CATALOG_ENV, Lake
from warehouse.pipeline import publish_all
from warehouse.publish import connect_published
from warehouse.settings import REPO_ROOT, Paths, paths
from warehouse.store import EventStore

pytestmark = pytest.mark.integration

# Servicenämnden's follow-up through June 2011, every activity and kind (mnkr).
FOLLOWUP_201106 = (
    "select * from rpt_budget_followup_mnkr where namnd_code = '142' "
    "and through_period = 201106 order by all"
)
EVENT_TABLES = ("batches", "retractions", "supersession_keys", *registry.event_tables())


def event_rows(con, table: str) -> list[tuple]:
    """Every row of `events.<table>`, sorted, without what must differ between two loads
    of the same files: the transaction time (`recorded_at`, the clock of each load) and a
    rejection's report path (under each home's quarantine/)."""
    differ = {"batches": " exclude (recorded_at, report_path)", "retractions": " exclude "
              "(recorded_at)"}.get(table, "")  # fmt: skip
    return con.execute(f"select *{differ} from events.{table} order by all").fetchall()


# One file of every kind the reference home loads (and the same order: registers first),
# with its duplicate, its correction, its control file, its rejected file and the
# fixtures loaded after the folder. The whole folder (80 files) took 32-60 s on the lake
# in CI; the months beyond one per source add rows, not kinds.
SAMPLE = [
    *(
        SERVICENAMNDEN / name
        for name in (
            "organisation.csv",
            "verksamheter.csv",
            "budget_2011_1.csv",
            "budget_2011_2.csv",
            "huvudbok_201103.csv",  # with huvudbok_201103.ctl beside it
            "huvudbok_201103_kopia.csv",  # the same bytes: a duplicate
            "huvudbok_201106_leverans1.csv",
            "huvudbok_201106_leverans2.csv",  # supersedes leverans1
            "indikatorer_2011_T2.csv",
            "lon_201106.csv",
            "medarbetarenkat_2010.csv",
            "prognos_2011_T2.csv",
            "sjukfranvaro_201106.csv",
            "expected.md",  # no export: rejected
        )
    ),
    KOMMENTARER,
    RESULTATFOND,
    BALANS,
    ORGANISATIONSMAPPNING,
    ANSVAR,
]


def test_every_kind_of_file_on_the_lake_equals_the_embedded_file(
    lake: Lake, home: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same files ingested into the lake and into an embedded file, in the same
    order: the same statuses (accepted, duplicate, rejected), every event table equal,
    row for row, ids included; only `recorded_at` (each load's clock) and a rejection's
    `report_path` (under each home's quarantine/) differ; column names, types and
    nullability equal. (The marts built on the lake: the migration's test below.)"""
    on_lake = [(r.path.name, r.status) for r in ingest(home, SAMPLE)]
    # Nothing of the lake's log is in the working database's place.
    assert not home.database.exists()
    monkeypatch.delenv(CATALOG_ENV)
    embedded = paths(tmp_path / "embedded").ensure()
    assert [(r.path.name, r.status) for r in ingest(embedded, SAMPLE)] == on_lake
    assert {status for _, status in on_lake} == {"accepted", "duplicate", "rejected"}

    file = duckdb_connect(embedded.database, read_only=True)
    on_lake = lake.connect()
    try:
        for table in EVENT_TABLES:
            assert event_rows(on_lake, table) == event_rows(file, table), table
        # Every source's table holds rows: the sample covers every kind the home has.
        empty = [
            table
            for table in EVENT_TABLES
            if table != "retractions"
            and not file.execute(f"select count(*) from events.{table}").fetchone()[0]
        ]
        assert not empty, empty
        columns = (
            "select table_name, column_name, data_type, is_nullable "
            "from information_schema.columns where table_schema = 'events' "
            "and table_catalog = current_database() order by all"
        )
        assert on_lake.execute(columns).fetchall() == file.execute(columns).fetchall()
        # Transaction time strictly increasing in id order, as on the file.
        times = on_lake.execute(
            "select recorded_at from events.batches order by batch_id"
        ).fetchall()
        assert all(a < b for (a,), (b,) in itertools.pairwise(times))
    finally:
        file.close()
        on_lake.close()


def test_migrate_copies_the_embedded_log_and_the_lake_builds_the_same_marts(
    lake: Lake, reference_copy: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tertial migrate --to ducklake` on a copy of the reference home (built, published):
    - every event table on the lake equal to the file's, row for row, `recorded_at` and
      ids included (the migration's own check is a content hash per table);
    - the same dbt project built on the lake (`--target lake`, its data tests with it):
      every mart equal, row for row and every column, to the published snapshot's;
    - run again, it finds the same events and verifies them instead of copying twice;
    - both publishes from the catalog (the published files removed first): the same
      marts, the lake's log; the nightly then finds nothing new (no dbt);
    - `--as-of` a moment between the two deliveries of 201106, built from the lake's
      published log, gives the embedded file's answer row for row, not now's;
    - the next load on the lake continues the file's ids, and the file's bytes already
      migrated are a duplicate there."""
    home = reference_copy
    command = ["--home", str(home.home), "migrate", "--to", "ducklake"]
    assert main(command) == 0, capsys.readouterr().err
    said = capsys.readouterr().out
    assert "Copied and verified (content hash of every event table)" in said
    assert "built on the lake equals the working database's" in said

    file = duckdb_connect(home.published_events, read_only=True)
    marts = duckdb_connect(home.published, read_only=True)
    on_lake = lake.connect()
    try:
        for table in EVENT_TABLES:
            query = f"select * from events.{table} order by all"
            assert on_lake.execute(query).fetchall() == file.execute(query).fetchall(), table
        names = (
            "select table_name from information_schema.tables where table_schema = "
            "'marts' and table_catalog = current_database() order by all"
        )
        published = [name for (name,) in marts.execute(names).fetchall()]
        assert [name for (name,) in on_lake.execute(names).fetchall()] == published
        for name in published:
            query = f"select * from marts.{name} order by all"
            assert on_lake.execute(query).fetchall() == marts.execute(query).fetchall(), name
        newest = on_lake.execute("select max(batch_id) from events.batches").fetchone()[0]
    finally:
        file.close()
        marts.close()
        on_lake.close()

    assert main([*command, "--no-build"]) == 0
    assert "already holds this event log" in capsys.readouterr().out

    # As of a moment between the two deliveries of 201106, on the file's published log.
    with duckdb_connect(home.published_events, read_only=True) as con:
        leverans1, leverans2 = (
            con.execute(
                "select recorded_at from events.batches where file_name = ? "
                "and status = 'accepted'",
                [name],
            ).fetchone()[0]
            for name in ("huvudbok_201106_leverans1.csv", "huvudbok_201106_leverans2.csv")
        )
    between = leverans1 + (leverans2 - leverans1) / 2
    shutil.rmtree(home.asof, ignore_errors=True)
    with connect_as_of(home, between) as con:
        then_on_file = con.execute(FOLLOWUP_201106).fetchall()
    assert then_on_file

    # Both publishes from the catalog (the published files removed first, so nothing
    # comes from the file): the marts the migration built there, the lake's log.
    snapshot_before = duckdb_connect(home.published, read_only=True)
    try:
        marts_before = {
            name: snapshot_before.execute(f"select * from marts.{name} order by all").fetchall()
            for name in published
        }
    finally:
        snapshot_before.close()
    home.published.unlink()
    home.published_events.unlink()
    publish_all(home)
    with connect_published(home.published) as con:
        assert con.execute("select through_event_id from meta.publication").fetchone() == (newest,)
        for name in published:
            query = f"select * from marts.{name} order by all"
            assert con.execute(query).fetchall() == marts_before[name], name
    with duckdb_connect(home.published_events, read_only=True) as con:
        assert con.execute("select max(batch_id) from events.batches").fetchone() == (newest,)
    # The nightly reads the catalog's newest event and the migration's build record:
    # nothing new, no dbt. (A build on the lake from the CLI: test_lake_loaders.py.)
    assert main(["--home", str(home.home), "run"]) == 0, capsys.readouterr().err
    assert "Nothing new since the snapshot published" in capsys.readouterr().out

    # As of the same moment, built from the published log the lake's publish wrote: the
    # same answer as the embedded file's published log gave, which differs from now's
    # (leverans2 adds a voucher: expected.md's 27,1 then, 27,2 now, through August).
    # No cached build of the file's log (a folder per cut); dbt's saved parse of the
    # project (asof/partial_parse.msgpack, no data) stays, as between any two cuts: no full parse.
    for cached in home.asof.iterdir():
        if cached.is_dir():
            shutil.rmtree(cached)
    with connect_as_of(home, between) as con:
        assert con.execute(FOLLOWUP_201106).fetchall() == then_on_file
    with connect_published(home.published) as con:
        assert con.execute(FOLLOWUP_201106).fetchall() != then_on_file

    # The next loads on the lake: the file's bytes already migrated are a duplicate
    # there, and a new file takes the id after the file's newest.
    [duplicate] = ingest(home, [SERVICENAMNDEN / "verksamheter.csv"])
    assert duplicate.status == "duplicate"
    changed = home.home / "resultatfond_2011_rattelse.csv"
    changed.write_text(
        "Nämnd;År;Ingående resultatfond;Beslut;Belopp;Beslutsdatum;Beslut-id\n"
        "142;2011;7 600 000,00;disposition;2 500 000,00;2011-03-16;SN-2011-RF-1\n",
        encoding="utf-8",
    )
    [accepted] = ingest(home, [changed])
    assert (accepted.status, accepted.batch_id) == ("accepted", newest + 1)


def _interleave(monkeypatch: pytest.MonkeyPatch, other: Callable[[], object]) -> list[str]:
    """Run `other` (another loader's whole commit) once, between the moment this
    loader's append transaction has read and written everything and its COMMIT: the
    race two loaders on two machines run. Through the crash test's hook, which the append
    calls at exactly that point."""
    calls: list[str] = []

    def hook(step: str) -> None:
        calls.append(step)
        if step == "before_commit" and len(calls) == 1:
            other()

    monkeypatch.setattr(store_module, "crash_point", hook)
    return calls


def test_two_loaders_handed_the_same_file_make_one_batch_and_one_duplicate(
    lake: Lake, home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    *registers, month = ledger_files("huvudbok_201101.csv")
    ingest(home, registers)
    with EventStore(home.database) as first, EventStore(home.database) as second:
        outcome = {}
        _interleave(monkeypatch, lambda: outcome.update(second=ingest_file(second, month, home)))
        outcome["first"] = ingest_file(first, month, home)

    assert outcome["second"].status == "accepted"
    # The first loader's commit conflicted (the second committed meanwhile), ran again,
    # and found the same bytes accepted: nothing of it was applied.
    assert outcome["first"].status == "duplicate"
    assert outcome["first"].batch_id == outcome["second"].batch_id == 3
    con = lake.connect()
    try:
        assert con.execute(
            "select count(*), sum(row_count) from events.batches where file_name = ?",
            [month.name],
        ).fetchone() == (1, outcome["second"].rows)
        assert con.execute("select count(distinct batch_id) from events.huvudbok").fetchone() == (
            1,
        )
        assert con.execute("select batch_id from loader.head").fetchone() == (3,)
    finally:
        con.close()


def test_a_conflicting_commit_runs_again_after_the_other_and_takes_the_next_id(
    lake: Lake, home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two loaders, two months: both accepted, ids in commit order, each batch whole,
    the later one's transaction time after the earlier one's (supersession and as-of
    rely on both orders)."""
    files = ledger_files("huvudbok_201101.csv", "huvudbok_201102.csv")
    ingest(home, files[:2])
    with EventStore(home.database) as first, EventStore(home.database) as second:
        outcome = {}
        calls = _interleave(
            monkeypatch, lambda: outcome.update(second=ingest_file(second, files[3], home))
        )
        outcome["first"] = ingest_file(first, files[2], home)

    # The first loader's transaction ran twice: once conflicting, once committed.
    assert calls.count("before_commit") == 3  # the first's two attempts, the second's one
    assert (outcome["second"].status, outcome["second"].batch_id) == ("accepted", 3)
    assert (outcome["first"].status, outcome["first"].batch_id) == ("accepted", 4)
    con = lake.connect()
    try:
        rows = con.execute(
            """
            select b.batch_id, b.file_name, b.row_count, count(h.batch_id), b.recorded_at
            from events.batches as b left join events.huvudbok as h using (batch_id)
            group by all order by b.batch_id
            """
        ).fetchall()
    finally:
        con.close()
    assert [r[:2] for r in rows[2:]] == [(3, files[3].name), (4, files[2].name)]
    assert all(declared == counted for _, _, declared, counted, _ in rows[2:])
    assert rows[2][4] < rows[3][4]


# Raced by two loader processes: the registers, ledger months, a copy of one (same
# bytes: a duplicate), the two deliveries of 201106 (the second supersedes the first) and
# a file of no source (rejected). A subset of the folder: the whole of it took 95 s a
# loader with two on this 2-core machine, this ~20 s.
RACED = [
    *ledger_files(
        "huvudbok_201101.csv",
        "huvudbok_201102.csv",
        "huvudbok_201103.csv",
        "huvudbok_201103_kopia.csv",
        "huvudbok_201106_leverans1.csv",
        "huvudbok_201106_leverans2.csv",
    ),
    SERVICENAMNDEN / "expected.md",
]


def test_two_loader_processes_on_one_lake_load_the_files_once(
    lake: Lake, home: Paths, loaded: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `tertial ingest` processes of one TERTIAL_HOME (on the lake its loaders share
    the run lock: warehouse/lock.py), one catalog and one Parquet folder, handed the same
    files at the same time: every file is raced. The lake ends as one loader alone would
    leave it: equal, row for row and id for id, to the embedded file loaded once (each
    loader takes the files in the same order, and a file is committed once, so commit
    order is the files' order); every accepted file accepted by exactly one of the two,
    a duplicate for the other."""
    with monkeypatch.context() as embedded:
        embedded.delenv(CATALOG_ENV)
        embedded_home = Paths(tmp_path / "embedded")
        loaded(embedded_home.ensure(), RACED)

    loaders = [start_loader(tmp_path / "loaders", list(RACED)) for _ in (1, 2)]
    outputs = [loader.communicate(timeout=600)[0] for loader in loaders]
    assert [loader.returncode for loader in loaders] == [1, 1], outputs  # a rejected file

    accepted = [
        re.findall(r"^\[\d+/\d+\] accepted\s+(\S+)", output, re.MULTILINE) for output in outputs
    ]
    assert not set(accepted[0]) & set(accepted[1]), "a file accepted by both loaders"
    file = duckdb_connect(embedded_home.database, read_only=True)
    on_lake = lake.connect()
    try:
        (once,) = file.execute(
            "select count(*) from events.batches where status = 'accepted'"
        ).fetchone()
        assert len(accepted[0]) + len(accepted[1]) == once, outputs
        for table in EVENT_TABLES:
            assert event_rows(on_lake, table) == event_rows(file, table), table
        assert (
            on_lake.execute("select batch_id from loader.head").fetchone()
            == file.execute("select max(batch_id) from events.batches").fetchone()
        )
    finally:
        file.close()
        on_lake.close()


# A loader of the lake holding the run lock shared until its stdin closes.
SHARED_HOLDER = """
import sys
from pathlib import Path
home, sys.argv = Path(sys.argv[1]), ["tertial", "ingest"]
from warehouse.lock import run_lock
with run_lock(home, shared=True):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_loaders_on_the_lake_share_the_run_lock_and_exclude_the_rest(
    lake: Lake, home: Paths
) -> None:
    """While a loader of the lake holds the home's run lock (shared), another `tertial
    ingest` of the same home loads; `tertial build` (exclusive) is refused with exit 3
    and says who holds it; on the embedded file an ingest is exclusive as before."""
    holder = subprocess.Popen(
        [sys.executable, "-c", SHARED_HOLDER, str(home.home)],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def tertial(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tertial.cli", *args],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        loaded = tertial("ingest", str(SERVICENAMNDEN / "organisation.csv"))
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        assert "accepted" in loaded.stdout
        built = tertial("build")
        assert built.returncode == 3, built.stdout + built.stderr
        assert "loaders on the DuckLake catalog" in built.stderr
        embedded = {CATALOG_ENV: ""}
        alone = tertial("ingest", str(SERVICENAMNDEN / "organisation.csv"), **embedded)
        assert alone.returncode == 3, alone.stdout + alone.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_loader_killed_mid_commit_leaves_nothing_on_the_lake(
    lake: Lake, home: Paths, tmp_path: Path
) -> None:
    """SIGKILL of a `tertial ingest` on the lake inside its append transaction (every
    row written, as Parquet files too, the COMMIT not sent): no batch, no row, the id not
    taken; the rerun loads the month whole, as batch 3."""
    *registers, month = ledger_files("huvudbok_201101.csv")
    ingest(home, registers)

    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tertial.cli", "ingest", str(month)],
            cwd=REPO_ROOT,
            env={**os.environ, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )

    killed = run(TERTIAL_CRASH_AT="before_commit")
    assert killed.returncode == -9, killed.stdout + killed.stderr
    con = lake.connect()
    try:
        assert con.execute("select count(*) from events.batches").fetchone() == (2,)
        assert con.execute("select count(*) from events.huvudbok").fetchone() == (0,)
        assert con.execute("select batch_id from loader.head").fetchone() == (2,)
    finally:
        con.close()

    again = run()
    assert again.returncode == 0, again.stdout + again.stderr
    con = lake.connect()
    try:
        assert con.execute(
            "select batch_id, row_count from events.batches where file_name = ?", [month.name]
        ).fetchall() == [(3, con.execute("select count(*) from events.huvudbok").fetchone()[0])]
        assert con.execute("select count(*) from events.supersession_keys").fetchone() == (3,)
    finally:
        con.close()

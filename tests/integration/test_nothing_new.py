"""The nightly run with nothing new since the publish: no dbt, no publish, one line.

`tertial run` (in-process, the real CLI) and Dagster's nightly job (run tag
`tertial/build: if-changed`) on a copy of the reference home: nothing new leaves the
published snapshot and log byte for byte as they were and starts no dbt (its
run_results.json stays as it was); a retraction (a new event, from the batches' id
sequence) makes the next run build and publish, and the one after it skip again.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt_models import BUILD_TAG, IF_CHANGED, dbt_models, published_snapshot
from orchestration.assets.ingest import ingest_assets
from orchestration.definitions import defs
from orchestration.resources import TertialHome, dbt_resource
from tertial.cli import main
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds: `make test-fast` skips it

NOTHING_NEW = "Nothing new since the snapshot published "


@pytest.fixture
def home(servicenamnden_2011: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """A copy of the reference home (built and published once per session)."""
    copy = paths(tmp_path / "home")
    shutil.copytree(servicenamnden_2011.home, copy.home, symlinks=True)
    monkeypatch.setenv("TERTIAL_HOME", str(copy.home))
    return copy


def untouched(home: Paths) -> tuple:
    """The published files' bytes and dbt's last run_results.json (gone if none)."""
    run_results = home.dbt_target / "run_results.json"
    return (
        hashlib.sha256(home.published.read_bytes()).hexdigest(),
        hashlib.sha256(home.published_events.read_bytes()).hexdigest(),
        run_results.stat().st_mtime_ns if run_results.exists() else None,
    )


def publication(home: Paths) -> tuple:
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute(
            "select through_event_id, build_fingerprint from meta.publication"
        ).fetchone()


def a_ledger_batch(home: Paths) -> int:
    """The newest accepted ledger batch."""
    with duckdb.connect(str(home.published), read_only=True) as con:
        [(batch_id,)] = con.execute(
            "select max(batch_id) from meta.batches "
            "where source = 'huvudbok' and status = 'accepted'"
        ).fetchall()
    return batch_id


def ledger_rows(home: Paths, batch_id: int) -> int:
    """The batch's rows in the published fct_ledger."""
    with duckdb.connect(str(home.published), read_only=True) as con:
        [(rows,)] = con.execute(
            "select count(*) from marts.fct_ledger where batch_id = ?", [batch_id]
        ).fetchall()
    return rows


def retract(home: Paths, batch_id: int, capsys: pytest.CaptureFixture) -> int:
    assert main(["retract", str(batch_id), "--reason", "fel export"]) == 0
    out = capsys.readouterr().out
    return int(out.split()[1])  # "retraction 71 recorded: ..."


def skipped_in_one_line(out: str) -> str:
    [line] = [line for line in out.splitlines() if line.startswith(NOTHING_NEW)]
    assert line.endswith("same dbt project): no build."), line
    assert "Building the warehouse" not in out and "dbt build" not in out, out
    assert "Publishing" not in out, out
    return line


def test_run_with_nothing_new_starts_no_dbt_and_a_retraction_builds(
    home: Paths, capsys: pytest.CaptureFixture
) -> None:
    capsys.readouterr()
    before = untouched(home)
    through, fingerprint = publication(home)
    assert through is not None and fingerprint is not None

    assert main(["run"]) == 0
    line = skipped_in_one_line(capsys.readouterr().out)
    assert f"(events through {through}," in line
    assert untouched(home) == before

    # A retraction is an event (the id sequence of the batches): the next run builds.
    batch_id = a_ledger_batch(home)
    assert ledger_rows(home, batch_id) > 0
    retraction = retract(home, batch_id, capsys)
    assert retraction > through
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert f"Event {retraction} is new since the snapshot published " in out
    assert "Building the warehouse" in out and "Published " in out
    assert untouched(home) != before
    assert publication(home) == (retraction, fingerprint)
    assert ledger_rows(home, batch_id) == 0  # out of the current state

    # And again nothing new: no build, the new snapshot stays as it is.
    after = untouched(home)
    assert main(["run"]) == 0
    assert f"(events through {retraction}," in skipped_in_one_line(capsys.readouterr().out)
    assert untouched(home) == after


def nightly(home: Paths) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """The nightly job's assets as the schedule runs them (its tag), and its log lines."""
    job = defs.resolve_job_def("nightly")
    assert job.tags.get(BUILD_TAG) == IF_CHANGED
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [*ingest_assets(), dbt_models, published_snapshot],
        selection=dg.AssetSelection.assets(*job.asset_layer.executable_asset_keys),
        resources={"tertial": TertialHome(home=str(home.home)), "dbt": dbt_resource(home)},
        tags=dict(job.tags),
        instance=instance,
    )
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    return result, messages


def materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.materialization.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
    }


def test_dagster_nightly_with_nothing_new_materialises_no_model_and_publishes_nothing(
    home: Paths, capsys: pytest.CaptureFixture
) -> None:
    before = untouched(home)
    result, messages = nightly(home)
    assert result.success
    done = materialised(result)
    assert not any(key.split("/")[0] in ("marts", "intermediate", "staging") for key in done)
    assert "published/tertial" not in done
    assert len([m for m in messages if m.startswith(NOTHING_NEW)]) == 1
    assert untouched(home) == before

    # Something new: the nightly job builds and publishes, and records what it built
    # from, so `tertial run` afterwards has nothing to do.
    retraction = retract(home, a_ledger_batch(home), capsys)
    result, messages = nightly(home)
    assert result.success
    assert {"marts/fct_ledger", "published/tertial"} <= materialised(result)
    assert any(m.startswith(f"Event {retraction} is new") for m in messages)
    assert publication(home)[0] == retraction
    capsys.readouterr()
    assert main(["run"]) == 0
    skipped_in_one_line(capsys.readouterr().out)

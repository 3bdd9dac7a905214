"""The benchmark's pure parts: which file arrives when, checkpoints, queries, verdicts.

No timing is asserted anywhere: the figures belong in docs/benchmarks.md, not in tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bench.generate import Parameters, arrival, rows_per_board
from bench.queries import parse_queries, read_queries
from bench.run import (
    GIB,
    INGEST,
    INGEST_FLOOR,
    INGEST_WORK,
    OLD_BASELINE,
    QUERY_FLOOR,
    QUERY_START,
    Measured,
    Run,
    checkpoints,
    chunks,
    load,
    save,
    verdicts,
)
from bench.steps import percentile

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("huvudbok_201501.csv", (2015, 1)),
        ("huvudbok_201506_142_rattelse.csv", (2015, 6)),
        ("lon_201512.csv", (2015, 12)),
        ("sjukfranvaro_201601.csv", (2016, 1)),
        ("budget_2016_1.csv", (2016, 0)),
        ("prognos_2015_T1.csv", (2015, 4)),
        ("prognos_2015_T2_142_rattelse.csv", (2015, 8)),
        ("prognos_2015_M10.csv", (2015, 10)),
        ("indikatorer_2015_VB.csv", (2015, 12)),
        ("medarbetarenkat_2015.csv", (2015, 12)),
        ("organisation.csv", None),
        ("verksamheter.csv", None),
    ],
)
def test_every_export_arrives_in_its_month(name: str, expected: tuple[int, int] | None) -> None:
    assert arrival(name) == expected


def test_rows_per_board_spreads_a_city_month_over_28_boards() -> None:
    assert rows_per_board(1_000_000) * 28 == pytest.approx(1_000_000, abs=28)
    assert rows_per_board(0) == 10  # the demo's floor: a board's month is never empty


def test_checkpoints_are_1_3_10_years_up_to_the_history() -> None:
    assert checkpoints(1) == [1]
    assert checkpoints(2) == [1, 2]
    assert checkpoints(10) == [1, 3, 10]
    assert checkpoints(12) == [1, 3, 10, 12]


def test_chunks_load_history_then_exactly_the_next_january() -> None:
    names = ["organisation.csv", "verksamheter.csv"]
    for year in (2015, 2016, 2017):
        names += [f"budget_{year}_1.csv", f"prognos_{year}_T2.csv", f"indikatorer_{year}_VB.csv"]
        names += [f"{s}_{year}{m:02d}.csv" for s in ("huvudbok", "lon") for m in range(1, 13)]
    names += ["huvudbok_201801.csv", "lon_201801.csv"]
    files = [Path("city") / n for n in names]

    [(history_1, month_1), (history_3, month_3)] = chunks(files, 2015, [1, 3])

    assert [p.name for p in history_1[:2]] == ["organisation.csv", "verksamheter.csv"]
    # 2016's budget is decided before January: it is history, not the new month.
    assert {arrival(p.name) for p in history_1[2:]} == {
        *((2015, m) for m in range(13)),
        (2016, 0),
    }
    assert {p.name for p in month_1} == {"huvudbok_201601.csv", "lon_201601.csv"}
    assert {p.name for p in month_3} == {"huvudbok_201801.csv", "lon_201801.csv"}
    every = [*history_1, *month_1, *history_3, *month_3]
    assert sorted(every) == sorted(files)  # each file loads once


def test_the_query_list_has_ten_board_and_city_queries_on_the_marts() -> None:
    queries = read_queries()
    assert len(queries) == 10
    assert len({q.name for q in queries}) == 10
    assert {q.scope for q in queries} == {"board", "city"}
    for query in queries:
        assert "fct_ledger" in query.sql
        assert not query.sql.endswith(";")
        # A board's report reads one board; a city-wide one does not pick a board.
        assert ("namnd_code = '" in query.sql) == (query.scope == "board"), query.name


def test_a_query_without_a_known_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="scope"):
        parse_queries("-- query: x\n-- scope: region\nselect 1\n")


def test_percentile_interpolates_like_numpy() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.95) == pytest.approx(4.8)
    assert percentile(values, 0.0) == 1.0


def _run(
    *,
    ingest: float,
    floor: float,
    builds: dict[int, float],
    rss: int,
    start: float = 0.2,
    noop: float = 1.0,
) -> Run:
    """A run with the given figures (everything else comfortably inside its target).

    `ingest`, `floor` and `start` are process walls of the paired runs (the pairs spread
    by ±10 %); the loader's in-process work is a second less.
    """

    def step(label: str, seconds: float, memory: int = rss, **result: object) -> Measured:
        return Measured(label, seconds + 1, memory, {"seconds": seconds, **result})

    def whole(label: str, wall: float, memory: int = rss, **result: object) -> Measured:
        return Measured(label, wall, memory, dict(result))

    query = {"scope": "board", "rows": 1, "p50_ms": 20.0, "p95_ms": 30.0}
    city = {**query, "scope": "city", "p50_ms": 200.0}
    run = Run(Parameters(max(builds), 1000, 1000), dt.datetime.now(dt.UTC), (1.0, 1.0, 1.0))
    run.steps = [
        step("replay", 300),
        step("baseline: DuckDB copies the ledger log", 30),
        step("publish", 10, bytes=GIB, log_bytes=4 * GIB, log_seconds=7, snapshot_seconds=3),
        step("baseline: copy the published files' bytes", 2),
        step("queries", 5, queries=[query, city], baseline={"p50_ms": 1.0}),
    ]
    for n, spread in enumerate((1.0, 0.9, 1.1), start=1):
        run.steps += [
            whole(f"{QUERY_START} #{n}", start * spread),
            whole(f"{QUERY_FLOOR} #{n}", 0.1, GIB // 8),
        ]
    for n, spread in enumerate((1.0, 1.1, 0.9), start=1):
        run.steps += [
            whole(f"{INGEST} #{n}", ingest * spread),
            whole(f"{INGEST_FLOOR} #{n}", floor, GIB // 2, rows=1_000_000),
        ]
    run.steps += [
        step(INGEST_WORK, ingest - 1, rows=1_000_000),
        step(OLD_BASELINE, floor, GIB // 2),
    ]
    run.nightly = {
        years: {
            "ingest": step("ingest", 20, rows=1),
            "build": step("build", seconds),
            "run_noop": whole("noop", noop, output=["...", "Nothing new since ...: no build."]),
        }
        for years, seconds in builds.items()
    }
    return run


def test_verdicts_say_which_target_holds() -> None:
    good = verdicts(_run(ingest=3, floor=1, builds={1: 8, 3: 9, 10: 10}, rss=GIB))
    assert all(v.holds in (True, None) for v in good), [v for v in good if v.holds is False]
    ratios = {v.figure.split(",")[0].split(" (")[0]: v.ratio for v in good}
    assert ratios["ingest"] == "3.0× (2.7×–3.3×)"  # the medians', and the pairs' range
    assert ratios['`tertial query "select 1"` on the snapshot'] == "2.0× (1.8×–2.2×)"
    assert ratios["nightly build slope"] == "1.2×"

    bad = verdicts(_run(ingest=4, floor=1, builds={1: 6, 10: 11}, rss=5 * GIB, start=0.5, noop=2.5))
    failed = {v.figure.split(",")[0].split(" (")[0] for v in bad if v.holds is False}
    assert failed == {
        "ingest",
        "peak RSS of an ingest",
        '`tertial query "select 1"` on the snapshot',
        "nightly",  # nothing new in 2.5 s
        "nightly build +1 month on 10 year(s): the nightly's selective dbt build",
        "nightly build slope",
        "peak RSS of any step",
    }


def test_the_old_ingest_baseline_is_shown_but_not_judged() -> None:
    [old] = [
        v
        for v in verdicts(_run(ingest=3, floor=2, builds={1: 8}, rss=GIB))
        if v.baseline.startswith("old baseline")
    ]
    assert (old.measured, old.ratio, old.holds) == ("2.0 s", "1.0×", None)
    assert "encodings extension, in-process" in old.baseline


def test_a_nothing_new_run_that_built_does_not_hold() -> None:
    run = _run(ingest=3, floor=1, builds={1: 8}, rss=GIB)
    noop = run.nightly[1]["run_noop"]
    run.nightly[1]["run_noop"] = Measured(noop.label, 1.0, GIB, {"output": ["building."]})
    [nothing_new] = [v for v in verdicts(run) if "nothing new" in v.figure]
    assert "it built" in nothing_new.figure
    assert nothing_new.holds is False


def test_a_month_run_that_did_not_build_says_so() -> None:
    run = _run(ingest=3, floor=1, builds={1: 8}, rss=GIB)
    waiting = ["3 file(s): 0 accepted (0 rows), 3 waiting", "Nothing new since ...: no build."]
    run.nightly[1]["run_month"] = Measured("month", 4.0, GIB, {"output": waiting})
    [month] = [v for v in verdicts(run) if "`tertial run` (ingest, build, publish)" in v.figure]
    assert "it did not build" in month.figure
    assert month.holds is None  # for the record: the target is on the build


def test_the_floor_must_read_the_same_rows() -> None:
    run = _run(ingest=3, floor=1, builds={1: 8}, rss=GIB)
    run.steps = [
        Measured(s.label, s.wall, s.peak_rss, {"rows": 5})
        if s.label.startswith("floor: python +")
        else s
        for s in run.steps
    ]
    [ingest] = [v for v in verdicts(run) if v.figure.startswith("ingest")]
    assert "rows differ" in ingest.baseline
    assert ingest.holds is False


def test_paired_runs_are_found_by_their_label() -> None:
    run = _run(ingest=3, floor=1, builds={1: 8}, rss=GIB)
    assert [m.label for m in run.series(INGEST)] == [f"{INGEST} #{n}" for n in (1, 2, 3)]
    assert run.series("ingest one ledger month") == []  # the in-process one is no pair


def test_publish_names_both_files_it_replaces() -> None:
    [publish] = [
        v
        for v in verdicts(_run(ingest=3, floor=1, builds={1: 8}, rss=GIB))
        if v.figure.startswith("publish")
    ]
    assert publish.figure == "publish, 1 year(s): log 4,096 MiB + snapshot 1,024 MiB"
    assert publish.measured == "10.0 s (log copy 7.0 s, snapshot 3.0 s)"
    assert publish.ratio == "5.0×"


def test_peak_memory_is_judged_on_the_warehouse_not_on_duckdbs_baselines() -> None:
    run = _run(ingest=3, floor=1, builds={1: 8}, rss=GIB)
    run.steps.append(Measured("baseline: DuckDB copies the ledger log", 60, 5 * GIB, {}))
    run.steps.append(Measured(f"{INGEST_FLOOR} #4", 60, 5 * GIB, {"rows": 1_000_000}))
    run.steps.append(Measured("setup: ingest history", 60, 3 * GIB, {}))
    [peak] = [v for v in verdicts(run) if v.figure.startswith("peak RSS of any step")]
    assert peak.figure == "peak RSS of any step (setup: ingest history)"
    assert peak.holds


def test_the_slope_is_not_decided_on_one_year() -> None:
    [slope] = [
        v for v in verdicts(_run(ingest=3, floor=1, builds={1: 8}, rss=GIB)) if "slope" in v.figure
    ]
    assert slope.holds is None


def test_a_saved_run_gives_the_same_report_again(tmp_path: Path) -> None:
    run = _run(ingest=3, floor=1, builds={1: 8, 3: 9}, rss=GIB)
    run.machine, run.versions = {"nproc": "2", "memory": "1 GiB", "cpu": "x", "os": "y"}, {}
    save(run, "python -m bench.run --years 3", tmp_path / "results.json")
    again, command = load(tmp_path / "results.json")
    assert command == "python -m bench.run --years 3"
    assert verdicts(again) == verdicts(run)


def test_the_scale_out_table_gives_rows_per_second_against_one_loader_on_the_file() -> None:
    from bench import scaleout
    from bench.run import scale_out_section

    run = _run(ingest=3, floor=1, builds={1: 8}, rss=GIB)
    assert scale_out_section(run) == []  # a run without it (or from before it)
    rows = {"rows": 4_000_000}
    run.steps += [
        Measured(scaleout.loaders_label("embedded file", 1), 20.0, GIB, rows),
        Measured(scaleout.loaders_label("DuckLake", 1), 16.0, GIB, rows),
        Measured(scaleout.loaders_label("DuckLake", 4), 40.0, 5 * GIB, rows),
        Measured(scaleout.commits_label(4), 25.0, GIB, {"commits": 799, "gave_up": 1}),
    ]
    text = "\n".join(scale_out_section(run))
    assert "| embedded file | 1 | 4,000,000 | 20.0 s | 200,000 | 1.0× |" in text
    assert "| DuckLake | 1 | 4,000,000 | 16.0 s | 250,000 | 1.2× |" in text
    assert "| DuckLake | 4 | 4,000,000 | 40.0 s | 100,000 | 0.5× |" in text
    assert "| one-row commits on the catalog, 4 processes | 799 | 1 | 25.0 s | 32.0 |" in text
    # Four processes' summed memory is no single step's peak.
    [peak] = [v for v in verdicts(run) if v.figure.startswith("peak RSS of any step")]
    assert "scale-out" not in peak.figure and peak.holds

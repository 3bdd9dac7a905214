"""The Great Expectations wrapper: GX's SQL engine on DuckDB, and what it reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import great_expectations as gx
import polars as pl
import pytest

from sources._common.validation import is_date, matches, one_of, rule, unique, validate

pytestmark = pytest.mark.unit

E = gx.expectations
ROOT = Path(__file__).resolve().parents[2]


def test_gx_sql_metrics_come_back_on_duckdb() -> None:
    """Without the buffered results GX's SQL engine returns no metric on DuckDB
    (upstream #10738 / #11579): every rule would fail with an IndexError, none pass."""
    frame = pl.DataFrame({"line_number": [2, 3, 4], "namnd": ["101", None, "999"]})
    outcome = validate(
        frame,
        "test.content",
        [
            rule(E.ExpectColumnValuesToNotBeNull(column="namnd"), "Nämnd is filled"),
            rule(E.ExpectColumnValuesToBeInSet(column="namnd", value_set=["101"]), "known"),
            rule(E.ExpectTableRowCountToBeBetween(min_value=1), "at least one row"),
        ],
    )
    assert outcome.evaluated == 3
    filled, known = outcome.failures
    assert (filled.rule, filled.unexpected_count, filled.lines) == ("Nämnd is filled", 1, (3,))
    assert (known.rule, known.lines, known.values) == ("known", (4,), ("999",))
    statistics = outcome.result["statistics"]
    assert statistics["successful_expectations"] == 1


def test_a_pattern_rule_names_line_and_value_in_file_order() -> None:
    frame = pl.DataFrame({"line_number": [7, 2, 3, 4], "konto": ["x1", "4010", "34X0", None]})
    outcome = validate(frame, "test.content", [matches("konto", r"^\d{4}$", "Konto is 4 digits")])
    [failure] = outcome.failures
    assert (failure.rule, failure.column) == ("Konto is 4 digits", "konto")
    assert (failure.unexpected_count, failure.lines, failure.values) == (2, (3, 7), ("34X0", "x1"))
    [item] = outcome.result["results"]
    assert item["expectation_config"]["type"] == "unexpected_rows_expectation"
    assert item["result"]["observed_value"] == 2


def test_a_date_rule_wants_every_digit_and_a_calendar_day() -> None:
    frame = pl.DataFrame(
        {"line_number": [2, 3, 4, 5], "datum": ["20110831", "2011081", "20110931", None]}
    )
    outcome = validate(frame, "test.content", [is_date("datum", "%Y%m%d", "Datum is a date")])
    [failure] = outcome.failures
    assert (failure.lines, failure.values) == ((3, 4), ("2011081", "20110931"))


def test_a_listed_code_rule_names_what_is_not_listed_whatever_the_characters() -> None:
    """`one_of` (GX's in-set rule as a hash lookup): GX's count and the reported lines
    agree, also for a value with a quote, a colon (a bound parameter in SQLAlchemy's
    text) and braces (GX's query template); an empty list refuses every filled cell."""
    odd = "1'0:1 {x}"
    frame = pl.DataFrame({"line_number": [2, 3, 4, 5], "namnd": [odd, "101", None, "999"]})
    [failure] = validate(
        frame, "test.content", [one_of("namnd", [odd, "101"], "known", "")]
    ).failures
    assert (failure.unexpected_count, failure.lines, failure.values) == (1, (5,), ("999",))
    [failure] = validate(frame, "test.content", [one_of("namnd", [], "known", "")]).failures
    assert (failure.unexpected_count, failure.lines) == (3, (2, 3, 5))
    assert validate(
        frame.filter(pl.col("namnd") != "999"), "t.c", [one_of("namnd", [odd, "101"], "k", "")]
    ).success


def test_a_repeated_key_names_every_row_of_it() -> None:
    frame = pl.DataFrame(
        {
            "line_number": [2, 3, 4, 5, 6],
            "ar": ["2010", "2010", "2011", "2010", None],
            "index_namn": ["NMI", "Ledarskap", "NMI", "NMI", None],
        }
    )
    blank = pl.DataFrame({"line_number": [7], "ar": [None], "index_namn": [None]})
    outcome = validate(
        pl.concat([frame, blank]),
        "test.content",
        [unique(["ar", "index_namn"], "one row per År, Index")],
    )
    [failure] = outcome.failures
    assert (failure.column, failure.lines) == ("ar, index_namn", (2, 5))
    assert failure.values == (("2010", "NMI"), ("2010", "NMI"))


def test_failures_come_grouped_by_column_in_suite_order_whatever_order_gx_runs_them() -> None:
    """The first failure is the rejection's headline: the suite's order decides it, each
    column's rules together (as GX's pandas engine reported them)."""
    frame = pl.DataFrame({"line_number": [2, 3], "a": ["x", None], "b": ["1", None]})
    suite = [
        rule(E.ExpectColumnValuesToNotBeNull(column="b"), "b is filled"),
        matches("a", r"^[0-9]$", "a is a digit"),
        rule(E.ExpectColumnValuesToBeInSet(column="b", value_set=["2"]), "b is 2"),
        rule(E.ExpectColumnValuesToNotBeNull(column="a"), "a is filled"),
    ]
    outcome = validate(frame, "test.content", suite)
    rules = [f.rule for f in outcome.failures]
    assert rules == ["b is filled", "b is 2", "a is a digit", "a is filled"]


def test_great_expectations_imports_without_its_statistics_and_charts() -> None:
    """scipy.stats, altair, jsonschema and boto3 (1.15 s of GX's 2.1 s import) load only
    when used: a fresh process validates without them, and a use of them still works
    (sources._common.deferred)."""
    code = (
        "import sys\n"
        "import polars as pl\n"
        "from sources._common.validation import matches, validate\n"
        "frame = pl.DataFrame({'line_number': [2], 'konto': ['x']})\n"
        "failures = validate(frame, 's.content', [matches('konto', '[0-9]{4}', 'four')]).failures\n"
        "inner = ('scipy.stats._stats_py', 'altair.vegalite', 'jsonschema.validators', "
        "'boto3.session')\n"
        "loaded = [m for m in inner if m in sys.modules]\n"
        "from scipy import stats\n"
        "import jsonschema\n"
        "jsonschema.validate(1, {'type': 'integer'})\n"
        "print([f.lines for f in failures], loaded, round(float(stats.entropy([0.5, 0.5])), 4))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split("\n")[0] == "[(2,)] [] 0.6931"


def test_numpy_starts_no_blas_threads_under_our_sources() -> None:
    """OpenBLAS's threads spin on a core an ingest needs (sources/_common/__init__.py):
    numpy imported after our sources starts none; on its own, one a core (on a machine of
    more than one)."""
    count = "import os\nprint(len(os.listdir('/proc/self/task')))"
    # This process imported our sources already: its children would inherit the setting.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}

    def threads(imports: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", f"{imports}\n{count}"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        )
        return int(done.stdout)

    assert threads("import sources._common, numpy") == 1
    if len(os.sched_getaffinity(0)) > 1:
        assert threads("import numpy") > 1


def _suite() -> list:
    """A suite built anew, as each file's is: column, set, pattern and table rules."""
    return [
        rule(E.ExpectColumnValuesToNotBeNull(column="namnd"), "Nämnd is filled"),
        rule(E.ExpectColumnValuesToBeInSet(column="namnd", value_set=["101", "102"]), "known"),
        matches("konto", r"^\d{4}$", "Konto is 4 digits"),
        rule(E.ExpectTableRowCountToBeBetween(min_value=1), "at least one row"),
    ]


def test_each_frame_is_judged_on_its_own_data_though_gx_keeps_its_graphs() -> None:
    """Every validation in a process shares GX's asset, batch id and metric graphs (kept
    per rule): a frame's result is still its own, and a frame validated again gets GX's
    result of the first time, word for word."""
    bad = pl.DataFrame(
        {"line_number": [2, 3, 4], "namnd": ["101", None, "999"], "konto": ["4010", "x", None]}
    )
    good = pl.DataFrame({"line_number": [2], "namnd": ["102"], "konto": ["3010"]})
    other_columns = pl.DataFrame({"line_number": [5], "konto": ["12"]})
    first = validate(bad, "test.content", _suite())
    assert [(f.rule, f.lines, f.values) for f in first.failures] == [
        ("Nämnd is filled", (3,), (None,)),
        ("known", (4,), ("999",)),
        ("Konto is 4 digits", (3,), ("x",)),
    ]
    assert validate(good, "test.content", _suite()).success
    missing = validate(other_columns, "test.content", _suite())
    assert {f.rule for f in missing.failures} >= {"Nämnd is filled", "Konto is 4 digits"}
    again = validate(bad, "test.content", _suite())
    assert again.failures == first.failures
    loaded = ("meta", "batch_markers", "ge_load_time")  # when GX took the batch: its own
    assert _without(again.result, loaded) == _without(first.result, loaded)


def _without(result: dict, path: tuple[str, ...]) -> dict:
    *parents, key = path
    copy = json.loads(json.dumps(result))
    inner = copy
    for parent in parents:
        inner = inner[parent]
    del inner[key]
    return copy


def test_outside_a_validation_gx_builds_configurations_as_it_always_did() -> None:
    """The configurations an expectation keeps live only during `validate`: outside it,
    each read is GX's own, new and up to date."""
    expectation = rule(E.ExpectColumnValuesToNotBeNull(column="namnd"), "Nämnd is filled")
    validate(pl.DataFrame({"line_number": [2], "namnd": ["1"]}), "test.content", [expectation])
    assert expectation.configuration is not expectation.configuration
    expectation.column = "konto"
    assert expectation.configuration.kwargs["column"] == "konto"

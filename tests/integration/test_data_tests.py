"""The project's own generic data tests catch what they check, and a failure says where.

columns_not_null and columns_accepted_values (dbt_project/tests/generic) check all the
listed columns of a model in one dbt node instead of one node per column (dbt's cost is
~0.1 s per node: issue 14), so the failed node's name no longer says which column. On a
copy of the reference home (whose build passed every data test), a mart with a null
month name and a tertial that is not 1-3 fails `dbt test` on that mart, and BuildFailed
names each column, the row's key and the value (warehouse/build.py `_failing_rows`).
"""

from __future__ import annotations

import re

import duckdb
import pytest

from tertial.cli import main
from tests.conftest import SERVICENAMNDEN
from tests.helpers import dbt_last_ran
from warehouse.build import BuildFailed, run_dbt
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # the reference home: built once


def test_a_null_and_a_value_not_accepted_fail_naming_column_and_row(
    reference_copy: Paths,
) -> None:
    with duckdb.connect(str(reference_copy.database)) as con:
        con.execute("update marts.dim_period set month_name = null where period_key = 201105")
        con.execute("update marts.dim_period set tertial = 4 where period_key = 201106")

    # The tests of dim_period only (not those of the facts that point at it): one dbt run.
    with pytest.raises(BuildFailed) as failed:
        run_dbt(
            reference_copy, "test", "--select", "dim_period", "--indirect-selection", "cautious"
        )

    message = str(failed.value)
    assert "FAILED (2 node(s))" in message, message
    assert "columns_not_null_dim_period" in message
    assert (
        "1 failing row(s) (first failing rows: period_key=201105, null_columns='month_name')"
        in message
    )
    assert "columns_accepted_values_dim_period" in message
    assert "column_name='tertial', value_field='4', n_records=1" in message


def test_the_selective_nightly_runs_the_marts_tests_itself_and_a_failure_stops_it(
    reference_copy: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    """A nightly with new payroll rebuilds fct_payroll and, not dbt, runs its tests from
    the queries dbt compiled in the home's first build (warehouse/datatests.py). August
    is gone from dim_period, which that nightly does not rebuild: fct_payroll's
    relationship test to it fails, with dbt's verdict and the failing rows, and nothing
    is published."""
    home = reference_copy
    with duckdb.connect(str(home.database)) as con:
        con.execute("delete from marts.dim_period where period_key = 201108")
    published = home.published.read_bytes()
    corrected = (SERVICENAMNDEN / "lon_201108.csv").read_bytes()
    assert corrected.count(b";151;145,0;") == 1
    (home.landing / "lon_201108.csv").write_bytes(corrected.replace(b";151;145,0;", b";151;144,0;"))
    capsys.readouterr()

    assert main(["run"]) == 2

    out, err = capsys.readouterr()
    assert "1 new batch in lon since the working marts were built" in out
    # The tests ran after dbt's models, in this process: dbt's run ran models only.
    ran = dbt_last_ran(home)
    assert {unique_id.split(".")[0] for unique_id in ran} == {"model"}
    assert ran["model.tertial.fct_payroll"] == "success"
    tested = re.findall(r"\] test +(\S+) +(\w+) \(", out)
    assert "unique_combination_of_columns_fct_payroll_" in " ".join(n for n, _ in tested), out
    failed = [name for name, status in tested if status == "fail"]
    assert len(failed) == 1 and failed[0].startswith("relationships_fct_payroll_period_key"), out
    assert "FAILED (1 node(s))" in err and failed[0] in err, err
    assert "failing row(s) (first failing rows: from_field=201108" in err, err
    assert home.published.read_bytes() == published  # nothing published

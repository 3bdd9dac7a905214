"""The project's own generic data tests catch what they check, and a failure says where.

columns_not_null and columns_accepted_values (dbt_project/tests/generic) check all the
listed columns of a model in one dbt node instead of one node per column (dbt's cost is
~0.1 s per node: issue 14), so the failed node's name no longer says which column. On a
copy of the reference home (whose build passed every data test), a mart with a null
month name and a tertial that is not 1-3 fails `dbt test` on that mart, and BuildFailed
names each column, the row's key and the value (warehouse/build.py `_failing_rows`).
"""

from __future__ import annotations

import duckdb
import pytest

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

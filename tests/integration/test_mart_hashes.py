"""The dbt refactor (issue 13, part 3) left every mart's contents as they were.

The before/after proof itself was made once by hand (every mart's row count and content
hash on the reference folder and the demo city, built before and after the refactor:
equal, see the commit). What this module keeps checking, cheaply, on the session's
reference home (read-only) is the part a refactor of the dbt project can get wrong
without any figure test noticing at once:

- the macro `current_rows` (every `int_*_current` model) picks exactly the rows a plain
  query over the event log picks: per source and supersession key, the newest accepted
  batch, matched on the row's own key (the contract's key columns joined by '|');
- `fct_ledger` holds the plain sum of the winning ledger lines per (nämnd, period).

The reference folder has no retractions, so "accepted" here is the batch status alone;
retractions and the as-of cut are covered by test_dbt_project.py and
test_event_sourcing.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from sources.registry import BY_NAME
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

# int_*_current model -> the source whose rows it holds
ROW_MODELS = {
    "int_balances_current": "balans",
    "int_budget_decisions_current": "budget",
    "int_comments_current": "kommentarer",
    "int_forecasts_current": "prognos",
    "int_indicator_values_current": "indikatorer",
    "int_payroll_counts_current": "lon",
    "int_result_fund_decisions_current": "resultatfond",
    "int_sick_leave_hours_current": "sjukfranvaro",
    "int_survey_indices_current": "medarbetarenkat",
    "int_verksamheter_current": "verksamheter",
}

WINNERS = """
    select keys.source, keys.key, max(keys.batch_id) as batch_id
    from events.supersession_keys as keys
    inner join events.batches as batches
        on keys.batch_id = batches.batch_id
    where batches.status = 'accepted'
    group by keys.source, keys.key
"""


@pytest.fixture(scope="module")
def con(servicenamnden_2011: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(servicenamnden_2011.database), read_only=True)
    try:
        row = connection.execute("select count(*) from events.retractions").fetchone()
        assert row == (0,), "the plain reference below assumes a log without retractions"
        yield connection
    finally:
        connection.close()


def _key_text(columns: tuple[str, ...]) -> str:
    """The loader's key text: the key columns cast to text, joined by '|'."""
    return " || '|' || ".join(f"cast(rows.{c} as varchar)" for c in columns)


@pytest.mark.parametrize("model", sorted(ROW_MODELS))
def test_current_rows_equal_a_plain_query_over_the_events(
    con: duckdb.DuckDBPyConnection, model: str
) -> None:
    source = ROW_MODELS[model]
    key = BY_NAME[source].contract.supersession_key
    assert key, source
    expected = con.execute(
        f"""
        with winners as ({WINNERS})
        select rows.batch_id, rows.line_number
        from events.{source} as rows
        inner join winners
            on winners.source = '{source}'
            and winners.batch_id = rows.batch_id
            and winners.key = {_key_text(key)}
        order by 1, 2
        """
    ).fetchall()
    actual = con.execute(
        f"select batch_id, line_number from intermediate.{model} order by 1, 2"
    ).fetchall()
    assert expected, f"the reference folder has no {source} rows: the test proves nothing"
    assert actual == expected


def test_current_ledger_batches_equal_a_plain_query_over_the_events(
    con: duckdb.DuckDBPyConnection,
) -> None:
    expected = con.execute(
        f"""
        with winners as ({WINNERS})
        select split_part(key, '|', 1), cast(split_part(key, '|', 2) as integer), batch_id
        from winners where source = 'huvudbok' order by 1, 2
        """
    ).fetchall()
    actual = con.execute(
        "select namnd_code, period, batch_id from intermediate.int_ledger_batches_current"
        " order by 1, 2"
    ).fetchall()
    assert expected
    assert actual == expected


def test_fct_ledger_is_the_plain_sum_of_the_winning_lines(
    con: duckdb.DuckDBPyConnection,
) -> None:
    expected = con.execute(
        f"""
        with winners as ({WINNERS})
        select rows.namnd, rows.period, count(*), sum(cast(rows.belopp as decimal(18, 2)))
        from events.huvudbok as rows
        inner join winners
            on winners.source = 'huvudbok'
            and winners.batch_id = rows.batch_id
            and winners.key = {_key_text(("namnd", "period"))}
        group by all
        order by 1, 2
        """
    ).fetchall()
    actual = con.execute(
        "select namnd_code, period, sum(line_count), sum(amount) from marts.fct_ledger"
        " group by all order by 1, 2"
    ).fetchall()
    assert expected
    assert actual == expected

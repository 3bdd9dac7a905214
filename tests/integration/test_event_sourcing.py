"""Event sourcing on the reference folder: corrections, retractions and "as of" a moment.

Figures typed from `../shared/reference/servicenamnden-2011/expected.md`:
Ekonomiadministration (board 142, verksamhet 240), booked costs through August 2011:
27,2 mnkr with leverans2 of 201106, 27,1 with leverans1 only (leverans1 lacks a voucher
of about 0,12 mnkr). Justerad budget of 240 Kostnader: 42,8 mnkr now. Before
budget_2011_2.csv was recorded only the original decision counts; by hand from
budget_2011_1.csv, 240 Kostnader is 43 800 000,00 kronor = 43,8 mnkr (the adjustment
moves -1 000 000,00 from 240 to 100).

Load order: leverans1 first, then the other months of 2011, then leverans2, then the
budget adjustment. So a moment just before leverans2 was recorded has every month of
January-August, with 201106 as leverans1 delivered it: only the re-export is missing,
and the figure there is exactly expected.md's 27,1. (In name order leverans2 would come
right after leverans1, and a moment between them would lack July and August.)

Both figures are read from rpt_budget_followup_mnkr (T2 2011 of board 142), now and as of.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import duckdb
import pytest

from tertial.cli import main
from tests.conftest import SERVICENAMNDEN
from warehouse.asof import connect_as_of
from warehouse.ingest import ingest
from warehouse.lineage import key_history
from warehouse.pipeline import run
from warehouse.publish import connect_published
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.acceptance, pytest.mark.slow]  # builds a home: `make test-fast` skips it

# Both figures come from the report mart analysts read: every mart honours as-of.
FOLLOWUP_240_SQL = """
select {column}
from rpt_budget_followup_mnkr
where namnd_code = '142' and through_period = 201108
  and verksamhet_code = '240' and slag = 'Kostnader'
"""
BOOKED_240_SQL = FOLLOWUP_240_SQL.format(column="booked_ytd")
BUDGET_240_SQL = FOLLOWUP_240_SQL.format(column="adjusted_budget")
MONTHS = [f"huvudbok_2011{m:02d}.csv" for m in (1, 2, 3, 4, 5, 7, 8)]


def between(earlier: dt.datetime, later: dt.datetime) -> str:
    """A moment strictly between two transaction times, as an analyst would type it."""
    return (earlier + (later - earlier) / 2).astimezone(dt.UTC).isoformat()


def figure(con: duckdb.DuckDBPyConnection, sql: str) -> Decimal:
    (value,) = con.execute(sql).fetchone()  # type: ignore[misc]
    return value  # DECIMAL(18,1) mnkr, rounded by the mart from exact kronor


def now(home: Paths) -> tuple[Decimal, Decimal]:
    """(booked, budget) as the warehouse answers now: the published snapshot."""
    with connect_published(home.published) as con:
        return figure(con, BOOKED_240_SQL), figure(con, BUDGET_240_SQL)


def as_of(home: Paths, moment: str) -> tuple[Decimal, Decimal]:
    from warehouse.asof import parse_as_of

    with connect_as_of(home, parse_as_of(moment)) as con:
        return figure(con, BOOKED_240_SQL), figure(con, BUDGET_240_SQL)


def recorded(home: Paths, event_id: int) -> dt.datetime:
    with duckdb.connect(str(home.published_events), read_only=True) as con:
        (moment,) = con.execute(  # type: ignore[misc]
            "select recorded_at from events.batches where batch_id = $1 "
            "union all select recorded_at from events.retractions where retraction_id = $1",
            [event_id],
        ).fetchone()
    return moment


def report_html(home: Paths, moment: str | None) -> str:
    """`tertial report`'s HTML for Servicenämnden's T2 2011, as the CLI writes it."""
    out = home.home / f"report-{'now' if moment is None else 'then'}"
    command = ["--home", str(home.home), "report", "--namnd", "142", "--report", "T2"]
    command += ["--year", "2011", "--format", "html", "--out", str(out)]
    assert main(command + (["--as-of", moment] if moment else [])) == 0
    return (out / "tertialrapport_142_T2_2011.html").read_text(encoding="utf-8")


def booked_in_report(html: str, activity: str) -> list[str]:
    """The figures of an activity's cost row in the report's per-activity table."""
    table = html.split('data-table="verksamhet"')[1].split("</table>")[0]
    row = table.split(f'<td class="label">{activity}</td>')[1].split("</tr>")[0]
    return re.findall(r'<td class="figure">([^<]*)</td>', row)


def nightly(home: Paths) -> None:
    """Build and publish as the nightly run does (`tertial run`): a first build builds
    everything, a retraction what the retracted batch wrote, with the nightly's data
    tests (not those on the pure renaming views, which the reference home's build runs)."""
    result = run(home)
    assert result.build is not None and result.build.success, result.skipped
    assert result.published is not None


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Load, correct, retract and restore; the figures at every step."""
    home = paths(tmp_path_factory.mktemp("event_sourcing")).ensure()
    ref = SERVICENAMNDEN
    steps: dict = {"home": home}
    batch = {}
    for group in (
        [ref / "organisation.csv", ref / "verksamheter.csv", ref / "budget_2011_1.csv"],
        [ref / "huvudbok_201106_leverans1.csv"],
        [ref / name for name in MONTHS],
        [ref / "huvudbok_201106_leverans2.csv"],
        [ref / "budget_2011_2.csv"],
    ):
        for result in ingest(home, group):
            assert result.status == "accepted", result.line()
            batch[result.path.name] = result.batch_id
    steps["batch"] = batch
    nightly(home)
    steps["now"] = now(home)
    leverans1, leverans2 = (
        batch["huvudbok_201106_leverans1.csv"],
        batch["huvudbok_201106_leverans2.csv"],
    )
    steps["before_leverans2"] = between(recorded(home, leverans2 - 1), recorded(home, leverans2))
    steps["as_of_before_leverans2"] = as_of(home, steps["before_leverans2"])
    # The board's report, now and as of then (the as-of build above is reused).
    steps["report_now"] = report_html(home, None)
    steps["report_before_leverans2"] = report_html(home, steps["before_leverans2"])
    assert leverans2 - 1 == batch["huvudbok_201108.csv"]  # the moment has all the months

    assert (
        main(["--home", str(home.home), "retract", str(leverans2), "--reason", "test", "--yes"])
        == 0
    )
    retraction = leverans2 + 2  # after budget_2011_2's batch: one id sequence for all events
    nightly(home)
    steps["retraction"] = retraction
    steps["after_retraction"] = now(home)
    steps["history_retracted"] = key_history(home.published_events, "huvudbok", "142|201106")
    steps["before_retraction"] = between(recorded(home, retraction - 1), recorded(home, retraction))
    steps["as_of_before_retraction"] = as_of(home, steps["before_retraction"])

    assert (
        main(["--home", str(home.home), "retract", str(retraction), "--reason", "undo", "--yes"])
        == 0
    )
    nightly(home)
    steps["after_restore"] = now(home)
    steps["history_restored"] = key_history(home.published_events, "huvudbok", "142|201106")
    steps["leverans1"] = leverans1
    return steps


def test_leverans2_corrects_the_month_now_but_not_as_of_before_it(story: dict) -> None:
    booked_now, budget_now = story["now"]
    assert booked_now == Decimal("27.2")
    assert budget_now == Decimal("42.8")
    booked_then, budget_then = story["as_of_before_leverans2"]
    assert booked_then == Decimal("27.1")
    # The adjustment was recorded after leverans2: as of then, only the original budget.
    assert budget_then == Decimal("43.8")


def test_the_report_as_of_before_leverans2_shows_27_1_and_now_27_2(story: dict) -> None:
    # Ekonomiadministration's costs: budget, booked through August, forecast, deviation,
    # 2010 (expected.md: 27,1 as of a moment between the two deliveries, now 27,2).
    assert booked_in_report(story["report_now"], "Ekonomiadministration")[:2] == ["42,8", "27,2"]
    then = booked_in_report(story["report_before_leverans2"], "Ekonomiadministration")
    assert then[:2] == ["43,8", "27,1"]
    # The footer says what the report rests on: the log as it stood then.
    assert "(--as-of)" in story["report_before_leverans2"].split('<footer class="report">')[1]
    assert "(--as-of)" not in story["report_now"]


def test_retracting_leverans2_restores_leverans1_and_as_of_before_still_shows_it(
    story: dict,
) -> None:
    assert story["after_retraction"] == (Decimal("27.1"), Decimal("42.8"))
    # As of a moment before the retraction (and after the adjustment was recorded).
    assert story["as_of_before_retraction"] == (Decimal("27.2"), Decimal("42.8"))
    statuses = {row[0]: row[4] for row in story["history_retracted"].rows}
    assert statuses == {
        story["leverans1"]: "current",
        story["leverans1"] + 8: f"retracted by {story['retraction']}: test",
    }


def test_retracting_the_retraction_restores_leverans2(story: dict) -> None:
    assert story["after_restore"] == (Decimal("27.2"), Decimal("42.8"))
    statuses = {row[1]: row[4] for row in story["history_restored"].rows}
    assert statuses == {
        "huvudbok_201106_leverans1.csv": f"superseded by {story['leverans1'] + 8}",
        "huvudbok_201106_leverans2.csv": "current",
    }


def test_facts_carry_transaction_and_valid_time(story: dict) -> None:
    home: Paths = story["home"]
    with connect_published(home.published) as con:
        rows = con.execute(
            "select distinct f.period, f.batch_id, f.recorded_at = b.recorded_at, b.file_name "
            "from fct_ledger f join meta.batches b using (batch_id) "
            "where f.namnd_code = '142' and f.period = 201106"
        ).fetchall()
    assert rows == [(201106, story["leverans1"] + 8, True, "huvudbok_201106_leverans2.csv")]


def test_cli_query_and_explain_as_of(story: dict, capsys: pytest.CaptureFixture) -> None:
    home: Paths = story["home"]
    moment = story["before_leverans2"]  # built above: answered from the cache
    sql = "select count(distinct batch_id) as batches, max(period) as last from fct_ledger"
    assert (
        main(["--home", str(home.home), "query", "--as-of", moment, "--format", "json", sql]) == 0
    )
    [row] = json.loads(capsys.readouterr().out)
    assert row == {"batches": 8, "last": 201108}  # Jan-Aug, 201106 from leverans1
    where = "period = 201106"
    assert (
        main(["--home", str(home.home), "explain", "fct_ledger", "--where", where, "--as-of",
              moment, "--format", "json"])
        == 0
    )  # fmt: skip
    [explained] = json.loads(capsys.readouterr().out)
    assert explained["file_name"] == "huvudbok_201106_leverans1.csv"
    assert explained["keys"] == "142|201106"
    assert main(["--home", str(home.home), "explain", "fct_ledger", "--where", where]) == 0
    out = capsys.readouterr().out
    assert "huvudbok_201106_leverans2.csv" in out and "leverans1" not in out


def test_the_second_cut_reuses_the_first_cuts_parse(story: dict) -> None:
    """Two as-of builds of one home: the second never parses the whole project.

    The moment reaches dbt as an environment variable and the database as the same
    relative path (warehouse/asof.py), so dbt's saved parse of the first cut is valid for
    the second (~8-18 s of a ~30-40 s as-of build here). The first parses the whole
    project or starts from this machine's saved parse, if another home's cut left one
    (warehouse/saved_parse.py, tests/integration/test_saved_parse.py).
    """
    home: Paths = story["home"]
    first, second = sorted(home.asof.glob("*/dbt/logs/dbt.log"))  # named by the cut's time
    assert re.search(r"Found \d+ models", first.read_text(encoding="utf-8"))  # dbt's parse
    assert "Unable to do partial parsing" not in second.read_text(encoding="utf-8")
    assert (home.asof / "partial_parse.msgpack").exists()

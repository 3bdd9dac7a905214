"""`tertial demo`: the demo city flows end to end, as `make run` shows it."""

import duckdb
import pytest

from tertial.cli import main
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it


def test_demo_city_end_to_end(home: Paths, capsys) -> None:
    # One year and few rows (~90 files) keep this short; `make run` uses three years.
    assert main(["demo", "--years", "2024", "--rows-per-board-month", "20"]) == 0
    out = capsys.readouterr().out

    assert "duplicate  huvudbok_202403_kopia.csv" in out
    # The one intended rejection, and only it: every other export of every source loads.
    [rejected] = [line for line in out.splitlines() if "] rejected " in line]
    assert "rejected   huvudbok_202410_140_rattelse.csv" in rejected
    assert "personnummer" in rejected  # the rejection says which rule, readable
    assert f"Published database (read-only): {home.published}" in out
    assert out.count("-- ") >= 3 and "(5 rows)" in out  # three example queries, answered

    # Everything left the inbox; the rejected file waits in quarantine with its report.
    assert not any(p.is_file() for p in home.landing.rglob("*"))
    [report] = list(home.quarantine.glob("huvudbok_202410_140_rattelse.csv.*/report.txt"))
    assert "personnummer" in report.read_text(encoding="utf-8")

    con = duckdb.connect(str(home.published), read_only=True)
    accepted = con.execute(
        "select source, count(*) from meta.batches where status = 'accepted' group by all"
    ).fetchall()
    # Per source: 2 registers; 12 months + the correction; 3 decisions; T1, T2, M10 + the
    # corrected T2; 12 months of payroll and of sick leave; one survey; T1, T2 and VB.
    assert dict(accepted) == {
        "organisation": 1,
        "verksamheter": 1,
        "huvudbok": 13,
        "budget": 3,
        "prognos": 4,
        "lon": 12,
        "sjukfranvaro": 12,
        "medarbetarenkat": 1,
        "indikatorer": 3,
    }
    boards, months = con.execute(
        "select count(distinct namnd_code), count(distinct period) from marts.fct_ledger"
    ).fetchone()
    # The correction for (142, 202406) superseded the month's first delivery.
    [(file_name,)] = con.execute(
        "select distinct b.file_name from marts.fct_ledger f join meta.batches b using (batch_id) "
        "where f.namnd_code = '142' and f.period = 202406"
    ).fetchall()
    con.close()
    assert boards >= 25 and months == 12
    assert file_name == "huvudbok_202406_142_rattelse.csv"

    work = duckdb.connect(str(home.database), read_only=True)
    # The corrected T2 forecast of Servicenämnden superseded its first delivery whole.
    forecast_files = work.execute(
        "select b.file_name, count(*) from intermediate.int_forecasts_current f "
        "join events.batches b using (batch_id) "
        "where f.namnd_code = '142' and f.year = 2024 and f.forecast_occasion = 'T2' group by all"
    ).fetchall()
    # The one figure that cannot be read loaded anyway, flagged with its column.
    flagged = work.execute(
        "select namnd, rapport, periodens_utfall, unparsed from events.indikatorer "
        "where len(unparsed) > 0"
    ).fetchall()
    work.close()
    assert [name for name, _ in forecast_files] == ["prognos_2024_T2_142_rattelse.csv"]
    assert flagged == [("142", "T2", "ca 87 %", ["periodens_utfall"])]

    # The nightly run again, with nothing new: it loads nothing and builds nothing (one
    # line says so; warehouse/freshness.py).
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "0 file(s)" in out
    [skipped] = [line for line in out.splitlines() if line.startswith("Nothing new since")]
    assert skipped.endswith("same dbt project): no build.")
    assert "Building the warehouse" not in out and "Published " not in out

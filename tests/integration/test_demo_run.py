"""`tertial demo`: the demo city flows end to end, as `make run` shows it."""

import duckdb
import pytest

from tertial.cli import main
from tertial.settings import Paths

pytestmark = pytest.mark.integration


def test_demo_city_end_to_end(home: Paths, capsys) -> None:
    # One year and few rows keep this under a minute; `make run` uses the full three years.
    assert main(["demo", "--years", "2024", "--rows-per-board-month", "20"]) == 0
    out = capsys.readouterr().out

    assert "duplicate  huvudbok_202403_kopia.csv" in out
    assert "rejected   huvudbok_202410_140_rattelse.csv" in out
    assert "personnummer" in out  # the rejection says which rule, readable
    assert f"Published database (read-only): {home.published}" in out
    assert out.count("-- ") >= 3 and "(5 rows)" in out  # three example queries, answered

    # Everything left the inbox; the rejected file waits in quarantine with its report.
    assert not any(p.is_file() for p in home.landing.rglob("*"))
    [report] = list(home.quarantine.glob("huvudbok_202410_140_rattelse.csv.*/report.txt"))
    assert "personnummer" in report.read_text(encoding="utf-8")

    con = duckdb.connect(str(home.published), read_only=True)
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

    # The nightly run again, with nothing new: it loads nothing and still publishes.
    assert main(["run"]) == 0
    assert "0 file(s)" in capsys.readouterr().out

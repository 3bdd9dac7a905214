"""The register of responsibility units (ansvar.csv) through the real ingest and build:
broken registers are rejected naming their rows, a register that moves Servicenämndens
Kontaktcenter (14230) to Kommunstyrelsen (101) from 2011-06-01 gives dim_ansvar its
versions (and the ledger's inferred version where the register is silent), re-keys the
incremental fct_ledger_units, and carries 14230's whole history to 101 in
fct_ledger_units_restated while 142's other units stay; as of a moment before the
register and 201108's ledger, and after retracting both, the marts follow.

The figures were summed from the reference folder's ledger files (the winning delivery of
each month, 201106's second), by hand in Python, not by the warehouse: 14230 books
−2 302 540,16 kr in 2010 (454 lines) and −166 453,29 kr in 2011 (455 lines), 725 lines
before June 2011 and 184 from it; 14250 589 lines; 142 books 13 755 982,89 kr in 2010
(4 681 lines) and −2 435 195,09 kr in 2011 (3 445 lines).
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tertial.cli import main
from tests.helpers import accepted_batch
from warehouse.asof import connect_as_of
from warehouse.pipeline import run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HEADER = "Nämnd;Ansvar;Namn;Giltig från;Giltig till\n"
# Every unit of 142's ledger but 14250 (left to the ledger); 14230 moves to 101.
REGISTER = HEADER + (
    "142;14201;Förvaltningsledning;2010-01-01;\n"
    "142;14210;Lönecenter;2010-01-01;\n"
    "142;14220;Upphandlingsenheten;2010-01-01;\n"
    "142;14230;Kontaktcenter;2010-01-01;2011-05-31\n"
    "101;14230;Kontaktcenter Stockholm;2011-06-01;\n"
    "142;14231;Äldre Direkt;2010-01-01;\n"
    "142;14240;Ekonomiservice;2010-01-01;\n"
)
BROKEN = {
    # 14230's second row starts inside its first.
    "ansvar_overlap.csv": REGISTER.replace("2011-06-01", "2011-05-01"),
    "ansvar_okand.csv": REGISTER.replace("101;", "999;"),
    "ansvar_pnr.csv": REGISTER.replace("Lönecenter", "Lönecenter 19121212-1212"),
}
YEARS = {2010: Decimal("13755982.89"), 2011: Decimal("-2435195.09")}
MOVED = {2010: Decimal("-2302540.16"), 2011: Decimal("-166453.29")}
LINES, MOVED_LINES = {2010: 4681, 2011: 3445}, {2010: 454, 2011: 455}
PER_YEAR = "select period // 100, sum(amount) from {table} group by 1 order by 1"
RESTATED = (
    "select period // 100, namnd_code, restatement_rule, sum(amount), sum(line_count) "
    "from fct_ledger_units_restated group by all order by all"
)


def query(database: object, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def marts(database: object, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute("use marts")
        return con.execute(sql).fetchall()


def test_the_register_moves_a_unit_with_its_history(reference_copy: Paths) -> None:
    home = reference_copy
    (home.landing / "ansvar_2011.csv").write_text(REGISTER, encoding="utf-8")
    for name, text in BROKEN.items():
        (home.landing / name).write_text(text, encoding="utf-8")
    night = run(home, settle_seconds=0)
    status = {r.path.name: r.status for r in night.files}
    assert status == {"ansvar_2011.csv": "accepted"} | dict.fromkeys(BROKEN, "rejected")
    reasons = {r.path.name: str(r.reason) for r in night.files if r.status == "rejected"}
    assert "Ansvar 14230: line 6 from 2011-05-01 overlaps line 5" in reasons["ansvar_overlap.csv"]
    assert "Nämnd is a code of the organisation register" in reasons["ansvar_okand.csv"]
    assert "'999'" in reasons["ansvar_okand.csv"]
    assert "no personnummer-like value in Namn" in reasons["ansvar_pnr.csv"]
    assert "19121212-1212" not in reasons["ansvar_pnr.csv"]  # masked
    assert night.published is not None, night.skipped
    published = home.published

    # dim_ansvar: the register's versions, and the ledger's where the register is silent.
    assert marts(
        published,
        "select ansvar_code, namnd_code, ansvar_name, valid_from::varchar, valid_to::varchar, "
        "is_current, version_source, line_count from dim_ansvar "
        "where ansvar_code in ('14230', '14250') order by ansvar_code, valid_from",
    ) == [
        ("14230", "142", "Kontaktcenter", "2010-01-01", "2011-06-01", False, "register", 725),
        ("14230", "101", "Kontaktcenter Stockholm", "2011-06-01", None, True, "register", 184),
        ("14250", "142", "Okänd", "2010-01-01", None, True, "ledger", 589),
    ]
    assert marts(published, "select count(*) from dim_ansvar where is_inferred") == [(1,)]

    # fct_ledger_units, built incrementally before the register came: its 14230 rows are
    # re-keyed, each row to the version valid in its period.
    assert marts(
        published,
        "select count(*) from fct_ledger_units as f join dim_ansvar as d "
        "on f.ansvar_version_key = d.ansvar_version_key "
        "where f.ansvar_code != d.ansvar_code or make_date(f.period // 100, f.period % 100, 1) "
        "not between d.valid_from and coalesce(d.valid_to - 1, date '9999-12-31')",
    ) == [(0,)]
    assert marts(
        published,
        "select d.namnd_code, min(f.period), max(f.period) from fct_ledger_units as f "
        "join dim_ansvar as d using (ansvar_version_key) where f.ansvar_code = '14230' "
        "group by all order by 2",
    ) == [("142", 201001, 201105), ("101", 201106, 201108)]
    assert marts(published, PER_YEAR.format(table="fct_ledger_units")) == list(YEARS.items())

    # Restated: 14230's whole history on 101, whole; 142's other units stay on 142.
    expected = []
    for year, total in YEARS.items():
        expected.append((year, "101", "ansvar", MOVED[year], MOVED_LINES[year]))
        expected.append(
            (year, "142", "mapping", total - MOVED[year], LINES[year] - MOVED_LINES[year])
        )
    assert marts(published, RESTATED) == sorted(expected)
    assert marts(published, PER_YEAR.format(table="fct_ledger_units_restated")) == list(
        YEARS.items()
    )
    assert marts(
        published,
        "select count(*) from fct_ledger_units_restated where amount != booked_amount "
        "or original_namnd_code != '142' or batch_id is null",
    ) == [(0,)]

    # As of before 201108's ledger (and so before the register): no 201108, no register.
    (register_at,) = query(
        home.database,
        "select recorded_at from events.batches where file_name = 'ansvar_2011.csv'",
    )[0]
    august = accepted_batch(home, "huvudbok_201108.csv")
    (july, july_at), (_, august_at) = query(
        home.database,
        "select file_name, recorded_at from events.batches "
        f"where batch_id in ({august - 1}, {august}) order by batch_id",
    )
    assert july == "huvudbok_201107.csv" and august_at < register_at
    with connect_as_of(home, july_at + (august_at - july_at) / 2) as con:
        as_of = {
            "months": con.execute("select max(period) from fct_ledger_units").fetchall(),
            "register": con.execute(
                "select count(*) from dim_ansvar where version_source = 'register'"
            ).fetchall(),
            "moved": con.execute(
                "select count(*) from fct_ledger_units_restated where namnd_code != '142'"
            ).fetchall(),
        }
    assert as_of == {"months": [(201107,)], "register": [(0,)], "moved": [(0,)]}

    # Retract the register and August's ledger: the ledger alone names 14230 again, whole
    # on 142, and August's rows leave fct_ledger_units (an incremental run).
    register = accepted_batch(home, "ansvar_2011.csv")
    for batch in (register, august):
        command = ["--home", str(home.home), "retract", str(batch), "--reason", "fel"]
        assert main([*command, "--yes"]) == 0
    again = run(home, settle_seconds=0)
    assert again.published is not None, again.skipped
    assert marts(home.published, "select max(period) from fct_ledger_units") == [(201107,)]
    assert marts(
        home.published,
        "select count(*), count(distinct version_source) from dim_ansvar "
        "where ansvar_code = '14230'",
    ) == [(1, 1)]
    assert marts(home.published, "select distinct namnd_code from fct_ledger_units_restated") == [
        ("142",)
    ]
    assert marts(home.published, PER_YEAR.format(table="fct_ledger_units")) == marts(
        home.published, PER_YEAR.format(table="fct_ledger")
    )

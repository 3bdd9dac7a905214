"""Budget decisions and forecasts: their rules at ingest, their current state after a build."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SERVICENAMNDEN, Load, ingested
from tests.helpers import event_state
from warehouse.ingest import ingest
from warehouse.pipeline import build_and_publish
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

REGISTERS = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]
BUDGET = [SERVICENAMNDEN / "budget_2011_1.csv", SERVICENAMNDEN / "budget_2011_2.csv"]
PROGNOS = [SERVICENAMNDEN / "prognos_2011_T1.csv", SERVICENAMNDEN / "prognos_2011_T2.csv"]

Edit = Callable[[list[str]], list[str]]


def _edited(tmp_path: Path, reference: str, name: str, edit: Edit) -> Path:
    """A copy of a reference file with one edit, in its own encoding (UTF-8, maybe a BOM)."""
    data = (SERVICENAMNDEN / reference).read_bytes()
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    lines = data.decode("utf-8-sig").split("\n")
    path = tmp_path / "inbox" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes((bom + "\n".join(edit(lines))).encode("utf-8"))
    return path


def _set_cell(column: int, value: str, line: int = 5) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        cells = lines[line - 1].split(";")
        cells[column] = value
        lines[line - 1] = ";".join(cells)
        return lines

    return edit


def _repeat_line(line: int) -> Edit:
    """The line once more at the end of the file (the reference files end in a newline)."""

    def edit(lines: list[str]) -> list[str]:
        return [*[x for x in lines if x], lines[line - 1], ""]

    return edit


# budget_2011_1.csv: År;Beslut;Beslutsdatum;Typ;Nämnd;Verksamhet;Slag;Belopp, line 5 is
# `2011;KF 2010-11-29 §1;2010-11-29;Ursprunglig;142;230;Kostnader;19 500 000,00`.
# (file name, edit, words the rejection must contain: the rule and the value)
BAD_BUDGET = [
    (
        "budget_2011_typ.csv",
        _set_cell(3, "Ursprungligt"),
        ["Typ is Ursprunglig, Ombudgetering or Tilläggsbudget", "line 5", "'Ursprungligt'"],
    ),
    (
        "budget_2011_slag.csv",
        _set_cell(6, "Kostnad"),
        ["Slag is Kostnader, Intäkter or Investering", "line 5", "'Kostnad'"],
    ),
    (
        "budget_2011_ar.csv",
        lambda lines: [x.replace("2011;KF", "1911;KF") for x in lines],
        ["År is a budget year between 2000 and 2100", "line 2: 1911"],
    ),
    (
        "budget_2011_negativ.csv",
        _set_cell(7, "-19 500 000,00"),
        ["Belopp is not negative in an Ursprunglig budget", "line 5", "-19500000.00"],
    ),
    (
        "budget_2011_beslut.csv",
        _set_cell(1, "KF 2010-11-29 §2"),
        ["one Beslut per file", "line 5", "KF 2010-11-29 §2"],
    ),
    (
        "budget_2011_typer.csv",
        _set_cell(3, "Tilläggsbudget"),
        ["one Typ per file", "line 5", "'Tilläggsbudget'"],
    ),
    ("budget_2011_aren.csv", _set_cell(0, "2012"), ["one År per file", "line 5", "'2012'"]),
    (
        "budget_2011_datum.csv",
        _set_cell(2, "2010-02-30"),
        ["Beslutsdatum is a real calendar date", "line 5", "'2010-02-30'"],
    ),
    (
        "budget_2011_beslutsdatum.csv",
        _set_cell(2, "2010-11-30"),
        ["one Beslutsdatum per file", "line 5", "'2010-11-30'"],
    ),
    (
        "budget_2011_for_tidigt.csv",
        lambda lines: [x.replace(";2010-11-29;", ";2008-11-29;") for x in lines],
        ["Beslutsdatum falls in År or the year before", "line 2", "2008-11-29 for År 2011"],
    ),
    (
        "budget_2012_1.csv",
        lambda lines: lines,
        ["År is the budget year in the file name (budget_2012_1.csv says 2012)", "line 2"],
    ),
    (
        "budget_2011_personnummer.csv",
        _set_cell(1, "KF 2010-11-29 §1 (650312-1234)"),
        ["no personnummer-like value in Beslut", "line 5"],
    ),
    (
        "budget_2011_namnd.csv",
        _set_cell(4, "999"),
        ["Nämnd is a code of the organisation register", "line 5", "'999'"],
    ),
    (
        "budget_2011_verksamhet.csv",
        _set_cell(5, "777"),
        ["Verksamhet is an activity of its Nämnd", "line 5", "142 / 777"],
    ),
    (
        "budget_2011_dubblett.csv",
        _repeat_line(5),
        ["one row per Beslut, Nämnd, Verksamhet, Slag in a file", "line 18", "'230'"],
    ),
]

# prognos_2011_T1.csv: År;Prognostillfälle;Nämnd;Verksamhet;Slag;Prognos, line 5 is
# `2011;T1;142;230;Kostnader;19500000,00`.
BAD_PROGNOS = [
    (
        "prognos_2011_tillfalle.csv",
        _set_cell(1, "M13"),
        ["Prognostillfälle is T1, T2 or M01..M12", "line 5", "'M13'"],
    ),
    (
        "prognos_2011_slag.csv",
        _set_cell(4, "Intäkt"),
        ["Slag is Kostnader, Intäkter or Investering", "line 5", "'Intäkt'"],
    ),
    (
        "prognos_2011_ar.csv",
        _set_cell(0, "2111"),
        ["År is a year between 2000 and 2100", "line 5: 2111"],
    ),
    (
        "prognos_2011_negativ.csv",
        _set_cell(5, "−19500000,00"),
        ["Prognos is not negative", "line 5", "-19500000.00"],
    ),
    (
        "prognos_2011_T2.csv",
        lambda lines: lines,
        ["Prognostillfälle is the one in the file name (prognos_2011_T2.csv says T2)", "'T1'"],
    ),
    (
        "prognos_2011_namnd.csv",
        _set_cell(2, "999"),
        ["Nämnd is a code of the organisation register", "line 5", "'999'"],
    ),
    (
        "prognos_2011_verksamhet.csv",
        _set_cell(3, "777"),
        ["Verksamhet is an activity of its Nämnd", "line 5", "142 / 777"],
    ),
    (
        "prognos_2011_dubblett.csv",
        _repeat_line(5),
        [
            "one row per År, Prognostillfälle, Nämnd, Verksamhet, Slag in a file",
            "line 17",
            "'230'",
        ],
    ),
]

BAD = [("budget_2011_1.csv", *b) for b in BAD_BUDGET] + [
    ("prognos_2011_T1.csv", *b) for b in BAD_PROGNOS
]


def test_reference_budget_and_forecasts_load(servicenamnden_2011: Paths) -> None:
    """Read off the session's reference home (the folder ingested once, tests/conftest.py)
    instead of ingesting six files again (~10 s); its published copy of the event log
    holds the same tables, and the budget and forecast tables only these files' rows."""
    home = servicenamnden_2011
    status = {r["file"]: r["status"] for r in ingested(home)}
    files = ["organisation.csv", "verksamheter.csv", *(p.name for p in [*BUDGET, *PROGNOS])]
    con = duckdb.connect(str(home.published_events), read_only=True)
    try:
        rows = dict(
            con.execute(
                "select file_name, row_count from events.batches where status = 'accepted'"
            ).fetchall()
        )
        keys = con.execute(
            "select source, key, row_count from events.supersession_keys "
            "where source in ('budget', 'prognos') order by source, key"
        ).fetchall()
        # The adjustment's negative line is kept exactly: it moves 1,0 mnkr from 240.
        budget = con.execute(
            "select typ, sum(belopp), typeof(sum(belopp)) from events.budget group by typ "
            "order by typ"
        ).fetchall()
    finally:
        con.close()

    assert {name: (status.get(name), rows.get(name)) for name in files} == {
        "organisation.csv": ("accepted", rows["organisation.csv"]),
        "verksamheter.csv": ("accepted", rows["verksamheter.csv"]),
        "budget_2011_1.csv": ("accepted", 16),
        "budget_2011_2.csv": ("accepted", 2),
        "prognos_2011_T1.csv": ("accepted", 15),
        "prognos_2011_T2.csv": ("accepted", 16),
    }
    assert keys == [
        ("budget", "KF 2010-11-29 §1", 16),
        ("budget", "KS 2011-03-16 §7", 2),
        ("prognos", "142|2011|T1", 15),
        ("prognos", "142|2011|T2", 16),
    ]
    assert budget == [
        ("Ombudgetering", Decimal("0.00"), "DECIMAL(38,2)"),
        ("Ursprunglig", Decimal("321000000.00"), "DECIMAL(38,2)"),
    ]


@pytest.mark.parametrize(("reference", "name", "edit", "words"), BAD, ids=[b[1] for b in BAD])
def test_bad_file_is_rejected_with_rule_and_value(
    home: Paths,
    loaded: Load,
    tmp_path: Path,
    reference: str,
    name: str,
    edit: Edit,
    words: list[str],
) -> None:
    loaded(home, [*REGISTERS, SERVICENAMNDEN / "budget_2011_2.csv", PROGNOS[1]])
    before = event_state(home)
    bad = _edited(tmp_path, reference, name, edit)

    [result] = ingest(home, [bad])

    assert result.status == "rejected"
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert event_state(home) == before  # nothing of it entered the warehouse


def _mnkr(kronor: Decimal) -> Decimal:
    """Kronor as the report shows them: mnkr, one decimal, half away from zero."""
    return (kronor / Decimal(1_000_000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def test_build_adds_up_decisions_and_corrections_supersede(home: Paths, tmp_path: Path) -> None:
    # A first, wrong delivery of KS 2011-03-16 §7 that moved 3,0 mnkr and named 250 too;
    # budget_2011_2.csv, delivered after it, is the complete re-export of that decision.
    wrong = _edited(
        tmp_path,
        "budget_2011_2.csv",
        "budget_2011_2_fel.csv",
        lambda lines: [
            x.replace("1 000 000,00", "3 000 000,00")
            for x in [
                *lines[:-1],
                "2011;KS 2011-03-16 §7;2011-03-16;Ombudgetering;142;250;Kostnader;500 000,00",
                "",
            ]
        ],
    )
    # A decision for 2012, decided in 2011: it must not touch 2011's budget.
    next_year = _edited(
        tmp_path,
        "budget_2011_1.csv",
        "budget_2012_1.csv",
        lambda lines: [
            lines[0],
            "2012;KF 2011-11-28 §1;2011-11-28;Ursprunglig;142;100;Kostnader;26 000 000,00",
            "",
        ],
    )
    # The T2 forecast re-delivered for (142, 2011, T2) with two rows fewer and 100 changed.
    rattelse = _edited(
        tmp_path,
        "prognos_2011_T2.csv",
        "prognos_2011_T2_rattelse.csv",
        lambda lines: [
            x.replace(";100;Kostnader;28 100 000,00", ";100;Kostnader;29 000 000,00")
            for x in lines
            if ";Investering;" not in x and ";910;" not in x
        ],
    )
    first = ingest(home, [*REGISTERS, BUDGET[0], wrong, next_year, *PROGNOS])
    later = ingest(home, [BUDGET[1], rattelse])
    assert [r.status for r in [*first, *later]] == ["accepted"] * 9
    assert [r.rows for r in later] == [2, 14]

    build_and_publish(home)

    con = duckdb.connect(str(home.database), read_only=True)
    try:
        budget = {
            (verksamhet, slag): total
            for verksamhet, slag, total in con.execute(
                "select verksamhet_code, slag, sum(amount) "
                "from intermediate.int_budget_decisions_current "
                "where year = 2011 and namnd_code = '142' group by all"
            ).fetchall()
        }
        by_slag = dict(
            con.execute(
                "select slag, sum(amount) from intermediate.int_budget_decisions_current "
                "where year = 2011 group by slag"
            ).fetchall()
        )
        decisions = con.execute(
            "select year, decision_id, b.file_name, count(*), sum(amount), max(delivery_count) "
            "from intermediate.int_budget_decisions_current d "
            "join events.batches b using (batch_id) group by all order by all"
        ).fetchall()
        forecasts = con.execute(
            "select forecast_occasion, b.file_name, count(*), sum(amount) "
            "from intermediate.int_forecasts_current f join events.batches b using (batch_id) "
            "where f.year = 2011 and f.namnd_code = '142' group by all order by all"
        ).fetchall()
        t2_100 = con.execute(
            "select amount from intermediate.int_forecasts_current "
            "where forecast_occasion = 'T2' and verksamhet_code = '100' and slag = 'Kostnader'"
        ).fetchall()
    finally:
        con.close()

    # Each decision counts once, from its newest delivery; the wrong §7 counts nowhere.
    assert decisions == [
        (2011, "KF 2010-11-29 §1", "budget_2011_1.csv", 16, Decimal("321000000.00"), 1),
        (2011, "KS 2011-03-16 §7", "budget_2011_2.csv", 2, Decimal("0.00"), 2),
        (2012, "KF 2011-11-28 §1", "budget_2012_1.csv", 1, Decimal("26000000.00"), 1),
    ]
    # Justerad budget 2011 = Ursprunglig + Ombudgetering (1,0 mnkr moved from 240 to 100).
    assert budget[("100", "Kostnader")] == Decimal("24500000.00") + Decimal("1000000.00")
    assert budget[("240", "Kostnader")] == Decimal("43800000.00") - Decimal("1000000.00")
    assert budget[("250", "Kostnader")] == Decimal("12000000.00")
    assert _mnkr(budget[("100", "Kostnader")]) == Decimal("25.5")
    assert _mnkr(budget[("240", "Kostnader")]) == Decimal("42.8")
    assert _mnkr(by_slag["Kostnader"]) == Decimal("160.0")
    assert _mnkr(by_slag["Intäkter"]) == Decimal("160.0")
    assert _mnkr(by_slag["Investering"]) == Decimal("1.0")
    # Only the correction counts for (142, 2011, T2); T1 is untouched.
    t2_sum = Decimal("158800000.00") + Decimal("156800000.00") + Decimal("500000.00")
    expected_t2 = t2_sum - Decimal("500000.00") - Decimal("200000.00") + Decimal("900000.00")
    assert forecasts == [
        ("T1", "prognos_2011_T1.csv", 15, Decimal("317800000.00")),
        ("T2", "prognos_2011_T2_rattelse.csv", 14, expected_t2),
    ]
    assert t2_100 == [(Decimal("29000000.00"),)]

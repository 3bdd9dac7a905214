"""SIE 4 files: the real reference files, one bad file per rule, and supersession with the
CSV ledger in both directions through a real dbt build.

The figures are read off the files by hand (awk over `#TRANS` and `#PBUDGET` lines)
and typed in here; the reference files are companies' books, copied under a
`sie_142_...` name so that they are Servicenämnden's (board 142).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SERVICENAMNDEN, SHARED, Load
from tests.helpers import event_state
from warehouse.ingest import ingest
from warehouse.pipeline import build_and_publish, run
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

SIE = SHARED / "reference" / "sie"
REGISTERS = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]


def _copy(tmp_path: Path, reference: str, name: str) -> Path:
    target = tmp_path / "inbox" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(SIE / reference, target)
    return target


def _write(tmp_path: Path, name: str, text: str, encoding: str = "cp437") -> Path:
    target = tmp_path / "inbox" / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return target


def _query(home: Paths, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(home.database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_kst_file_loads_with_ansvar_verksamhet_and_projekt(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    # The file's kostnadsbärare (dimension 2) as activities of board 142.
    registered = (SERVICENAMNDEN / "verksamheter.csv").read_text(encoding="utf-8-sig")
    verksamheter = tmp_path / "inbox" / "verksamheter_sie.csv"
    verksamheter.parent.mkdir(exist_ok=True)
    verksamheter.write_text(
        registered.rstrip("\n")
        + "\n142;100000;Kostnadsbärare XCV;;2021-01-01;"
        + "\n142;1000012;Kostnadsbärare XCVB;;2021-01-01;\n",
        encoding="utf-8",
    )
    kst = _copy(tmp_path, "SIE_test_av_KST_projekt_Testbolaget.SE", "sie_142_kst.se")

    loaded(home, REGISTERS)

    _, result = ingest(home, [verksamheter, kst])

    # 3 ledger lines and 2 balances (#UB 0 1910 -300.00, #RES 0 5010 300.00: 0 in sum).
    assert (result.status, result.rows) == ("accepted", 3 + 2), result.reason
    # #VER A 1 20210101 "test": #TRANS 5010 {1 "100000" 2 "100000" 6 "1234567891234567999"}
    # 100.00, #TRANS 5010 {1 "1000012" 2 "1000012" 6 "1000"} 200.00, #TRANS 1910 {} -300.00.
    assert _query(
        home,
        "select period, namnd, ansvar, verksamhet, konto, projekt, belopp, verifikation, "
        "datum::varchar, text from events.huvudbok order by line_number",
    ) == [
        (
            202101,
            "142",
            "100000",
            "100000",
            "5010",
            "1234567891234567999",
            Decimal("100.00"),
            "A 1",
            "2021-01-01",
            "test",
        ),
        (
            202101,
            "142",
            "1000012",
            "1000012",
            "5010",
            "1000",
            Decimal("200.00"),
            "A 1",
            "2021-01-01",
            "test",
        ),
        (202101, "142", None, "-1", "1910", None, Decimal("-300.00"), "A 1", "2021-01-01", "test"),
    ]
    assert _query(
        home, "select source, encoding from events.batches where file_name like 'sie%'"
    ) == [("sie", "cp437")]
    assert _query(
        home,
        "select source, key, row_count from events.supersession_keys where batch_id = ? "
        "order by source",
        [result.batch_id],
    ) == [("balans", "142|202112", 2), ("huvudbok", "142|202101", 3)]  # #RAR 0: 2021


# BLBLOV_SIE4.SE: 20 vouchers, 74 #TRANS lines, all without objects; per account the
# count of lines and their sum (awk '$1=="#TRANS" {s[$2] += $4}').
BLBLOV_ACCOUNTS = {
    "1119": (12, "-20000.00"),
    "1249": (12, "-20000.00"),
    "1510": (2, "6625.00"),
    "1930": (5, "-25124.76"),
    "2440": (1, "-1000.00"),
    "2610": (3, "-1675.00"),
    "2640": (3, "364.00"),
    "2641": (1, "121.35"),
    "2710": (1, "-8674.00"),
    "2730": (1, "-10350.38"),
    "3010": (3, "-6700.00"),
    "4010": (1, "800.00"),
    "5610": (1, "485.41"),
    "6072": (2, "1836.00"),
    "7010": (1, "32702.00"),
    "7510": (1, "10590.38"),
    "7820": (12, "20000.00"),
    "7834": (12, "20000.00"),
}


def test_blblov_file_loads_ledger_and_period_budget_in_one_batch(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    blblov = _copy(tmp_path, "BLBLOV_SIE4.SE", "sie_142_blblov.se")
    loaded(home, REGISTERS)

    [result] = ingest(home, [blblov])

    # 74 ledger lines, 3 budget rows, 119 balances (#IB/#UB/#RES of 2017 and 2016).
    assert (result.status, result.rows) == ("accepted", 74 + 3 + 119)
    accounts = _query(
        home,
        "select konto, count(*), sum(belopp)::varchar from events.huvudbok group by konto",
    )
    assert {k: (n, total) for k, n, total in accounts} == BLBLOV_ACCOUNTS
    assert _query(
        home,
        "select count(distinct verifikation), count(distinct verksamhet), min(verksamhet), "
        "count(ansvar), count(projekt) from events.huvudbok",
    ) == [(20, 1, "-1", 0, 0)]
    # #PBUDGET 0 (276 lines, 23 accounts x 12 months), summed per Slag by hand:
    # Intäkter = -(3010 -85064.80 + 3740 -0.28 + 3960 -15.00); Kostnader = 6570 5.00 +
    # 7010 126883.78 + 7011 10000.00 + 7090 4920.00 + 7321 143.00 + 7510 43202.43 +
    # 7519 1131.00 + 7820 20000.00 + 7834 20000.00; Investering = 1249 -20000.00
    # (group 12; its credits are planned depreciation). 1119, 1510, 1610, 1930, 2xxx:
    # balance sheet, no budget of a board.
    assert _query(
        home,
        "select ar, beslut, beslutsdatum::varchar, typ, namnd, verksamhet, slag, belopp "
        "from events.budget order by slag",
    ) == [
        (
            2017,
            "SIE #PBUDGET 142 2017",
            "2017-01-01",
            "Ursprunglig",
            "142",
            "-1",
            "Intäkter",
            Decimal("85080.08"),
        ),
        (
            2017,
            "SIE #PBUDGET 142 2017",
            "2017-01-01",
            "Ursprunglig",
            "142",
            "-1",
            "Investering",
            Decimal("-20000.00"),
        ),
        (
            2017,
            "SIE #PBUDGET 142 2017",
            "2017-01-01",
            "Ursprunglig",
            "142",
            "-1",
            "Kostnader",
            Decimal("226285.21"),
        ),
    ]
    # Ledger keys per month (voucher dates: 21 lines in January, 13 in December, 4 in
    # every other month) and the budget's key, all from the one batch.
    keys = _query(
        home,
        "select source, key, row_count, batch_id from events.supersession_keys "
        "where source in ('huvudbok', 'budget') order by all",
    )
    ledger_keys = [(k, n) for s, k, n, _ in keys if s == "huvudbok"]
    assert ledger_keys == [("142|201701", 21)] + [(f"142|2017{m:02}", 4) for m in range(2, 12)] + [
        ("142|201712", 13)
    ]
    assert [(s, k, n) for s, k, n, _ in keys if s == "budget"] == [
        ("budget", "SIE #PBUDGET 142 2017", 3)
    ]
    assert {b for *_, b in keys} == {result.batch_id}
    # The balances in the same batch, a month of balances per key (tests/unit/test_balans.py).
    assert _query(
        home,
        "select key, row_count, batch_id from events.supersession_keys "
        "where source = 'balans' order by key",
    ) == [
        ("142|201512", 23, result.batch_id),
        ("142|201612", 62, result.batch_id),
        ("142|201712", 34, result.batch_id),
    ]

    # The same bytes again are a duplicate: nothing is written.
    before = event_state(home)
    [again] = ingest(home, [blblov])
    assert again.status == "duplicate"
    assert event_state(home) == before


def test_sole_trader_si_file_is_rejected_for_its_personnummer(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    loaded(home, REGISTERS)
    before = event_state(home)
    si = _copy(tmp_path, "BLBLOV_SIE4.SI", "sie_142_kassa.si")

    [result] = ingest(home, [si])

    assert result.status == "rejected"
    # `#ORGNR 550226-1513`: a sole trader's organisation number is his personnummer.
    for word in ["no personnummer-like value in any record", "line 7", "550226-****"]:
        assert word in result.reason, (word, result.reason)
    assert event_state(home) == before
    assert (result.report.parent / "sie_142_kassa.si").exists()


HEAD = '#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#FNR "SERVICE"\n#RAR 0 20110101 20111231\n'


def _voucher(*transactions: str, head: str = '#VER A 1 20110815 "Porto"') -> str:
    return "\n".join([head, "{", *transactions, "}", ""])


BALANCED = _voucher('#TRANS 6250 {2 "210"} 800.00', "#TRANS 1910 {} -800.00")

# (file name, text, words the rejection must contain: the rule, the line and the value)
BAD = [
    (
        "sie_142_obalans.se",
        HEAD + BALANCED + _voucher('#TRANS 6250 {2 "210"} 810.00', "#TRANS 1910 {} -800.00"),
        ["the lines of a voucher sum to zero", "line 11", "voucher A 1 sums to 10.00"],
    ),
    (
        "sie_142_personnummer.se",
        HEAD
        + _voucher(
            '#TRANS 5010 {2 "210"} 800.00 20110815 "Lön 650312-1234"', "#TRANS 1910 {} -800.00"
        ),
        ["no personnummer-like value in any record", "line 8", "650312-****"],
    ),
    (
        "sie_142_datum.se",
        HEAD + _voucher('#TRANS 6250 {2 "210"} 800.00 20110901', "#TRANS 1910 {} -800.00"),
        ["Datum falls inside Period", "line 8", "201109"],
    ),
    (
        "sie_142_rakenskapsar.se",
        HEAD
        + _voucher(
            '#TRANS 6250 {2 "210"} 800.00', "#TRANS 1910 {} -800.00", head="#VER A 1 20120105"
        ),
        ["Datum falls inside the financial year (#RAR 0)", "line 8", "Datum 20120105 outside"],
    ),
    (
        "sie_142_konto.se",
        HEAD + _voucher('#TRANS 625 {2 "210"} 800.00', "#TRANS 1910 {} -800.00"),
        ["Konto is a 4-digit Kommun-Bas account", "line 8", "'625'"],
    ),
    (
        "sie_142_belopp.se",
        HEAD + _voucher('#TRANS 6250 {2 "210"} 800,00', "#TRANS 1910 {} -800.00"),
        ["Belopp is a SIE amount", "line 8", "'800,00'"],
    ),
    (
        "sie_999_okand.se",
        HEAD + BALANCED,
        ["Nämnd is a code of the organisation register", "line 8", "'999'"],
    ),
    (
        "BOKF.SE",  # no board in the name: #FNR "SERVICE" is no Nämnd code
        HEAD + BALANCED,
        ["Nämnd is a code of the organisation register", "'SERVICE'"],
    ),
    (
        "sie_142_verksamhet.se",
        HEAD + _voucher('#TRANS 6250 {2 "777"} 800.00', "#TRANS 1910 {} -800.00"),
        ["Verksamhet is an activity of its Nämnd", "line 8", "142 / 777"],
    ),
    (
        "sie_142_tom.se",
        HEAD + "#KONTO 1910 Kassa\n",
        ["at least one voucher line (#VER with #TRANS)"],
    ),
    (
        "sie_142_budget.se",
        HEAD + BALANCED + "#PBUDGET 0 201108 501 {} 100.00\n",
        ["#PBUDGET Konto is a 4-digit Kommun-Bas account", "line 11", "'501'"],
    ),
    (
        "sie_142_citat.se",
        HEAD + _voucher('#TRANS 6250 {2 "210"} 800.00 20110815 "Porto', "#TRANS 1910 {} -800.00"),
        ["cannot be read", "line 8: a quoted field is not closed"],
    ),
]


@pytest.mark.parametrize(("name", "text", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_rejected_with_rule_line_and_value(
    home: Paths, loaded: Load, tmp_path: Path, name: str, text: str, words: list[str]
) -> None:
    loaded(home, REGISTERS)  # ingested once for the module's tests, copied (tests/conftest.py)
    before = event_state(home)

    [result] = ingest(home, [_write(tmp_path, name, text)])

    assert result.status == "rejected"
    for word in words:
        assert word in result.reason, (word, result.reason)
    assert event_state(home) == before  # nothing of it entered the warehouse


def test_verksamhet_minus_one_is_accepted_on_purpose(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    # The known-activity rule allows -1 (Okänd), the booking of lines without objects.
    explicit = HEAD + _voucher('#TRANS 6250 {2 "-1"} 800.00', '#TRANS 1910 {2 "210"} -800.00')
    loaded(home, REGISTERS)
    [result] = ingest(home, [_write(tmp_path, "sie_142_okand.se", explicit)])
    assert result.status == "accepted", result.reason


SIE_AUGUST = HEAD + (
    '#DIM 1 "Ansvar"\n#DIM 2 "Verksamhet"\n'
    + _voucher(
        '#TRANS 5010 {1 "14210" 2 "210"} 1200000.00',
        '#TRANS 5010 {1 "14230" 2 "230"} 800000.50',
        "#TRANS 1930 {} -2000000.50",
        head='#VER A 1 20110805 "Lön augusti"',
    )
    + _voucher(
        '#TRANS 3410 {2 "210"} -250000.25',
        "#BTRANS 1510 {} 250000.00",
        "#RTRANS 1510 {} 250000.25",
        "#TRANS 1510 {} 250000.25",
        head='#VER B 1 20110820 "Fakturering"',
    )
    + '#PBUDGET 0 201108 5010 {2 "210"} 1500000.00\n#PBUDGET 0 201108 3410 {2 "210"} -300000.00\n'
)
CSV_AUGUST_CORRECTION = (
    "Period;Nämnd;Ansvar;Verksamhet;Konto;Projekt;Motpart;Belopp;Verifikation;Datum;Text\n"
    "201108;142;14210;210;5010;;;1 100 000,00;V1;2011-08-05;Lön\n"
    "201108;142;14230;230;5010;;;700 000,00;V2;2011-08-05;Lön\n"
    "201108;142;14210;210;3410;;;-250 000,25;V3;2011-08-20;Fakturering\n"
)
SIE_JULY = HEAD + (
    _voucher('#TRANS 6110 {2 "230"} 5000.00', "#TRANS 1930 {} -5000.00", head="#VER C 9 20110715")
    + '#PBUDGET 0 201107 5010 {2 "210"} 1600000.00\n'
)


def _ledger(home: Paths) -> dict[int, tuple[str, list[tuple]]]:
    """Per period of board 142: the current batch's file, its (verksamhet, konto, amount, lines)."""
    rows = _query(
        home,
        "select f.period, b.file_name, f.verksamhet_code, f.konto, f.amount, f.line_count "
        "from marts.fct_ledger f join events.batches b using (batch_id) "
        "where f.namnd_code = '142' order by all",
    )
    ledger: dict[int, tuple[str, list[tuple]]] = {}
    for period, file_name, verksamhet, konto, amount, lines in rows:
        ledger.setdefault(period, (file_name, []))[1].append((verksamhet, konto, amount, lines))
    return ledger


def _current_budget(home: Paths) -> list[tuple]:
    return _query(
        home,
        "select decision_id, verksamhet_code, slag, amount, delivery_count "
        "from intermediate.int_budget_decisions_current order by all",
    )


def test_sie_and_csv_supersede_each_other_both_ways(home: Paths, tmp_path: Path) -> None:
    csv = [SERVICENAMNDEN / "huvudbok_201107.csv", SERVICENAMNDEN / "huvudbok_201108.csv"]
    first = ingest(home, [*REGISTERS, *csv, _write(tmp_path, "sie_142_201108.se", SIE_AUGUST)])
    assert [r.status for r in first] == ["accepted"] * 5

    build_and_publish(home)

    ledger = _ledger(home)
    # July: the CSV export (412 lines); August: the SIE file, which came later.
    assert ledger[201107][0] == "huvudbok_201107.csv"
    assert sum(line[3] for line in ledger[201107][1]) == 412
    assert ledger[201108] == (
        "sie_142_201108.se",
        [
            ("-1", "1510", Decimal("250000.25"), 1),  # the #RTRANS, once; #BTRANS dropped
            ("-1", "1930", Decimal("-2000000.50"), 1),
            ("210", "3410", Decimal("-250000.25"), 1),
            ("210", "5010", Decimal("1200000.00"), 1),
            ("230", "5010", Decimal("800000.50"), 1),
        ],
    )
    assert _current_budget(home) == [
        ("SIE #PBUDGET 142 2011", "210", "Intäkter", Decimal("300000.00"), 1),
        ("SIE #PBUDGET 142 2011", "210", "Kostnader", Decimal("1500000.00"), 1),
    ]

    # Later: a CSV correction of August and a SIE file of July with a new period budget,
    # through the nightly run: it loads them (in name order) and builds only the models
    # downstream of the ledger and the budget (warehouse/selection.py; a full build again
    # cost ~30-50 s here; test_nothing_new.py checks the selective build equals a full one).
    for path in (
        _write(tmp_path, "huvudbok_201108_rattelse.csv", CSV_AUGUST_CORRECTION, "cp1252"),
        _write(tmp_path, "sie_142_201107.se", SIE_JULY),
    ):
        shutil.move(path, home.landing / path.name)
    night = run(home, settle_seconds=0)
    assert [(r.path.name, r.status, r.rows) for r in night.files] == [
        ("huvudbok_201108_rattelse.csv", "accepted", 3),
        ("sie_142_201107.se", "accepted", 2 + 1),
    ]
    assert night.published is not None, night.skipped

    ledger = _ledger(home)
    assert ledger[201107] == (
        "sie_142_201107.se",
        [("-1", "1930", Decimal("-5000.00"), 1), ("230", "6110", Decimal("5000.00"), 1)],
    )
    assert ledger[201108] == (
        "huvudbok_201108_rattelse.csv",
        [
            ("210", "3410", Decimal("-250000.25"), 1),
            ("210", "5010", Decimal("1100000.00"), 1),
            ("230", "5010", Decimal("700000.00"), 1),
        ],
    )
    # The re-exported year's budget replaces the earlier one (same Beslut), never adds up.
    assert _current_budget(home) == [
        ("SIE #PBUDGET 142 2011", "210", "Kostnader", Decimal("1600000.00"), 2)
    ]
    # Lines without a Verksamhet reach the Okänd member of dim_verksamhet.
    assert _query(
        home,
        "select verksamhet_name, is_inferred from marts.dim_verksamhet "
        "where namnd_code = '142' and verksamhet_code = '-1'",
    ) == [("Okänd", True)]

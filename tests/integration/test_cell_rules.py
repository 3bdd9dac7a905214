"""Every cell is checked for what it means (issue 12 §4), through the real CLI.

One bad file per meaning rule and source, beside the reference registers: each is
rejected with its rule, line and value, never a traceback, and the event log is
unchanged; the awkward-but-valid files next to them load. A re-delivered activity
register may not drop an activity that is still booked (history is never renamed
"Okänd"), and may once the booking is retracted.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import duckdb
import pytest

from sources.sie.records import checksummed, read_records
from tertial.cli import main
from tests.conftest import SERVICENAMNDEN, Load
from tests.helpers import batch_statuses, event_state
from warehouse.settings import Paths

pytestmark = pytest.mark.integration

REGISTERS = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]
LEDGER = "Period;Nämnd;Ansvar;Verksamhet;Konto;Projekt;Motpart;Belopp;Verifikation;Datum;Text"
LON = "Period;Nämnd;Anställningsform;Kön;Anställda;Årsarbetare;Utbetalda löner;Lönesumma"
SJUK = (
    "Period;Nämnd;Kön;Åldersgrupp;Anställda;Ordinarie arbetstid;Sjukfrånvaro;"
    "Varav dag 1-14;Varav 60 dagar eller mer"
)
INDIKATORER = (
    "År;Rapport;Nämnd;Mål;Indikator;Periodens utfall;Prognos helår;Årsmål;KF:s årsmål;"
    "Period;Bedömning"
)
REGISTER = "Nämnd;Verksamhet;Namn;Överordnad;Giltig från;Giltig till"


def _line(belopp: str = "140508,70", datum: str = "2011-08-20", verksamhet: str = "240") -> str:
    return f"201108;142;14240;{verksamhet};6110;;;{belopp};V201108-142-K0045;{datum};Telefoni"


def _sie(namnd_body: str, *, checksum: int | str | None = None) -> str:
    """A SIE 4 file with one voucher; `#KSUMMA` around it when `checksum` is given
    ("right" computes the true one)."""
    body = (
        "#FLAGGA 0\n"
        + ("#KSUMMA\n" if checksum is not None else "")
        + '#PROGRAM "Test" 1.0\n#FORMAT PC8\n#SIETYP 4\n#RAR 0 20110101 20111231\n'
        + namnd_body
    )
    if checksum == "right":
        skipped = ("#FLAGGA", "#KSUMMA", "{", "}")  # before the sum, and the voucher braces
        records = [r for r in read_records(body) if r.label not in skipped]
        checksum = zlib.crc32(b"".join(checksummed(r) for r in records))
    if checksum is not None:
        body += f"#KSUMMA {checksum}\n"
    return body


VOUCHER_2011_09 = (
    '#VER A 1 20110915 "Porto"\n{\n#TRANS 6110 {2 "240"} 100.00\n#TRANS 1930 {} -100.00\n}\n'
)
VOUCHER_2011_08 = VOUCHER_2011_09.replace("20110915", "20110815")

# (file name, content, rule the rejection names, line, value the report shows)
BAD = [
    (
        "huvudbok_201108_datum.csv",
        [LEDGER, _line(), _line(datum="2011-09-31")],
        "Datum is a real calendar date",
        3,
        "2011-09-31",
    ),
    (
        "huvudbok_201108_manad.csv",
        [LEDGER, _line(datum="2011-20-09")],
        "Datum is a real calendar date",
        2,
        "2011-20-09",
    ),
    (
        # The file: two lines that passed ingest and then overflowed fct_ledger.
        "huvudbok_201108_belopp.csv",
        [LEDGER, _line("9 999 999 999 999 999,00"), _line("9 999 999 999 999 999,00")],
        "Belopp is at most ±1 000 000 000 000 kronor a line",
        2,
        "9 999 999 999 999 999,00",
    ),
    (
        "huvudbok_201108_siffror.csv",
        [LEDGER, _line("99999999999999999999,00")],
        "Belopp is at most ±1 000 000 000 000 kronor a line",
        2,
        "99999999999999999999,00",
    ),
    (
        "huvudbok_201108_summa.csv",
        [LEDGER, *[_line("999 999 999 999,00")] * 10, _line("-999 999 999 999,99")],
        "the file's Belopp amounts sum to at most 10 000 000 000 000 kronor",
        12,
        "sum of |amounts| in the file: 10999999999989.99 kronor",
    ),
    (
        "lon_201108_1011.csv",
        [LON, "201108;1011;Tillsvidare;K;151;145,0;151;4718750,00"],
        "Nämnd is a board that exists in the period",
        2,
        "1011 in 201108: Nedlagd 2007-01-01 (organisation register)",
    ),
    (
        "lon_201108_antal.csv",
        [LON, "201108;142;Tillsvidare;K;99999999999999999999;145,0;151;4718750,00"],
        "Anställda is at most 1 000 000 000 a line",
        2,
        "99999999999999999999",
    ),
    (
        "sjukfranvaro_201108_1011.csv",
        [SJUK, "201108;1011;K;-29;20;3114,75;121,51;48,60;40,10"],
        "Nämnd is a board that exists in the period",
        2,
        "1011 in 201108: Nedlagd 2007-01-01 (organisation register)",
    ),
    (
        "sjukfranvaro_201108_timmar.csv",
        [SJUK, "201108;142;K;-29;20;99999999999999999,5;121,51;48,60;40,10"],
        "Ordinarie arbetstid is at most 1 000 000 000 a line",
        2,
        "99999999999999999,5",
    ),
    (
        "medarbetarenkat_2011_1015.csv",
        ["År;Nämnd;Index;Värde;Svarsfrekvens", "2011;1015;NMI;67;84"],
        "Nämnd is a board that exists in the period",
        2,
        "1015 in 2011: Sammanslagen 2007-01-01 (organisation register)",
    ),
    (
        "indikatorer_2011_T2_1012.csv",
        [INDIKATORER, "2011;T2;1012;KF 1.1;Andel;5 %;;;;2011;"],
        "Nämnd is a board that exists in the period",
        2,
        "1012 in 2011: Nedlagd 2007-01-01 (organisation register)",
    ),
    (
        "budget_2011_9.csv",
        [
            "År;Beslut;Beslutsdatum;Typ;Nämnd;Verksamhet;Slag;Belopp",
            "2011;KF 2010-11-29 §9;2010-11-29;Ursprunglig;142;240;Kostnader;9 999 999 999 999,00",
        ],
        "Belopp is at most ±1 000 000 000 000 kronor a line",
        2,
        "9 999 999 999 999,00",
    ),
    (
        "prognos_2011_T2_1013.csv",
        [
            "År;Prognostillfälle;Nämnd;Verksamhet;Slag;Prognos",
            "2011;T2;1013;100;Kostnader;1000,00",
        ],
        "Nämnd is a board that exists in the period",
        2,
        "1013 in 2011: Nedlagd 2007-01-01 (organisation register)",
    ),
    (
        "verksamheter_giltig.csv",
        [REGISTER, "142;100;Nämnd och administration;;2010-02-30;"],
        "Giltig från is a real calendar date",
        2,
        "2010-02-30",
    ),
    (
        "sie_1011_2011.se",
        _sie(VOUCHER_2011_08.replace('{2 "240"}', "{}")).splitlines(),
        "Nämnd is a board that exists in the period",
        8,
        "1011 in 201108: Nedlagd 2007-01-01 (organisation register)",
    ),
    (
        "sie_142_ksumma.se",
        _sie(VOUCHER_2011_09, checksum=123456789).splitlines(),
        "#KSUMMA holds",
        12,
        None,
    ),
    (
        "sie_142_belopp.se",
        _sie(VOUCHER_2011_09.replace("100.00", "99999999999999999999.00")).splitlines(),
        "Belopp is at most ±1 000 000 000 000 kronor a line",
        8,
        "99999999999999999999.00",
    ),
]

# Awkward but valid: they must load beside the bad ones.
GOOD = [
    # December 2006 still belonged to 1011 (ended 2007-01-01).
    ("lon_200612_1011.csv", [LON, "200612;1011;Tillsvidare;K;15;14,5;15;471875,00"]),
    # A ledger line of exactly the cap, and a leap day.
    (
        "huvudbok_201202.csv",
        [
            LEDGER,
            "201202;142;14240;240;6110;;;1 000 000 000 000,00;V1;2012-02-29;Telefoni",
            "201202;142;14240;240;6110;;;-999 999 999 999,99;V2;2012-02-29;Telefoni",
        ],
    ),
    ("sie_142_ksumma_ok.se", _sie(VOUCHER_2011_09, checksum="right").splitlines()),
]


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    encoding = "cp437" if name.endswith(".se") else "cp1252"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _cli(home: Paths, capsys, *args: str | Path) -> tuple[int, str]:
    code = main(["--home", str(home.home), *map(str, args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def _result_lines(out: str) -> dict[str, str]:
    """Each file's line of `tertial ingest`, by file name."""
    found = {}
    for line in out.splitlines():
        match = re.search(r"\] (accepted|rejected|duplicate) +(\S+)", line)
        if match:
            found[match.group(2)] = line
    return found


def test_every_bad_cell_is_named_and_nothing_enters(
    home: Paths, loaded: Load, tmp_path: Path, capsys
) -> None:
    loaded(home, REGISTERS)  # ingested once for the module, copied (tests/conftest.py)
    assert batch_statuses(home) == [(p.name, "accepted") for p in REGISTERS]
    before = event_state(home)
    bad = [_write(tmp_path / "bad", name, lines) for name, lines, *_ in BAD]

    code, out = _cli(home, capsys, "ingest", tmp_path / "bad")

    assert code == 1
    assert event_state(home) == before  # nothing of any bad file entered the log
    lines = _result_lines(out)
    assert set(lines) == {path.name for path in bad}
    for name, _, rule, line, value in BAD:
        assert "rejected" in lines[name], lines[name]
        reports = list(home.quarantine.glob(f"{name}.*/report.txt"))
        assert len(reports) == 1, name
        report = reports[0].read_text(encoding="utf-8")
        # The rule, then its column and the rows it names: line and raw value.
        block = report[report.index(f"rule:   {rule}") :]
        expected = f"line {line}: {value!r}" if value is not None else f"line {line}: "
        assert expected in block.split("\nrule:")[0], (name, block[:600])


def test_awkward_but_valid_files_load(home: Paths, loaded: Load, tmp_path: Path, capsys) -> None:
    good = [_write(tmp_path / "good", name, lines) for name, lines in GOOD]
    loaded(home, REGISTERS)
    assert batch_statuses(home) == [(p.name, "accepted") for p in REGISTERS]

    code, out = _cli(home, capsys, "ingest", *good)

    assert code == 0, out
    lines = _result_lines(out)
    assert all("accepted" in lines[path.name] for path in good), out


def _batch_of(home: Paths, file_name: str) -> int:
    con = duckdb.connect(str(home.database), read_only=True)
    try:
        row = con.execute(
            "select max(batch_id) from events.batches where file_name = ? and status = 'accepted'",
            [file_name],
        ).fetchone()
    finally:
        con.close()
    assert row and row[0] is not None
    return int(row[0])


def test_a_register_that_drops_a_booked_activity_is_rejected(
    home: Paths, loaded: Load, tmp_path: Path, capsys
) -> None:
    ledger = SERVICENAMNDEN / "huvudbok_201108.csv"  # books on 240 Ekonomiadministration
    loaded(home, [*REGISTERS, ledger])
    assert batch_statuses(home) == [(p.name, "accepted") for p in [*REGISTERS, ledger]]
    registered = (SERVICENAMNDEN / "verksamheter.csv").read_text(encoding="utf-8-sig")
    without_240 = [row for row in registered.splitlines() if not row.startswith("142;240;")]
    dropped = _write(tmp_path / "v2", "verksamheter_utan_240.csv", without_240)
    before = event_state(home)

    code, out = _cli(home, capsys, "ingest", dropped)

    assert code == 1
    assert "a re-delivered activity register keeps every activity that has bookings" in out
    assert "'142 / 240'" in out
    assert event_state(home) == before  # 240 keeps its name: nothing renamed "Okänd"

    # Ended with Giltig till instead of left out: accepted, history keeps its name.
    ended = [
        row + "2011-12-31" if row.startswith("142;240;") else row for row in registered.splitlines()
    ]
    code, out = _cli(home, capsys, "ingest", _write(tmp_path / "v3", "verksamheter_3.csv", ended))
    assert code == 0, out

    # With the ledger month retracted, 240 has no booking left: it may go.
    code, out = _cli(
        home, capsys, "retract", str(_batch_of(home, ledger.name)), "--reason", "test", "--yes"
    )
    assert code == 0, out
    code, out = _cli(home, capsys, "ingest", dropped)
    assert code == 0, out


def test_a_ledger_line_on_an_ended_activity_is_rejected(
    home: Paths, tmp_path: Path, capsys
) -> None:
    registered = (SERVICENAMNDEN / "verksamheter.csv").read_text(encoding="utf-8-sig")
    ended = [
        row + "2010-12-31" if row.startswith("142;240;") else row for row in registered.splitlines()
    ]
    register = _write(tmp_path / "in", "verksamheter.csv", ended)
    code, out = _cli(home, capsys, "ingest", REGISTERS[0], register)
    assert code == 0, out

    code, out = _cli(home, capsys, "ingest", SERVICENAMNDEN / "huvudbok_201108.csv")

    assert code == 1
    assert "Verksamhet is valid in the period" in out
    assert "142 / 240 in 201108: Giltig 2010-01-01 – 2010-12-31" in out

"""Taking files from landing/: only complete files, nothing lost, nothing followed.

Real files in a real TERTIAL_HOME, a real DuckDB event log, through the same `ingest`
call the nightly run makes (`ingest(paths, [paths.landing], move=True)`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SERVICENAMNDEN, Load
from tests.helpers import batch_statuses, event_state
from warehouse.ingest import FileResult, ingest
from warehouse.settings import Paths

pytestmark = pytest.mark.integration

AUGUST = SERVICENAMNDEN / "huvudbok_201108.csv"  # 415 lines, with huvudbok_201108.ctl
JULY = SERVICENAMNDEN / "huvudbok_201107.csv"
SETTLE = "TERTIAL_LANDING_SETTLE_SECONDS"
PERSONNUMMER = "19121212-1212"


REGISTERS = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]


def _registers(home: Paths, loaded: Load) -> None:
    """The registers the ledger's codes resolve against (named, not from landing/):
    ingested once for the module and copied (tests/conftest.py `loaded`), ~2-3 s less
    per test."""
    loaded(home, REGISTERS)
    assert batch_statuses(home) == [
        ("organisation.csv", "accepted"),
        ("verksamheter.csv", "accepted"),
    ]


def _run(home: Paths) -> dict[str, FileResult]:
    """What the nightly run does with landing/ (without the build), by file name."""
    return {r.path.name: r for r in ingest(home, [home.landing], move=True)}


def _ledger_rows(home: Paths, batch_id: int | None = None) -> int:
    with duckdb.connect(str(home.database), read_only=True) as con:
        where = "" if batch_id is None else f"where batch_id = {int(batch_id)}"
        return con.execute(f"select count(*) from events.huvudbok {where}").fetchone()[0]


def _report(result: FileResult) -> dict:
    assert result.report is not None and result.report.exists(), result
    return json.loads((result.report.parent / "report.json").read_text(encoding="utf-8"))


def _landing_files(home: Paths) -> list[str]:
    return sorted(p.name for p in home.landing.rglob("*") if p.is_file() or p.is_symlink())


def test_a_file_written_in_two_halves_waits_then_loads_every_line(
    home: Paths, loaded: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SETTLE, "5")  # room for a slow, shared machine
    _registers(home, loaded)
    data = AUGUST.read_bytes()
    half = data.index(b"\r\n", len(data) // 2) + 2  # the uploader pauses after a line
    target = home.landing / AUGUST.name

    with open(target, "wb") as upload:
        upload.write(data[:half])
        upload.flush()
        # The run during the pause: the file is left as it is, nothing is loaded.
        during = _run(home)[AUGUST.name]
        assert during.status == "waiting", during.line()
        assert "waiting    huvudbok_201108.csv" in during.line()
        assert target.read_bytes() == data[:half]
        assert _ledger_rows(home) == 0
        assert not any(home.archive.iterdir()) and not any(home.quarantine.iterdir())
        upload.write(data[half:])

    # Just written: still waiting for it to settle.
    assert _run(home)[AUGUST.name].status == "waiting"
    time.sleep(5.2)
    after = _run(home)[AUGUST.name]
    assert after.status == "accepted", after.line()
    assert after.rows == 415 and _ledger_rows(home) == 415
    assert _landing_files(home) == []
    [archived] = home.archive.glob(f"{AUGUST.name}.*/{AUGUST.name}")
    assert archived.read_bytes() == data  # the bytes loaded are the bytes kept


def test_explicit_ingest_does_not_wait(
    home: Paths, loaded: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `tertial ingest PATH`: the user named the file, nothing is moved, nothing waits.
    monkeypatch.setenv(SETTLE, "600")
    _registers(home, loaded)
    inbox = home.home.parent / "inbox"
    inbox.mkdir()
    (inbox / AUGUST.name).write_bytes(AUGUST.read_bytes())
    [result] = ingest(home, [inbox / AUGUST.name])
    assert result.status == "accepted"
    assert (inbox / AUGUST.name).exists()


def test_a_symlink_in_landing_is_rejected_and_its_target_untouched(
    home: Paths, loaded: Load, tmp_path: Path
) -> None:
    _registers(home, loaded)
    outside = tmp_path / "elsewhere"  # outside TERTIAL_HOME (tmp_path/home)
    outside.mkdir()
    target = outside / AUGUST.name
    target.write_bytes(AUGUST.read_bytes())
    os.utime(target, (1_300_000_000, 1_300_000_000))
    before = (target.read_bytes(), target.stat().st_mtime_ns, target.stat().st_ino)
    (home.landing / AUGUST.name).symlink_to(target)
    (home.landing / "ekonomi").symlink_to(outside, target_is_directory=True)

    results = _run(home)

    assert set(results) == {AUGUST.name, "ekonomi"}  # the linked folder was not entered
    for result in results.values():
        assert result.status == "rejected", result.line()
        assert result.reason.startswith("symlink:")
        assert _report(result)["failures"][0]["rule"] == "symlink"
    assert _ledger_rows(home) == 0
    # The target: byte for byte the same, in place; the links themselves left landing/.
    assert (target.read_bytes(), target.stat().st_mtime_ns, target.stat().st_ino) == before
    assert sorted(p.name for p in outside.iterdir()) == [AUGUST.name]
    assert _landing_files(home) == []
    assert not os.path.lexists(home.landing / "ekonomi")
    assert not any(p.is_file() and not p.is_symlink() for p in home.archive.rglob("*"))


def test_a_file_too_large_to_check_in_memory_is_rejected_unread_and_the_night_goes_on(
    home: Paths, loaded: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file is checked in memory (about 6× its size): one the machine cannot hold would
    # have the loader killed every night. Here the limit is 20 kB; August's ledger 37 kB.
    _registers(home, loaded)
    monkeypatch.setenv("TERTIAL_MAX_FILE_MB", "0.02")
    budget = SERVICENAMNDEN / "budget_2011_1.csv"  # 1.3 kB
    (home.landing / budget.name).write_bytes(budget.read_bytes())
    control = "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144,95\r\n"
    _with_control(home, "huvudbok_201108.ctl", control)

    results = _run(home)

    assert results[budget.name].status == "accepted", results[budget.name].line()
    big = results[AUGUST.name]
    assert big.status == "rejected", big.line()
    assert big.reason.startswith("file-too-large: 37 kB, this machine loads files up to 20 kB")
    assert "TERTIAL_MAX_FILE_MB" in big.reason and "split the export" in big.reason
    report = _report(big)
    assert report["failures"][0]["rule"] == "file-too-large"
    assert report["sha256"] == hashlib.sha256(AUGUST.read_bytes()).hexdigest()
    # Kept byte for byte with its control file, and both taken out of landing/.
    kept = big.report.parent
    assert (kept / AUGUST.name).read_bytes() == AUGUST.read_bytes()
    assert (kept / "huvudbok_201108.ctl").read_bytes() == control.encode("cp1252")
    assert _landing_files(home) == []
    assert _ledger_rows(home) == 0

    # Under the machine's own limit (1/12 of its memory) the same bytes load.
    monkeypatch.delenv("TERTIAL_MAX_FILE_MB")
    _with_control(home, "huvudbok_201108.ctl", control, (kept / AUGUST.name).read_bytes())
    again = _run(home)[AUGUST.name]
    assert again.status == "accepted", again.line()
    assert _ledger_rows(home) == 415


def _with_control(home: Paths, ctl_name: str, control: str, data: bytes | None = None) -> None:
    (home.landing / AUGUST.name).write_bytes(data if data is not None else AUGUST.read_bytes())
    (home.landing / ctl_name).write_bytes(control.encode("cp1252"))


def test_upper_case_control_file_is_honoured(home: Paths, loaded: Load) -> None:
    _registers(home, loaded)
    _with_control(
        home, "huvudbok_201108.CTL", "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144,94\r\n"
    )
    before = event_state(home)
    result = _run(home)[AUGUST.name]
    assert result.status == "rejected"
    assert "sum of Belopp" in result.reason and "'-1931144,94', '-1931144,95'" in result.reason
    assert event_state(home) == before
    # The control file went to quarantine with its data file.
    assert (result.report.parent / "huvudbok_201108.CTL").exists()
    assert _landing_files(home) == []

    # The right total in a `.Ctl`: loaded, and the control file archived beside it.
    _with_control(
        home, "huvudbok_201108.Ctl", "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144,95\r\n"
    )
    result = _run(home)[AUGUST.name]
    assert result.status == "accepted", result.line()
    assert list(home.archive.glob("huvudbok_201108.csv.*/huvudbok_201108.Ctl"))
    assert _landing_files(home) == []


def test_control_file_must_cover_exactly_the_files_keys(home: Paths, loaded: Load) -> None:
    _registers(home, loaded)
    lines = AUGUST.read_bytes().split(b"\r\n")
    stray = [line for line in JULY.read_bytes().split(b"\r\n")[1:] if line][:3]
    # The case: three July lines in an August file whose .ctl lists only August.
    _with_control(
        home,
        "huvudbok_201108.ctl",
        "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144,95\r\n",
        b"\r\n".join([*[line for line in lines if line], *stray]) + b"\r\n",
    )
    missing = _run(home)[AUGUST.name]
    assert missing.status == "rejected", missing.line()
    # The file's name says August: its month rule names the stray lines before the .ctl
    # is read (the corpus's huvudbok_tva_manader_201104.csv, named without a month, is
    # rejected by the .ctl's coverage for them; the .ctl's extra key is below).
    assert "Period is the month in the file name (huvudbok_201108.csv says 201108)" in (
        missing.reason
    )
    assert "line 417: '201107', line 418: '201107', line 419: '201107'" in missing.reason
    assert _ledger_rows(home) == 0

    # A key in the .ctl the file does not hold (even with 0 rows, 0,00) rejects too.
    _with_control(
        home,
        "huvudbok_201108.ctl",
        "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144,95\r\n142;201109;0;0,00\r\n",
    )
    extra = _run(home)[AUGUST.name]
    assert extra.status == "rejected", extra.line()
    assert "142 201109: in the .ctl (line 3), no row in the file" in extra.reason
    assert _ledger_rows(home) == 0

    # The .ctl that lists exactly the file's keys: loaded.
    _with_control(
        home, "huvudbok_201108.ctl", "Nämnd;Period;Rader;Summa\r\n142;201108;415;-1931144,95\r\n"
    )
    assert _run(home)[AUGUST.name].status == "accepted"
    assert _ledger_rows(home) == 415


def test_orphan_control_file_waits_a_day_then_is_rejected(home: Paths, loaded: Load) -> None:
    _registers(home, loaded)
    ctl = home.landing / "huvudbok_201109.ctl"
    ctl.write_bytes(b"N\xe4mnd;Period;Rader;Summa\r\n142;201109;10;100,00\r\n")

    waiting = _run(home)["huvudbok_201109.ctl"]
    assert waiting.status == "waiting", waiting.line()
    assert "control file without its data file" in waiting.reason
    assert ctl.exists()
    # Named explicitly, without its data file: the same.
    [named] = ingest(home, [ctl])
    assert named.status == "waiting"

    day_ago = time.time() - 25 * 3600
    os.utime(ctl, (day_ago, day_ago))
    rejected = _run(home)["huvudbok_201109.ctl"]
    assert rejected.status == "rejected", rejected.line()
    assert _report(rejected)["failures"][0]["rule"] == "control file without its data file"
    assert (rejected.report.parent / "huvudbok_201109.ctl").read_bytes() == (
        b"N\xe4mnd;Period;Rader;Summa\r\n142;201109;10;100,00\r\n"
    )
    assert _landing_files(home) == []


def test_control_file_first_then_its_data_file(home: Paths, loaded: Load) -> None:
    _registers(home, loaded)
    ctl = home.landing / "huvudbok_201108.ctl"
    ctl.write_bytes((SERVICENAMNDEN / "huvudbok_201108.ctl").read_bytes())
    assert _run(home)["huvudbok_201108.ctl"].status == "waiting"
    (home.landing / AUGUST.name).write_bytes(AUGUST.read_bytes())
    results = _run(home)
    assert set(results) == {AUGUST.name}  # the .ctl travels with its data file
    assert results[AUGUST.name].status == "accepted"
    assert _landing_files(home) == []
    assert list(home.archive.glob("huvudbok_201108.csv.*/huvudbok_201108.ctl"))


def test_a_251_character_file_name_is_rejected_and_quarantined(home: Paths, loaded: Load) -> None:
    _registers(home, loaded)
    name = "huvudbok_201108_" + "x" * (251 - len("huvudbok_201108_") - len(".csv")) + ".csv"
    assert len(name) == 251
    (home.landing / name).write_bytes(AUGUST.read_bytes())

    result = _run(home)[name]

    assert result.status == "rejected", result.line()
    assert result.reason.startswith("file name too long")
    assert _report(result)["failures"][0]["rule"] == "file name too long"
    folder = result.report.parent
    assert len(folder.name.encode()) <= 255
    assert (folder / name).read_bytes() == AUGUST.read_bytes()  # kept whole, its own name
    assert _landing_files(home) == [] and _ledger_rows(home) == 0


def test_a_personnummer_in_a_file_name_is_rejected_and_masked_everywhere(
    home: Paths, loaded: Load
) -> None:
    _registers(home, loaded)
    name = f"huvudbok_201108_{PERSONNUMMER}.csv"
    (home.landing / name).write_bytes(AUGUST.read_bytes())
    lines: list[str] = []

    [result] = ingest(home, [home.landing], move=True, progress=lines.append)

    assert result.status == "rejected", result.line()
    folder = result.report.parent
    shown = [
        result.line(),
        result.reason,
        *lines,
        folder.name,
        str(result.report),
        (folder / "report.txt").read_text(encoding="utf-8"),
        (folder / "report.json").read_text(encoding="utf-8"),
    ]
    with duckdb.connect(str(home.database), read_only=True) as con:
        shown += [str(row) for row in con.execute("select * from events.batches").fetchall()]
    assert not [text for text in shown if PERSONNUMMER in text]
    assert "19121212-****" in result.line()
    # Only the quarantined file itself keeps what it was delivered with.
    assert (folder / name).read_bytes() == AUGUST.read_bytes()
    assert _landing_files(home) == []


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
    return buffer.getvalue()


def test_files_that_used_to_crash_the_run_end_rejected_and_the_next_file_loads(
    home: Paths,
    loaded: Load,
) -> None:
    _registers(home, loaded)
    text = AUGUST.read_bytes().decode("cp1252")
    rows = [line for line in text.split("\r\n") if line]
    no_namnd = [";".join(c for i, c in enumerate(r.split(";")) if i != 1) for r in rows]
    july = [line.split(";") for line in JULY.read_bytes().decode("cp1252").split("\r\n") if line]
    july[1][9] = "2011-09-31"  # Datum: the shape of a date, no day of the calendar
    bad_date = [";".join(cells) for cells in july]
    crashing = {
        # An XLSX saved under a .csv name.
        "huvudbok_201101_xlsx.csv": _xlsx(),
        # A ledger without its Nämnd column.
        "huvudbok_201102_utan_namnd.csv": "\r\n".join(no_namnd).encode("cp1252"),
        # UTF-16 ("Unicode text" from Excel).
        "huvudbok_201103_utf16.csv": "\r\n".join(rows).encode("utf-16"),
        # A date that is no date.
        "huvudbok_201107_datum.csv": "\r\n".join(bad_date).encode("cp1252"),
        # Not even text.
        "huvudbok_201104_binar.csv": bytes(range(256)) * 64,
    }
    for name, data in crashing.items():
        (home.landing / name).write_bytes(data)
    os.mkfifo(home.landing / "huvudbok_201105_pipe.csv")  # would block a reader forever
    (home.landing / AUGUST.name).write_bytes(AUGUST.read_bytes())  # the good month, last

    results = _run(home)

    assert results[AUGUST.name].status == "accepted", results[AUGUST.name].line()
    assert _ledger_rows(home, results[AUGUST.name].batch_id) == 415
    for name in [*crashing, "huvudbok_201105_pipe.csv"]:
        result = results[name]
        assert result.status in ("rejected", "accepted"), result.line()
        if result.status == "rejected":
            report = _report(result)
            assert report["failures"] and report["failures"][0]["rule"], report
            assert "Traceback" not in result.reason
            assert "\n" not in result.line()
    assert results["huvudbok_201105_pipe.csv"].reason.startswith("not a regular file")
    for name, data in crashing.items():
        result = results[name]
        if result.status == "rejected":
            [kept] = result.report.parent.glob(name)
            assert hashlib.sha256(kept.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert _landing_files(home) == []


def test_an_error_nobody_foresaw_rejects_that_file_as_unreadable_and_the_next_loads(
    home: Paths, loaded: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No real input is known to raise here any more (every one above has its rule), so
    the error is raised by the test hook `TERTIAL_FAULT_AT` (warehouse/crashpoints.py)
    inside the real loader, after the real parse of a real file."""
    _registers(home, loaded)
    (home.landing / JULY.name).write_bytes(JULY.read_bytes())
    (home.landing / AUGUST.name).write_bytes(AUGUST.read_bytes())
    before = event_state(home)
    monkeypatch.setenv("TERTIAL_FAULT_AT", f"after_parse:{JULY.name}")

    results = _run(home)

    july, august = results[JULY.name], results[AUGUST.name]
    assert july.status == "rejected", july.line()
    assert july.reason.startswith("unreadable: RuntimeError: fault injected at after_parse")
    assert _report(july)["failures"][0]["rule"] == "unreadable"
    [kept] = july.report.parent.glob(JULY.name)
    assert kept.read_bytes() == JULY.read_bytes()
    assert august.status == "accepted", august.line()
    assert _ledger_rows(home) == 415  # August only: nothing of July entered the log
    assert event_state(home) != before
    assert _landing_files(home) == []


def test_a_file_name_that_is_not_utf8_loads(home: Paths, loaded: Load) -> None:
    # A name from a Windows share, in Windows-1252: the bytes of the name are no UTF-8.
    _registers(home, loaded)
    name = os.fsdecode(b"huvudbok_201108_N\xe4mnd.csv")
    (home.landing / name).write_bytes(AUGUST.read_bytes())
    [result] = ingest(home, [home.landing], move=True)
    assert result.status == "accepted", result.line()
    assert "huvudbok_201108_N\ufffdmnd.csv" in result.line()
    with duckdb.connect(str(home.database), read_only=True) as con:
        names = [r[0] for r in con.execute("select file_name from events.batches").fetchall()]
    assert "huvudbok_201108_N\ufffdmnd.csv" in names


def test_the_landing_sensor_sees_a_waiting_file_settle(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file left `waiting` by one tick must start a run once it has settled, without
    # any new file landing: its settled state is part of the sensor's fingerprint.
    from orchestration.sensors import landing_fingerprint

    monkeypatch.setenv(SETTLE, "2")
    (home.landing / AUGUST.name).write_bytes(AUGUST.read_bytes())
    fresh = landing_fingerprint(home)
    assert fresh == landing_fingerprint(home)
    time.sleep(2.2)
    settled = landing_fingerprint(home)
    assert fresh and settled and settled != fresh


def test_a_file_growing_while_it_is_read_is_waiting_not_loaded_half(
    home: Paths, loaded: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even with no settling time, a file that changes between its read and its commit
    # is left in landing/ (the size and times are compared again before the commit).
    monkeypatch.setenv(SETTLE, "0")
    _registers(home, loaded)
    header, *lines = [line for line in AUGUST.read_bytes().split(b"\r\n") if line]
    target = home.landing / AUGUST.name
    stop = threading.Event()
    written = [0]

    def upload() -> None:
        with open(target, "ab") as out:
            while not stop.is_set():
                out.write(lines[written[0] % len(lines)] + b"\r\n")
                out.flush()
                written[0] += 1
                time.sleep(0.001)

    target.write_bytes(header + b"\r\n" + b"\r\n".join(lines[:100]) + b"\r\n")
    writer = threading.Thread(target=upload)
    writer.start()
    try:
        time.sleep(0.05)
        during = _run(home)[AUGUST.name]
    finally:
        stop.set()
        writer.join()
    assert during.status == "waiting", during.line()
    assert _ledger_rows(home) == 0 and target.exists()

    after = _run(home)[AUGUST.name]
    assert after.status == "accepted", after.line()
    assert after.rows == 100 + written[0] == _ledger_rows(home)

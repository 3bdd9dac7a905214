"""Issue 12's corpus through the real CLI: no file stops the night, nothing leaks.

Every corpus file (`tests/corpus/build.py`: one per class of bad, or awkward but
valid, input) goes through `tertial ingest` in-process on one home whose registers and
August ledger are loaded: a bad file is rejected with a named rule, a quarantine report
and the event log's content unchanged; a valid one is accepted with every row; nothing
escapes as a traceback and no personnummer is printed unmasked. Then one night: several
of the files that used to crash the run lie in `landing/` beside a good month, and one
`tertial run` quarantines them and loads, builds and publishes the month.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sources.registry import SOURCES, event_tables, source_for
from tertial.cli import main
from tests.conftest import SERVICENAMNDEN
from tests.corpus.build import LONG_NAME, PERSONNUMMER, RULES, UNMASKED, Case, build_corpus, cases
from tests.helpers import event_state
from warehouse.settings import Paths, paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

CASES = cases()
BY_NAME = {case.name: case for case in CASES}
REGISTERS = [SERVICENAMNDEN / "organisation.csv", SERVICENAMNDEN / "verksamheter.csv"]
# The August ledger books activity 240: the register re-delivered without it is a case.
BOOKED = [SERVICENAMNDEN / "huvudbok_201108.csv"]

# Files that each stopped every night before issue 12 (a traceback in `tertial run`).
NIGHT_BAD = [
    "huvudbok_201108_utan_namnd.csv",  # missing Nämnd header
    "huvudbok_201108_manad20.csv",  # impossible date 2011-20-09
    "huvudbok_201108_unicode.csv",  # UTF-16
    "huvudbok_201108_excel.csv",  # an XLSX renamed .csv
    LONG_NAME,  # a 251-character name
    "lon_201108_komma.csv",  # comma-separated
    "huvudbok_201108_nul.csv",  # a NUL byte
    "huvudbok_201108_tva_max.csv",  # two lines whose sum overflows fct_ledger
]
# Personnummer in a file name, a cell, a header, an extra column and a SIE #TRANS text:
# after the night and `tertial docs`, none may be found unmasked outside quarantine.
NIGHT_PERSONNUMMER = [
    "huvudbok_201107_19121212-1212.csv",
    "huvudbok_201108_pn_cell_0.csv",
    "lon_201108_pn_rubrik_1.csv",
    "huvudbok_201108_pn_kolumn_6.csv",
    "sie_142_pn_trans_0.si",
]
GOOD_MONTH = SERVICENAMNDEN / "huvudbok_201107.csv"
GOOD_MONTH_LINES = 412

FILE_LINE = re.compile(r"^\s*\[\d+/\d+\]\s+(\S+)")
REPORT = re.compile(r"\(report: (.+?)\)\s*$")


def _id(case: Case) -> str:
    """The file name, shortened, its personnummer masked (test ids end up in CI logs)."""
    name = case.name if len(case.name) <= 60 else f"{case.name[:40]}...({len(case.name)} chars)"
    for value in UNMASKED:
        name = name.replace(value, value[:-4] + "****")
    return name


def _masked_id(text: str) -> str:
    """Any text shown in a failure message, with the corpus's personnummer masked."""
    for value in UNMASKED:
        text = text.replace(value, value[:-4] + "****")
    return text


@pytest.fixture(scope="module")
def settled() -> Iterator[None]:
    """Corpus files were just written: no settle time (issue 12, §3)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TERTIAL_LANDING_SETTLE_SECONDS", "0")
        yield


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Case]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, {case.name: case for case in build_corpus(folder)}


@pytest.fixture(scope="module")
def corpus_home(tmp_path_factory: pytest.TempPathFactory, settled: None) -> Paths:
    """One home for every case: the registers and the August ledger, loaded by the CLI."""
    home = paths(tmp_path_factory.mktemp("corpus-home"))
    _ingest_ok(home, REGISTERS + BOOKED)
    return home


def _ingest_ok(home: Paths, files: list[Path]) -> None:
    """Reference files through `tertial ingest`: every one accepted."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(["--home", str(home.home), "ingest", *map(str, files)])
    assert code == 0, printed.getvalue()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _quarantined(home: Paths, original: Path) -> list[Path]:
    """Copies of `original`'s bytes anywhere under quarantine/ (named as the loader likes)."""
    size, digest = original.stat().st_size, _sha256(original)
    return [
        p
        for p in home.quarantine.rglob("*")
        if p.is_file() and p.stat().st_size == size and _sha256(p) == digest
    ]


def _has_report(copies: list[Path], line: str) -> bool:
    """The report the line names exists, or a report lies beside the quarantined copy."""
    named = REPORT.search(line)
    if named and Path(named.group(1)).is_file():
        return True
    return any(
        p.name.lower().startswith("report") for copy in copies for p in copy.parent.iterdir()
    )


def _query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _last_batch(home: Paths) -> int:
    return _query(home.database, "select coalesce(max(batch_id), 0) from events.batches")[0][0]


def _short(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def test_corpus_covers_every_class_of_issue_12(corpus: tuple[Path, dict[str, Case]]) -> None:
    folder, by_name = corpus
    files = [p for p in folder.iterdir() if p.is_file()]
    assert len(by_name) >= 60
    # Every file its own bytes: a second copy would be a `duplicate`, not its class.
    digests = collections.Counter(_sha256(p) for p in files)
    assert [d for d, n in digests.items() if n > 1] == []
    for case in by_name.values():
        assert (folder / case.name).is_file(), case.name
        assert all((folder / c).is_file() for c in case.companions), case.name
        if case.name.lower().endswith(".ctl"):
            continue  # an orphan control file: the ledger's, no source of its own
        found = source_for(case.name)
        assert (found.name if found else None) == case.source, case.name
        assert (case.status == "accepted") == (case.rule == ""), case.name
        assert case.rule == "" or case.rule in RULES.values(), case.name
    assert {c.source for c in by_name.values()} >= {s.name for s in SOURCES}
    assert {c.status for c in by_name.values()} == {"accepted", "rejected", "waiting"}
    assert set(RULES.values()) <= {c.rule for c in by_name.values()}
    # Every personnummer form in every place (an en dash has no CP437 code: not in SIE).
    places = collections.defaultdict(set)
    for case in by_name.values():
        place = case.klass.split(" in ", 1)[-1]
        for value in case.personnummer:
            places["a cell" if place.startswith("a cell") else place].add(value)
    assert set(places) >= {
        "a cell",
        "an extra column",
        "a header",
        "an organisation name",
        "SIE #FNAMN",
        "SIE #TRANS text",
        "a file name",
        "SIE #ORGNR",
    }
    for place in ["a cell", "an extra column", "a header", "an organisation name", "a file name"]:
        assert places[place] == set(PERSONNUMMER.values()), place
    assert len(LONG_NAME) == 251 and (folder / LONG_NAME).is_file()


@pytest.mark.parametrize("name", [c.name for c in CASES], ids=[_id(c) for c in CASES])
def test_corpus_file_through_tertial_ingest(
    name: str,
    corpus: tuple[Path, dict[str, Case]],
    corpus_home: Paths,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, by_name = corpus
    case, path, home = by_name[name], folder / name, corpus_home
    before, last = event_state(home), _last_batch(home)
    capsys.readouterr()

    try:
        code = main(["--home", str(home.home), "ingest", str(path)])
    except (Exception, SystemExit) as exc:  # the point: nothing may escape
        out, err = capsys.readouterr()
        pytest.fail(
            f"{type(exc).__name__} escaped `tertial ingest`: {_short(str(exc), 500)}\n"
            f"{_short(out + err)}"
        )
    out, err = capsys.readouterr()
    printed = out + err

    problems: list[str] = []
    if "Traceback" in printed:
        problems.append("a traceback was printed")
    lines = [line for line in out.splitlines() if FILE_LINE.match(line)]
    line = lines[0] if len(lines) == 1 else ""
    status = FILE_LINE.match(line).group(1).lower() if line else None
    if status != case.status:
        problems.append(f"status {status!r}, expected {case.status!r}")
    if case.rule and case.rule.lower() not in line.lower():
        problems.append(f"the reason does not name the rule {case.rule!r}")
    expected_code = 1 if case.status == "rejected" else 0
    if code != expected_code:
        problems.append(f"exit code {code}, expected {expected_code}")

    if case.status == "accepted":
        after = event_state(home)
        if after[0][0] != before[0][0] + 1:
            problems.append(f"accepted batches {before[0][0]} -> {after[0][0]}, expected +1")
        else:
            [(batch_id, row_count)] = _query(
                home.database,
                "select batch_id, row_count from events.batches "
                "where status = 'accepted' order by batch_id desc limit 1",
            )
            stored = sum(
                _query(
                    home.database,
                    f"select count(*) from events.{table} where batch_id = ?",
                    [batch_id],
                )[0][0]
                for table in event_tables()
            )
            if (row_count, stored) != (case.rows, case.rows):
                problems.append(
                    f"rows: batch says {row_count}, event tables hold {stored}, "
                    f"expected {case.rows}"
                )
    else:
        if event_state(home) != before:
            problems.append("the event log's content changed")
        if case.status == "rejected":
            copies = _quarantined(home, path)
            if not copies:
                problems.append("no copy of the file under quarantine/")
            elif not _has_report(copies, line):
                problems.append("no quarantine report")

    for value in UNMASKED:
        if value in printed:
            problems.append(f"unmasked personnummer {value!r} printed")
    recorded = _query(home.database, "select * from events.batches where batch_id > ?", [last])
    for value in UNMASKED:
        if any(value in str(cell) for row in recorded for cell in row):
            problems.append(f"unmasked personnummer {value!r} in events.batches")

    assert not problems, (
        f"{case.klass}: " + "; ".join(problems) + f"\n--- exit {code}, output:\n{_short(printed)}"
    )


def test_one_night_quarantines_the_crashing_files_and_publishes_the_good_month(
    corpus: tuple[Path, dict[str, Case]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TERTIAL_LANDING_SETTLE_SECONDS", "0")  # the files were just written
    folder, _ = corpus
    home = paths(tmp_path / "night")
    _ingest_ok(home, REGISTERS)
    for name in [*NIGHT_BAD, *NIGHT_PERSONNUMMER]:
        shutil.copy(folder / name, home.landing / name)
    shutil.copy(GOOD_MONTH, home.landing / GOOD_MONTH.name)
    capsys.readouterr()

    try:
        code = main(["--home", str(home.home), "run"])
    except (Exception, SystemExit) as exc:  # the point: nothing may escape
        out, err = capsys.readouterr()
        pytest.fail(f"{type(exc).__name__} escaped `tertial run`: {exc}\n{_short(out + err)}")
    out, err = capsys.readouterr()

    problems: list[str] = []
    if code != 1:
        problems.append(f"exit code {code}, expected 1 (files rejected, build published)")
    if "Traceback" in out + err:
        problems.append("a traceback was printed")
    for name in [*NIGHT_BAD, *NIGHT_PERSONNUMMER]:
        if (home.landing / name).exists():
            problems.append(f"{_id(BY_NAME[name])} is still in landing/")
        copies = _quarantined(home, folder / name)
        if not copies:
            problems.append(f"{_id(BY_NAME[name])}: no copy under quarantine/")
        elif not any(
            p.name.lower().startswith("report") for c in copies for p in c.parent.iterdir()
        ):
            problems.append(f"{_id(BY_NAME[name])}: no quarantine report beside it")
    left = [p.name for p in home.landing.rglob("*") if p.is_file()]
    if left:
        problems.append(f"landing/ still holds {left}")
    if not home.published.exists():
        problems.append("nothing was published")
    else:
        published = _query(
            home.published,
            "select period, sum(line_count) from marts.fct_ledger group by period order by period",
        )
        if published != [(201107, GOOD_MONTH_LINES)]:
            problems.append(f"published ledger {published}, expected only July's 412 lines")

    assert not problems, "; ".join(problems) + f"\n--- output:\n{_short(out + err, 8000)}"

    # No personnummer anywhere but in the quarantined files themselves: not in what was
    # printed, not in any published table or the log's copy, not in a report, a saved
    # validation, a log or a docs page (dbt's and the data docs, written here for real).
    assert main(["--home", str(home.home), "docs"]) == 0
    docs_out, docs_err = capsys.readouterr()
    originals = {_sha256(folder / name) for name in NIGHT_PERSONNUMMER}
    leaks = [f"printed: {v}" for v in UNMASKED if v in out + err + docs_out + docs_err]
    for database in (home.published, home.published_events, home.database):
        leaks += [f"{database.name}: {hit}" for hit in _unmasked_in_tables(database)]
    for path in sorted(home.home.rglob("*")):
        relative = str(path.relative_to(home.home))
        if path.is_file() and path.parent.parent == home.quarantine and _sha256(path) in originals:
            continue  # the quarantined file itself keeps the value, and its name
        leaks += [f"path {_masked_id(relative)}" for v in UNMASKED if v in relative]
        if path.is_file() and not path.name.endswith((".duckdb", ".wal")):
            data = path.read_bytes()
            leaks += [
                f"{_masked_id(relative)} holds {_masked_id(v)}"
                for v in UNMASKED
                for encoded in {v.encode("utf-8"), v.encode("cp1252", errors="ignore")}
                if encoded and encoded in data
            ]
    assert (home.docs / "index.html").is_file()
    assert not leaks, "\n".join(leaks[:40])


def _unmasked_in_tables(database: Path) -> list[str]:
    """Every text cell of every table of a DuckDB file in which a personnummer is found."""
    from sources._common.personnummer import find

    con = duckdb.connect(str(database), read_only=True)
    try:
        columns = con.execute(
            """
            select table_schema, table_name, column_name from information_schema.columns
            where data_type in ('VARCHAR', 'JSON') and table_catalog = current_database()
            """
        ).fetchall()
        hits = []
        for schema, table, column in columns:
            # Identifiers from the catalog itself, quoted.
            values = con.execute(
                f'select distinct cast("{column}" as varchar) from "{schema}"."{table}"'
            ).fetchall()
            hits += [
                f"{schema}.{table}.{column}: {_masked_id(str(value))}"
                for (value,) in values
                if value is not None and find(value)
            ]
        return hits
    finally:
        con.close()

"""The demo city: deterministic bytes, the contract's formats, and the promised accidents.

Most tests share one small city (one year, 20 rows per board and month: ~7 000 ledger rows,
well under a second); one test writes the defaults the CLI uses.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from demo import DemoCity, write_demo_city
from sources._common.batch import Reference
from sources.ansvar import SOURCE as UNITS
from sources.indikatorer.values import parse_period, parse_value
from sources.organisationsmappning import SOURCE as MAPPING
from sources.verksamheter.expectations import rs_leaf_codes

pytestmark = pytest.mark.unit

SMALL = {"years": (2022,), "rows_per_board_month": 20}
BOM = b"\xef\xbb\xbf"
# `YYMMDD-NNNN`, `YYMMDDNNNN`, `YYYYMMDD-NNNN`, `YYYYMMDDNNNN` with a plausible month and day.
PERSONNUMMER = re.compile(
    r"(?<!\d)(\d{2})?\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[-+]?\d{4}(?!\d)"
)
# Two decimals always; grouping by space or no-break space; minus `-` or U+2212.
BELOPP = re.compile(r"[-\u2212]?(?:\d+|\d{1,3}(?:[ \u00a0]\d{3})+),\d{2}")
# The exact header of the reference exports (source-formats.md §1), in their order.
LEDGER_HEADER = [
    "Period",
    "Nämnd",
    "Ansvar",
    "Verksamhet",
    "Konto",
    "Projekt",
    "Motpart",
    "Belopp",
    "Verifikation",
    "Datum",
    "Text",
]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoCity:
    return write_demo_city(tmp_path_factory.mktemp("landing"), **SMALL)


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not) if it decodes, else Windows-1252: the contract's detection."""
    if data.startswith(BOM):
        return data[len(BOM) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_decode(path.read_bytes()), newline=""), delimiter=";"))


def _amount(raw: str) -> Decimal:
    """Exact kronor from `1 234 567,50`, `−17058,04`, `-40208,36`."""
    plain = raw.replace(" ", "").replace("\u00a0", "").replace("\u2212", "-")
    return Decimal(plain.replace(",", "."))


def _ledgers(city: DemoCity) -> list[Path]:
    return [p for p in city.files if p.name.startswith("huvudbok_") and p.suffix == ".csv"]


def _named(city: DemoCity, name: str) -> Path:
    return next(p for p in city.files if p.name == name)


BAD = "huvudbok_202210_140_rattelse.csv"
FORECAST_CORRECTION = "prognos_2022_T2_142_rattelse.csv"
REPORTS = ("T1", "T2", "VB")

# sha256 over (name, sha256 of the bytes) of every ledger, control and register file, as
# written by the generator since internal trade reconciles (issue 17: the buyers book the
# purchases of the 3110 sales; every board's month kept its costs, revenues and rows to
# the öre at 10, 20 and 400 rows, checked against the generator before), and since each
# board sells to three boards only (`_BUYERS_PER_SELLER`: the same amounts, other
# buyers; the per-board tests below still hold to the öre). The other
# exports draw from their own streams, so these files must stay byte for byte the same:
# a changed digest means the demo's ledgers (and every figure shown of them) moved.
# Last changed by verksamheter.csv alone (issue 17: Efterträdare and RS-kod columns;
# every huvudbok and organisation file of the small city byte for byte as before).
SMALL_LEDGER_DIGEST = "f5553b1f5fed32d00f1f78b3a5b5111859beae27856a135c50b2772b51a7a819"
DEFAULT_LEDGER_DIGEST = "86a23010460dfdfac06a69d06d87ed83f06a7f6f02fb5e632f27f30365cac6c8"


def _ledger_digest(city: DemoCity) -> str:
    digest = hashlib.sha256()
    for path in city.files:  # in name order
        # organisation.csv, not organisationsmappning.csv (added later, tested on its own).
        if path.name.startswith(("huvudbok_", "organisation.csv", "verksamheter")):
            digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    first = write_demo_city(tmp_path / "a", **SMALL)
    second = write_demo_city(tmp_path / "b", **SMALL)
    assert [p.relative_to(tmp_path / "a") for p in first.files] == [
        p.relative_to(tmp_path / "b") for p in second.files
    ]
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert (first.ledger_rows, first.boards) == (second.ledger_rows, second.boards)
    # The seed matters: another seed gives other ledgers (same registers).
    other = write_demo_city(tmp_path / "c", seed=7, **SMALL)
    assert _named(other, "huvudbok_202201.csv").read_bytes() != (
        _named(first, "huvudbok_202201.csv").read_bytes()
    )


def test_files_are_listed_in_name_order_and_all_on_disk(city: DemoCity) -> None:
    names = [p.name for p in city.files]
    assert names == sorted(names)
    landing = city.files[0].parent.parent
    assert sorted(p for p in landing.rglob("*") if p.is_file()) == sorted(city.files)
    assert {p.parent.name for p in city.files} == {"ekonomi", "hr", "ils", "register"}
    months = [f"huvudbok_2022{m:02d}.csv" for m in range(1, 13)]
    specials = [
        "huvudbok_202203_kopia.csv",
        "huvudbok_202206_142_rattelse.csv",
        BAD,
    ]
    controls = [f"huvudbok_2022{m:02d}.ctl" for m in (4, 8, 12)]
    budgets = [f"budget_2022_{n}.csv" for n in (1, 2, 3)]
    forecasts = [f"prognos_2022_{o}.csv" for o in ("T1", "T2", "M10")]
    hr = [f"{s}_2022{m:02d}.csv" for s in ("lon", "sjukfranvaro") for m in range(1, 13)]
    balances = [f"balans_2022{m:02d}.csv" for m in (4, 8, 12)]
    yearly = [
        "medarbetarenkat_2022.csv",
        "resultatfond_2022.csv",
        *(f"{s}_2022_{r}.csv" for s in ("indikatorer", "kommentarer") for r in REPORTS),
    ]
    expected = [
        "ansvar.csv",
        "organisation.csv",
        "organisationsmappning.csv",
        "verksamheter.csv",
        *months,
        *specials,
        *controls,
        *budgets,
        *forecasts,
        FORECAST_CORRECTION,
        *hr,
        *balances,
        *yearly,
    ]
    assert sorted(names) == sorted(expected)
    assert city.boards == 28


def test_ledger_rows_counts_every_data_row(city: DemoCity) -> None:
    assert city.ledger_rows == sum(len(_rows(p)) for p in _ledgers(city))


def test_ledgers_have_the_reference_header(city: DemoCity) -> None:
    for path in _ledgers(city):
        header = _decode(path.read_bytes()).splitlines()[0]
        assert header.split(";") == LEDGER_HEADER, path.name


def test_encodings_and_number_formats_vary_like_real_exports(city: DemoCity) -> None:
    cp1252, utf8_bom, minus_signs, nbsp, space = [], [], [], [], []
    for path in _ledgers(city):
        data = path.read_bytes()
        if data.startswith(BOM):
            utf8_bom.append(path)
            text = data[len(BOM) :].decode("utf-8")
            assert "\r\n" not in text, path.name  # UTF-8 exports end lines with LF
        else:
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")  # Swedish letters make Windows-1252 invalid UTF-8
            cp1252.append(path)
            text = data.decode("cp1252")
            assert text.count("\r\n") == text.count("\n"), path.name  # CRLF throughout
        belopp = [row["Belopp"] for row in csv.DictReader(io.StringIO(text), delimiter=";")]
        if any(b.startswith("\u2212") for b in belopp):
            minus_signs.append(path)
        if any("\u00a0" in b for b in belopp):
            nbsp.append(path)
        if any(" " in b for b in belopp):
            space.append(path)
    assert len(cp1252) > len(utf8_bom) >= 1
    assert minus_signs and set(minus_signs) <= set(utf8_bom)
    assert nbsp and space


def test_belopp_always_has_two_decimals_and_stays_under_ten_million(city: DemoCity) -> None:
    for path in _ledgers(city):
        for row in _rows(path):
            assert BELOPP.fullmatch(row["Belopp"]), (path.name, row["Belopp"])
            assert abs(_amount(row["Belopp"])) < Decimal("10000000"), (path.name, row)


def test_every_control_file_matches_its_ledger_exactly(city: DemoCity) -> None:
    controls = [p for p in city.files if p.suffix == ".ctl"]
    assert len(controls) == 3
    for control in controls:
        ledger = control.with_suffix(".csv")
        assert ledger in city.files
        rows: Counter[tuple[str, str]] = Counter()
        sums: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for row in _rows(ledger):
            key = (row["Nämnd"], row["Period"])
            rows[key] += 1
            sums[key] += _amount(row["Belopp"])
        assert control.read_bytes().decode("utf-8").startswith("Nämnd;Period;Rader;Summa\n")
        expected = {key: (rows[key], sums[key]) for key in rows}
        actual = {
            (line["Nämnd"], line["Period"]): (
                int(line["Rader"]),
                Decimal(line["Summa"].replace(",", ".")),
            )
            for line in _rows(control)
        }
        assert actual == expected, control.name
        assert all(re.fullmatch(r"-?\d+,\d{2}", line["Summa"]) for line in _rows(control))


def test_the_organisation_mapping_passes_its_source_and_divides_whole_codes(
    city: DemoCity,
) -> None:
    # The source's own suites (Great Expectations) on the demo's file against its register,
    # then by hand: each code's shares on each date sum to exactly 1 (Decimal, no float).
    path = _named(city, "organisationsmappning.csv")
    register = frozenset(r["Kod"] for r in _rows(_named(city, "organisation.csv")))
    batch = MAPPING.parse(path.read_bytes(), path.name, {})
    assert [
        f.summary()
        for o in MAPPING.check(batch, Reference(namnd_codes=register))
        for f in o.failures
    ] == []
    sums: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in _rows(path):
        sums[row["Från kod"], row["Giltig från"]] += Decimal(row["Andel"].replace(",", "."))
    # The 2019 departments and, with the renaming (the single year's own 1 January), the
    # outdoor areas 131 -> 131 + 133.
    assert sums == {
        ("1022", "2019-01-01"): 1,
        ("1023", "2019-01-01"): 1,
        ("131", "2022-01-01"): 1,
    }


def test_the_unit_register_passes_its_source_names_every_booked_unit_and_moves_one(
    city: DemoCity,
) -> None:
    # The source's own suites on the demo's file against its register, then: every unit
    # the ledgers book is named, and only Kontaktcenter (14230) has two rows, 142 up to
    # the last year's end and 101 from the day after.
    path = _named(city, "ansvar.csv")
    register = frozenset(r["Kod"] for r in _rows(_named(city, "organisation.csv")))
    batch = UNITS.parse(path.read_bytes(), path.name, {})
    assert [
        f.summary() for o in UNITS.check(batch, Reference(namnd_codes=register)) for f in o.failures
    ] == []
    rows = _rows(path)
    booked = {row["Ansvar"] for ledger in _ledgers(city) for row in _rows(ledger)}
    assert booked <= {row["Ansvar"] for row in rows}
    moved = [
        (r["Nämnd"], r["Giltig från"], r["Giltig till"]) for r in rows if r["Ansvar"] == "14230"
    ]
    assert moved == [("142", "2010-01-01", "2022-12-31"), ("101", "2023-01-01", "")]
    assert len(rows) == len({r["Ansvar"] for r in rows}) + 1


def test_datum_falls_inside_period(city: DemoCity) -> None:
    for path in _ledgers(city):
        for row in _rows(path):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["Datum"])
            assert row["Datum"][:7].replace("-", "") == row["Period"], (path.name, row)


def test_every_board_and_activity_of_the_ledger_is_registered(city: DemoCity) -> None:
    organisation = _rows(_named(city, "organisation.csv"))
    boards = {r["Kod"] for r in organisation if r["Typ"] != "Avdelning"}
    assert len(boards) == city.boards
    assert {r["Händelse"] for r in organisation} >= {"Skapad", "Namnbyte", "Nedlagd"}
    assert all(r["Datum"] < "2022-01-01" for r in organisation if r["Händelse"] == "Skapad")
    assert all(r["Efterträdare"] for r in organisation if r["Händelse"] == "Nedlagd")
    activities = _rows(_named(city, "verksamheter.csv"))
    pairs = {(r["Nämnd"], r["Verksamhet"]) for r in activities}
    for board in boards:
        own = [r for r in activities if r["Nämnd"] == board]
        assert 8 <= len(own) <= 12, board  # 6-10 activities plus 900 and 910
        assert {"900", "910"} <= {r["Verksamhet"] for r in own}
        children = [r for r in own if r["Överordnad"]]
        assert children, f"{board} has no varav line"
        assert all((board, r["Överordnad"]) in pairs for r in children)
        # Issue 17: RS codes, leaves of SCB's classification, on every activity but
        # Servicenämnden's and the month-end ones; successors inside the board.
        classified = {r["Verksamhet"] for r in own if r["RS-kod"]}
        expected = {r["Verksamhet"] for r in own if r["Verksamhet"] not in ("900", "910")}
        assert classified == (set() if board == "142" else expected), board
        assert {r["RS-kod"] for r in own if r["RS-kod"]} <= set(rs_leaf_codes())
        assert all((board, r["Efterträdare"]) in pairs for r in own if r["Efterträdare"])
    assert [
        (r["Nämnd"], r["Verksamhet"], r["Giltig till"], r["Efterträdare"])
        for r in activities
        if r["Efterträdare"]
    ] == [("141", "230", "2019-12-31", "210")]
    for path in _ledgers(city):
        for row in _rows(path):
            assert row["Nämnd"] in boards
            assert (row["Nämnd"], row["Verksamhet"]) in pairs, (path.name, row)
            assert row["Motpart"] == "" or row["Motpart"] in boards


def test_accounts_units_and_vouchers_are_plausible(city: DemoCity) -> None:
    for path in _ledgers(city):
        vouchers: Counter[tuple[str, str, str]] = Counter()
        for row in _rows(path):
            konto, activity, amount = row["Konto"], row["Verksamhet"], _amount(row["Belopp"])
            assert re.fullmatch(r"[1-8]\d{3}", konto)
            assert (konto[:2] == "79") == (activity == "900"), row
            assert (konto[:2] == "85") == (activity == "910"), row
            if konto[0] == "3" or konto[:2] == "84":
                assert amount < 0, row  # revenues are credits
            if konto[0] == "1":
                assert amount > 0 and row["Projekt"], row  # investments: debits on a project
            assert re.fullmatch(row["Nämnd"] + r"\d{2}", row["Ansvar"]), row
            assert row["Motpart"] != row["Nämnd"], row
            vouchers[(row["Nämnd"], row["Period"], row["Verifikation"])] += 1
        assert max(vouchers.values()) == 1, path.name


def test_internal_trade_reconciles_per_month_and_pair_of_boards(city: DemoCity) -> None:
    # What rpt_internal_trade pairs, on the files: per (period, seller, buyer) the
    # seller's internal revenue (class 3, group 84, Motpart = buyer) equals the buyer's
    # internal cost (classes 4-7, group 85, Motpart = seller), to the öre. The first
    # deliveries only: the correction re-exports 142's June with its pairs unchanged.
    sold: defaultdict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    bought: defaultdict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    accounts: Counter[tuple[str, str]] = Counter()
    for path in _ledgers(city):
        if "kopia" in path.name or "rattelse" in path.name:
            continue
        for row in _rows(path):
            if not row["Motpart"]:
                continue
            konto, amount = row["Konto"], _amount(row["Belopp"])
            if konto[0] == "3" or konto[:2] == "84":
                sold[(row["Period"], row["Nämnd"], row["Motpart"])] -= amount
                accounts[("sale", konto)] += 1
            else:
                assert konto[0] in "4567" or konto[:2] == "85", row
                bought[(row["Period"], row["Motpart"], row["Nämnd"])] += amount
                accounts[("purchase", konto)] += 1
    assert len(sold) > 100 and sold == bought
    # Sales on 3110 (Intern försäljning); purchases on the three purchase accounts.
    assert {k for _, k in accounts} == {"3110", "4010", "6510", "7010"}
    corrected = _rows(_named(city, "huvudbok_202206_142_rattelse.csv"))
    original = [r for r in _rows(_named(city, "huvudbok_202206.csv")) if r["Nämnd"] == "142"]
    internal = {r["Verifikation"]: r["Belopp"] for r in original if r["Motpart"]}
    assert (
        internal
        and internal.items()
        <= {r["Verifikation"]: r["Belopp"] for r in corrected if r["Motpart"]}.items()
    )


def test_the_duplicate_has_the_same_bytes(city: DemoCity) -> None:
    copy = _named(city, "huvudbok_202203_kopia.csv")
    assert copy.read_bytes() == _named(city, "huvudbok_202203.csv").read_bytes()


def test_the_correction_re_exports_the_whole_board_month(city: DemoCity) -> None:
    corrected = _rows(_named(city, "huvudbok_202206_142_rattelse.csv"))
    original = [r for r in _rows(_named(city, "huvudbok_202206.csv")) if r["Nämnd"] == "142"]
    assert {(r["Nämnd"], r["Period"]) for r in corrected} == {("142", "202206")}
    assert len(corrected) == len(original) + 1
    before = {r["Verifikation"]: _amount(r["Belopp"]) for r in original}
    after = {r["Verifikation"]: _amount(r["Belopp"]) for r in corrected}
    assert set(before) < set(after)  # one voucher added, none lost
    changed = [v for v in before if before[v] != after[v]]
    assert len(changed) == 1


def test_the_bad_file_holds_one_personnummer_and_no_good_file_any(city: DemoCity) -> None:
    hits: dict[str, list[str]] = {}
    for path in city.files:  # ledgers, registers and control files alike
        cells = [cell for row in _rows(path) for cell in row.values()]
        hits[path.name] = [c for c in cells if PERSONNUMMER.search(c)]
    assert len(hits.pop(BAD)) == 1
    assert all(not found for found in hits.values()), {k: v for k, v in hits.items() if v}


def test_the_bad_file_is_otherwise_the_boards_valid_month(city: DemoCity) -> None:
    bad = _rows(_named(city, BAD))
    original = [r for r in _rows(_named(city, "huvudbok_202210.csv")) if r["Nämnd"] == "140"]
    assert len(bad) == len(original)
    differences = [(b, o) for b, o in zip(bad, original, strict=True) if b != o]
    assert len(differences) == 1
    changed, was = differences[0]
    assert {**changed, "Text": ""} == {**was, "Text": ""}  # only the text differs
    assert PERSONNUMMER.search(changed["Text"])


@pytest.mark.parametrize(
    "arguments", [{"years": ()}, {"rows_per_board_month": 5}], ids=["no years", "too few rows"]
)
def test_impossible_arguments_are_refused(tmp_path: Path, arguments: dict) -> None:
    with pytest.raises(ValueError):
        write_demo_city(tmp_path, **arguments)


def test_the_default_city(tmp_path: Path) -> None:
    """What `tertial demo` writes: three years of ~400 rows per board and month.

    Whole-file regex search equals a search per cell here: the pattern is only digits and
    `-`/`+` between digit look-arounds, so it can never span a `;` or a line end.
    """
    city = write_demo_city(tmp_path)
    assert city.boards == 28
    # Registers, the mapping and the units, ledger months, accidents, controls; per year 3
    # budget decisions, 3 forecasts, 12 + 12 HR months, a survey, 3 indicator reports, 3
    # comment files, 3 balance sheets and a result-fund file; one correction.
    assert len(city.files) == 4 + 36 + 3 + 9 + 3 * (3 + 3 + 24 + 1 + 3 + 3 + 3 + 1) + 1
    assert _ledger_digest(city) == DEFAULT_LEDGER_DIGEST
    net: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    rows = 0
    for path in _ledgers(city):
        text = _decode(path.read_bytes())
        found = PERSONNUMMER.findall(text)
        assert len(found) == (1 if path.name == "huvudbok_202410_140_rattelse.csv" else 0)
        if "kopia" in path.name or "rattelse" in path.name:
            rows += text.count("\n") - 1
            continue
        for row in csv.DictReader(io.StringIO(text), delimiter=";"):
            rows += 1
            if row["Konto"][0] != "1":  # investments are not operating cost
                net[(row["Nämnd"], row["Period"][:4])] += _amount(row["Belopp"])
    assert city.ledger_rows == rows
    assert 380 * 28 * 36 < rows < 420 * 28 * 36  # ~400 per board and month on average
    # A board's yearly net cost: tens to hundreds of Mkr (Fastighetsnämnden lives off rents).
    assert all(Decimal("1e6") < value < Decimal("1e9") for value in net.values()), net


# --- the other sources ------------------------------------------------------------------


def _named_like(city: DemoCity, prefix: str) -> list[Path]:
    return [p for p in city.files if p.name.startswith(prefix)]


def test_ledgers_and_registers_are_unchanged_by_the_other_exports(city: DemoCity) -> None:
    assert _ledger_digest(city) == SMALL_LEDGER_DIGEST


def test_budget_is_an_original_decision_and_two_adjustments(city: DemoCity) -> None:
    activities = {(r["Nämnd"], r["Verksamhet"]) for r in _rows(_named(city, "verksamheter.csv"))}
    typ = {}
    for number in (1, 2, 3):
        rows = _rows(_named(city, f"budget_2022_{number}.csv"))
        # One decision per file: one Beslut, Typ and date, decided in the year or the one before.
        [(beslut, date, kind)] = {(r["Beslut"], r["Beslutsdatum"], r["Typ"]) for r in rows}
        assert date in beslut and date[:4] in ("2021", "2022")
        assert {r["År"] for r in rows} == {"2022"}
        assert all((r["Nämnd"], r["Verksamhet"]) in activities for r in rows)
        assert all(BELOPP.fullmatch(r["Belopp"]) for r in rows)
        keys = [(r["Nämnd"], r["Verksamhet"], r["Slag"]) for r in rows]
        assert len(keys) == len(set(keys))
        typ[number] = (kind, rows)
    kind, original = typ[1]
    assert kind == "Ursprunglig"
    assert {r["Slag"] for r in original} == {"Kostnader", "Intäkter", "Investering"}
    boards = {r["Kod"] for r in _rows(_named(city, "organisation.csv")) if r["Typ"] != "Avdelning"}
    assert {r["Nämnd"] for r in original} == boards
    assert all(_amount(r["Belopp"]) >= 0 for r in original)
    assert any("\u00a0" in r["Belopp"] for r in original)  # grouped like the budget system's
    kind, moved = typ[2]
    assert kind == "Ombudgetering"
    per_board: defaultdict[str, Decimal] = defaultdict(Decimal)
    for r in moved:
        per_board[r["Nämnd"]] += _amount(r["Belopp"])
    assert len(per_board) >= 5 and set(per_board.values()) == {Decimal(0)}  # moves, not adds
    kind, added = typ[3]
    assert kind == "Tilläggsbudget"
    assert added and all(_amount(r["Belopp"]) > 0 for r in added)


def test_forecasts_cover_the_budget_and_one_is_corrected(city: DemoCity) -> None:
    budget = {
        (r["Nämnd"], r["Verksamhet"], r["Slag"])
        for n in (1, 2, 3)
        for r in _rows(_named(city, f"budget_2022_{n}.csv"))
    }
    occasions = {}
    for occasion in ("T1", "T2", "M10"):
        rows = _rows(_named(city, f"prognos_2022_{occasion}.csv"))
        assert {(r["År"], r["Prognostillfälle"]) for r in rows} == {("2022", occasion)}
        assert {(r["Nämnd"], r["Verksamhet"], r["Slag"]) for r in rows} == budget
        assert all(_amount(r["Prognos"]) >= 0 for r in rows)
        occasions[occasion] = rows
    original = [r for r in occasions["T2"] if r["Nämnd"] == "142"]
    corrected = _rows(_named(city, FORECAST_CORRECTION))
    assert {r["Nämnd"] for r in corrected} == {"142"}
    assert [(r["Verksamhet"], r["Slag"]) for r in corrected] == [
        (r["Verksamhet"], r["Slag"]) for r in original
    ]
    changed = [(a, b) for a, b in zip(original, corrected, strict=True) if a != b]
    assert len(changed) == 2
    total = sum(_amount(r["Prognos"]) for r in corrected) - sum(
        _amount(r["Prognos"]) for r in original
    )
    assert total == Decimal(500_000)


def test_payroll_counts_are_aggregates_that_fit_together(city: DemoCity) -> None:
    files = _named_like(city, "lon_")
    assert len(files) == 12
    for path in files:
        rows = _rows(path)
        assert len(rows) == city.boards * 3 * 2  # employment type × gender
        assert {r["Period"] for r in rows} == {path.stem.split("_")[1]}
        for r in rows:
            headcount, fte = int(r["Anställda"]), _amount(r["Årsarbetare"])
            assert re.fullmatch(r"\d+,\d", r["Årsarbetare"]), r
            if r["Anställningsform"] != "Timavlönad":
                assert fte <= headcount, r
            assert int(r["Utbetalda löner"]) >= headcount
            assert BELOPP.fullmatch(r["Lönesumma"]) and _amount(r["Lönesumma"]) >= 0


def test_sick_leave_hours_fit_and_some_groups_are_small(city: DemoCity) -> None:
    files = _named_like(city, "sjukfranvaro_")
    assert len(files) == 12
    for path in files:
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # the HR system writes Windows-1252
        rows = _rows(path)
        assert len(rows) == city.boards * 2 * 3  # gender × age group
        persons = [int(r["Anställda"]) for r in rows]
        # Groups under 10 persons exist (their figures must be suppressed), and most do not.
        assert 0 < sum(p < 10 for p in persons) < len(persons) // 4, path.name
        for r in rows:
            scheduled, sick = _amount(r["Ordinarie arbetstid"]), _amount(r["Sjukfrånvaro"])
            assert sick <= scheduled
            assert _amount(r["Varav dag 1-14"]) <= sick
            assert _amount(r["Varav 60 dagar eller mer"]) <= sick
        share = sum(_amount(r["Sjukfrånvaro"]) for r in rows) / sum(
            _amount(r["Ordinarie arbetstid"]) for r in rows
        )
        assert Decimal("0.02") < share < Decimal("0.10"), path.name


def test_survey_has_the_index_and_its_parts_per_board(city: DemoCity) -> None:
    rows = _rows(_named(city, "medarbetarenkat_2022.csv"))
    assert len(rows) == city.boards * 4
    assert all(0 <= int(r["Värde"]) <= 100 for r in rows)
    main = [r for r in rows if r["Index"] == "Aktivt Medskapandeindex"]
    assert len(main) == city.boards and all(r["Svarsfrekvens"] for r in main)
    assert all(not r["Svarsfrekvens"] for r in rows if r not in main)


def test_exactly_one_indicator_value_cannot_be_parsed(city: DemoCity) -> None:
    unparsed = []
    for report in REPORTS:
        path = _named(city, f"indikatorer_2022_{report}.csv")
        assert path.read_bytes().startswith(BOM)
        rows = _rows(path)
        assert {(r["År"], r["Rapport"]) for r in rows} == {("2022", report)}
        assert len(rows) == city.boards * 7
        for r in rows:
            for column in ("Periodens utfall", "Prognos helår", "Årsmål", "KF:s årsmål"):
                if parse_value(r[column] or None).kind == "unparsed":
                    unparsed.append((report, r["Nämnd"], column, r[column]))
            assert parse_period(r["Period"]).kind in ("report", "year")
            assert r["Bedömning"] in ("", "Uppfylls helt", "Uppfylls delvis", "Uppfylls ej")
        kinds = {parse_value(r[c] or None).kind for r in rows for c in ("Årsmål", "KF:s årsmål")}
        assert {"number", "decrease", "increase", "set_by_board", "tolerance"} <= kinds
    assert unparsed == [("T2", "142", "Periodens utfall", "ca 87 %")]


def test_every_balance_sheet_loads_and_balances_per_board(city: DemoCity) -> None:
    """The tertials' balance sheets pass the balans source's every rule, sum to zero."""
    import polars as pl

    from sources._common.batch import Reference
    from sources.balans import SOURCE

    files = [p for p in city.files if p.name.startswith("balans_")]
    assert [p.name for p in files] == [f"balans_2022{m:02d}.csv" for m in (4, 8, 12)]
    codes = frozenset(str(code) for code in range(100, 200))
    sheets = []
    for path in files:
        batch = SOURCE.parse(path.read_bytes(), path.name, {})
        failures = [
            f.summary()
            for o in SOURCE.check(batch, Reference(namnd_codes=codes))
            for f in o.failures
        ]
        assert failures == [], (path.name, failures)
        sums = batch.rows.group_by("namnd").agg(pl.col("saldo").sum())
        assert sums.height == city.boards and set(sums["saldo"]) == {Decimal("0.00")}
        sheets.append(batch.rows.sort("namnd", "konto")["saldo"])
    # Month to month the accounts move (the change since the year start is never all 0).
    assert sheets[0].to_list() != sheets[1].to_list()

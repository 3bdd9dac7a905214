"""The hardening corpus of issue 12: one file per class of input that broke the warehouse.

Every file is a copy of one of the city's reference exports (`servicenamnden-2011/`, and
`reference/sie/` for SIE) with one thing changed in memory: a cell, a header, the
encoding, the line ends, the file name. What each file must come to is in its `Case`:
its status (`accepted` for an awkward but valid export, `rejected`, `waiting`) and, for
a rejection, a short keyword of the rule its reason must name.

The keywords are in ONE table, `RULES`, so that they can be aligned with the rule texts
of the implementation in one place. `build_corpus(folder)` writes the files and returns
the cases; `cases()` gives the same cases without writing anything (for test ids).
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from tests.conftest import (
    ANSVAR,
    BALANS,
    ORGANISATIONSMAPPNING,
    RESULTATFOND,
    SERVICENAMNDEN,
    SHARED,
)

SIE_REFERENCE = SHARED / "reference" / "sie"

Status = Literal["accepted", "rejected", "waiting"]

# The rule a rejection (or waiting) reason must name, as a short case-insensitive
# keyword. ONE table: reconcile with the implementers' final rule texts here.
RULES: dict[str, str] = {
    "calendar_date": "calendar date",  # 2011-09-31, 2011-20-09, Giltig från 2010-02-30
    "sie_date": "date yyyymmdd",  # SIE #VER 20110931: SIE's own date rule names it
    "amount": "at most ±",  # beyond DECIMAL(18,2) or beyond the per-line cap (10^12)
    "required_columns": "required columns",  # no Nämnd / no Verksamhet header
    "utf16": "unicode text",  # Excel's "Unicode text": UTF-16, tab-separated
    "separator": "separator",  # a comma-separated file
    "excel": "excel",  # an XLSX workbook renamed .csv
    "binary": "cannot be read",  # random bytes: whichever reading rule trips first
    "empty": "empty",  # 0 bytes
    "no_rows": "data row",  # a header and nothing else
    "nul": "nul",  # a NUL byte in a cell
    "control_character": "control character",  # ESC, BEL, BS in a cell
    "field_length": "length",  # a 10-million-character cell
    "mixed_encoding": "encoding",  # UTF-8 and Windows-1252 lines in one file
    "duplicate_header": "twice",  # `Belopp` twice in the header
    "ragged": "ragged",  # a line with more or fewer cells than the header
    "valid_at_period": "exists in the period",  # a board dissolved in 2007 booking in 2011
    "register_in_use": "has bookings",  # verksamheter re-delivered without a booked code
    "ksumma": "ksumma",  # SIE #KSUMMA does not match
    "personnummer": "personnummer",
    "control_file": "control",  # .ctl totals or keys do not match the file
    "orphan_control": "without its data file",  # a .ctl alone (waiting)
    "duplicate_key": "one row per",  # the same key twice in one file
    "unknown_name": "no source",  # a file name that matches no export
    "file_month": "month in the file name",  # huvudbok_201105.csv holding April's lines
    "name_length": "too long",  # a 251-character file name
    "section": "section of the report",  # a comment in a section a report has not
    "fund_decision": "kind of decision on the fund",  # neither disposition nor överföring
    "balance_sheet": "balance sheet of a board and period sums to zero",  # balans off by 0,01
    "balance_account": "class 1 or 2",  # a result account (3010) in a balance export
    "trial_balance": "trial balance holds",  # SIE: Σ#UB − Σ#IB + Σ#RES is not 0
    "mapping_shares": "sum to exactly 1",  # 1012's shares 0,5 + 0,4 on 2007-01-01
    "unit_overlap": "do not overlap",  # ansvar: two open rows of 14201
    "validity_reversed": "on or after Giltig från",  # a register row ends before it starts
}

# Every form of issue 12, as the value a file holds (the corpus's own test values).
PERSONNUMMER: dict[str, str] = {
    "12 digits with hyphen": "19121212-1212",
    "10 digits": "1212121212",
    "10 digits with space": "121212 1212",
    "12 digits with space": "19121212 1212",
    "en dash": "121212\u20131212",
    "samordningsnummer (day + 60)": "121272-1212",
    "samordningsnummer, 12 digits": "198501621234",
}
SOLE_TRADER_ORGNR = "5502261513"  # `#ORGNR` of a sole trader: his personnummer, no dash
# Every unmasked value of the corpus: none may be printed, stored or published.
UNMASKED: tuple[str, ...] = (*PERSONNUMMER.values(), SOLE_TRADER_ORGNR, "550226-1513")

# A long file name: NAME_MAX is 255 bytes, so 251 characters can be written; the
# quarantine folder `<name>.<sha12>` could not.
LONG_NAME = "huvudbok_201106_" + "x" * 231 + ".csv"
assert len(LONG_NAME) == 251


@dataclass(frozen=True)
class Case:
    """One corpus file and what it must come to through `tertial ingest`."""

    name: str  # the file given to `tertial ingest` (a `.ctl` only for the orphan case)
    klass: str  # the class of input (issue 12's words)
    source: str | None  # the source its name belongs to (registry), None: no source
    status: Status
    rule: str = ""  # keyword from RULES the reason must contain; "" when accepted
    rows: int | None = None  # rows an accepted file adds to the event log
    personnummer: tuple[str, ...] = ()  # unmasked values the file holds (name included)
    companions: tuple[str, ...] = ()  # control files written beside it
    note: str = ""  # for the reconciliation: what is uncertain about this case


@dataclass(frozen=True)
class _Spec:
    case: Case
    files: Callable[[], dict[str, bytes]]  # file name -> bytes, made only when written


# --- the reference exports as tables -------------------------------------------------

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class Table:
    """A `;`-separated reference export as lists of cells, to change and write back."""

    header: list[str]
    rows: list[list[str]]
    encoding: str  # "utf-8" or "cp1252"
    bom: bool
    newline: str

    def copy(self) -> Table:
        return Table(
            list(self.header), [list(r) for r in self.rows], self.encoding, self.bom, self.newline
        )

    def index(self, header: str) -> int:
        return self.header.index(header)

    def set(self, row: int, header: str, value: str) -> Table:
        self.rows[row][self.index(header)] = value
        return self

    def set_all(self, header: str, value: str) -> Table:
        for row in range(len(self.rows)):
            self.set(row, header, value)
        return self

    def drop(self, header: str) -> Table:
        i = self.index(header)
        del self.header[i]
        for row in self.rows:
            del row[i]
        return self

    def add_column(self, header: str, values: dict[int, str] | None = None) -> Table:
        self.header.append(header)
        for number, row in enumerate(self.rows):
            row.append((values or {}).get(number, ""))
        return self

    def lines(self, sep: str = ";", trailing_sep: bool = False) -> list[str]:
        end = sep if trailing_sep else ""
        return [sep.join(cells) + end for cells in [self.header, *self.rows]]

    def render(
        self,
        *,
        sep: str = ";",
        newline: str | None = None,
        encoding: str | None = None,
        bom: bool | None = None,
        trailing_sep: bool = False,
        tail: str = "",
    ) -> bytes:
        newline = self.newline if newline is None else newline
        text = newline.join(self.lines(sep, trailing_sep)) + newline + tail
        bom = self.bom if bom is None else bom
        return (UTF8_BOM if bom else b"") + text.encode(encoding or self.encoding)


def table(name: str) -> Table:
    """A reference export of Servicenämnden, read as delivered."""
    data = (SERVICENAMNDEN / name).read_bytes()
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    try:
        text, encoding = body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = body.decode("cp1252"), "cp1252"
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    if lines[-1] == "":
        lines.pop()
    header, *rows = (line.split(";") for line in lines)
    return Table(header, rows, encoding, bom, newline)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def _kronor(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def control_file(ledger: Table, keys: list[tuple[str, str]] | None = None) -> bytes:
    """`Nämnd;Period;Rader;Summa` of `ledger`, per key (default: the keys it holds)."""
    totals: dict[tuple[str, str], tuple[int, Decimal]] = {}
    n, p, b = ledger.index("Nämnd"), ledger.index("Period"), ledger.index("Belopp")
    for row in ledger.rows:
        count, total = totals.get((row[n], row[p]), (0, Decimal(0)))
        totals[(row[n], row[p])] = (count + 1, total + _amount(row[b]))
    lines = ["Nämnd;Period;Rader;Summa"]
    for key in keys if keys is not None else sorted(totals):
        count, total = totals.get(key, (0, Decimal(0)))
        lines.append(f"{key[0]};{key[1]};{count};{_kronor(total)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- SIE -------------------------------------------------------------------------------

# BLBLOV_SIE4.SI (a cash register's vouchers: 2 vouchers, 6 #TRANS lines), moved to 2011
# and given Stockholm's organisation number: its own `#ORGNR 550226-1513` is a sole
# trader's personnummer (that case is below, without the dash).
SIE_ROWS = 6


def sie_text() -> str:
    text = (SIE_REFERENCE / "BLBLOV_SIE4.SI").read_bytes().decode("cp437")
    assert "#ORGNR 550226-1513" in text
    return text.replace("#ORGNR 550226-1513", "#ORGNR 212000-0142").replace("2018", "2011")


def sie(text: str) -> bytes:
    return text.encode("cp437")


def _sie_replace(old: str, new: str) -> bytes:
    text = sie_text()
    assert old in text, old
    return sie(text.replace(old, new, 1))


# --- other bytes -------------------------------------------------------------------------


def xlsx(ledger: Table) -> bytes:
    """A real (minimal) XLSX workbook of the first rows: what Excel saves as .xlsx."""

    def cell(value: str) -> str:
        escaped = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c t="inlineStr"><is><t>{escaped}</t></is></c>'

    rows = "".join(
        f'<row r="{i}">{"".join(cell(v) for v in cells)}</row>'
        for i, cells in enumerate([ledger.header, *ledger.rows[:20]], start=1)
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships"><sheets><sheet name="huvudbok" sheetId="1"'
            ' r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData>'
            "</worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2011, 9, 1, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def mixed_lines(base: Table, row: int, other: str) -> bytes:
    """`base` in its own encoding, except line `row` (a data row) in encoding `other`."""
    lines = base.lines()
    encoded = [
        line.encode(other if number == row + 1 else base.encoding)
        for number, line in enumerate(lines)
    ]
    nl = base.newline.encode()
    return (UTF8_BOM if base.bom else b"") + nl.join(encoded) + nl


def comma_separated(base: Table) -> bytes:
    """What Excel writes as "CSV (comma delimited)": cells with a comma quoted."""

    def quoted(cell: str) -> str:
        return f'"{cell}"' if "," in cell else cell

    lines = [",".join(quoted(c) for c in cells) for cells in [base.header, *base.rows]]
    return ("\r\n".join(lines) + "\r\n").encode(base.encoding)


# --- the corpus --------------------------------------------------------------------------


def _specs() -> list[_Spec]:
    specs: list[_Spec] = []

    def add(
        name: str,
        klass: str,
        source: str | None,
        status: Status,
        files: Callable[[], dict[str, bytes]] | Callable[[], bytes],
        *,
        rule: str | None = None,
        rows: int | None = None,
        personnummer: tuple[str, ...] = (),
        companions: tuple[str, ...] = (),
        note: str = "",
    ) -> None:
        def written() -> dict[str, bytes]:
            made = files()
            made = made if isinstance(made, dict) else {name: made}
            assert set(made) == {name, *companions}, (name, set(made))
            return made

        specs.append(
            _Spec(
                Case(
                    name=name,
                    klass=klass,
                    source=source,
                    status=status,
                    rule=RULES[rule] if rule else "",
                    rows=rows,
                    personnummer=personnummer,
                    companions=companions,
                    note=note,
                ),
                written,
            )
        )

    def ref(name: str) -> Callable[[], Table]:
        return lambda: table(name)

    aug = ref("huvudbok_201108.csv")
    lon = ref("lon_201108.csv")
    sjuk = ref("sjukfranvaro_201108.csv")
    budget = ref("budget_2011_1.csv")
    prognos = ref("prognos_2011_T2.csv")
    indikatorer = ref("indikatorer_2011_T2.csv")
    verks = ref("verksamheter.csv")
    # The comments are kept beside the reference folder (loaded after it).
    kommentarer_ref = "../kommentarer/kommentarer_2011_T2.csv"
    kommentarer = ref(kommentarer_ref)
    # The fund decisions are kept with the tests (an absolute path: SERVICENAMNDEN / it).
    resultatfond_ref = str(RESULTATFOND)
    resultatfond = ref(resultatfond_ref)
    # Servicenämnden's balance sheet of August 2011, kept with the tests likewise.
    balans_ref = str(BALANS)
    balans = ref(balans_ref)
    # The shares of the register's 2007 reorganisation, kept with the tests likewise.
    mappning_ref = str(ORGANISATIONSMAPPNING)
    mappning = ref(mappning_ref)
    # Servicenämnden's register of responsibility units, kept with the tests likewise.
    ansvar_ref = str(ANSVAR)
    ansvar = ref(ansvar_ref)

    # Impossible dates: they pass the YYYY-MM-DD shape, not the calendar.
    add(
        "huvudbok_201109_datum.csv",
        "impossible date 2011-09-31",
        "huvudbok",
        "rejected",
        lambda: aug().set(0, "Period", "201109").set(0, "Datum", "2011-09-31").render(),
        rule="calendar_date",
    )
    add(
        "huvudbok_201108_manad20.csv",
        "impossible date 2011-20-09 (month 20)",
        "huvudbok",
        "rejected",
        lambda: aug().set(5, "Datum", "2011-20-09").render(),
        rule="calendar_date",
    )
    add(
        "verksamheter_giltig.csv",
        "impossible date: Giltig från 2010-02-30",
        "verksamheter",
        "rejected",
        lambda: _with_row(verks(), ["142", "260", "Nytt ärende", "", "2010-02-30", ""]).render(),
        rule="calendar_date",
    )
    add(
        "budget_2011_datum.csv",
        "impossible date: Beslutsdatum 2011-09-31",
        "budget",
        "rejected",
        lambda: budget().set_all("Beslutsdatum", "2011-09-31").render(),
        rule="calendar_date",
    )
    add(
        "sie_142_datum.si",
        "impossible date in SIE: #VER 20110931",
        "sie",
        "rejected",
        lambda: _sie_replace('#VER "K" "" 20110502', '#VER "K" "" 20110931'),
        rule="sie_date",
    )

    # Amounts beyond DECIMAL(18,2), beyond the per-line cap, and two lines whose sum
    # overflows the marts.
    add(
        "huvudbok_201108_decimal.csv",
        "amount beyond DECIMAL(18,2)",
        "huvudbok",
        "rejected",
        lambda: aug().set(3, "Belopp", "12 345 678 901 234 567 890,00").render(),
        rule="amount",
    )
    add(
        "huvudbok_201108_tak.csv",
        "amount beyond the per-line cap (2 * 10^12 kronor)",
        "huvudbok",
        "rejected",
        lambda: aug().set(3, "Belopp", "2 000 000 000 000,00").render(),
        rule="amount",
    )
    add(
        "huvudbok_201108_tva_max.csv",
        "two lines of 9 999 999 999 999 999,00 (their sum overflows fct_ledger)",
        "huvudbok",
        "rejected",
        lambda: (
            aug()
            .set(3, "Belopp", "9 999 999 999 999 999,00")
            .set(4, "Belopp", "9 999 999 999 999 999,00")
            .render()
        ),
        rule="amount",
    )
    add(
        "lon_201108_lonesumma.csv",
        "amount beyond DECIMAL(18,2): Lönesumma",
        "lon",
        "rejected",
        lambda: lon().set(0, "Lönesumma", "99999999999999999999,00").render(),
        rule="amount",
    )
    add(
        "budget_2011_belopp.csv",
        "amount beyond the per-line cap: budget Belopp",
        "budget",
        "rejected",
        lambda: budget().set(0, "Belopp", "5\u00a0000\u00a0000\u00a0000\u00a0000,00").render(),
        rule="amount",
    )
    add(
        "prognos_2011_T2_belopp.csv",
        "amount beyond DECIMAL(18,2): Prognos",
        "prognos",
        "rejected",
        lambda: prognos().set(0, "Prognos", "99 999 999 999 999 999 999,00").render(),
        rule="amount",
    )
    add(
        "sie_142_belopp.si",
        "amount beyond DECIMAL(18,2) in SIE #TRANS",
        "sie",
        "rejected",
        lambda: _sie_replace(
            "\t#TRANS 1930 {} 100.00\n\t#TRANS 2610 {} -20.00\n\t#TRANS 3010 {} -80.00",
            "\t#TRANS 1930 {} 99999999999999999999.00\n\t#TRANS 3010 {} -99999999999999999999.00",
        ),
        rule="amount",
    )

    # Missing Nämnd / Verksamhet headers (the column is not there at all).
    for name, base, column in [
        ("huvudbok_201108_utan_namnd.csv", aug, "Nämnd"),
        ("lon_201108_utan_namnd.csv", lon, "Nämnd"),
        ("huvudbok_201108_utan_verksamhet.csv", aug, "Verksamhet"),
        ("budget_2011_utan_verksamhet.csv", budget, "Verksamhet"),
    ]:
        add(
            name,
            f"missing {column} header",
            name.split("_")[0],
            "rejected",
            lambda base=base, column=column: base().drop(column).render(),
            rule="required_columns",
        )

    # Awkward but valid: accepted with every row.
    def valid(name: str, klass: str, reference: str, **render: object) -> None:
        add(
            name,
            klass,
            name.split("_")[0],
            "accepted",
            lambda: table(reference).render(**render),  # type: ignore[arg-type]
            rows=len(table(reference).rows),
        )

    valid(
        "sjukfranvaro_201107_semikolon.csv",
        "trailing ; on every line",
        "sjukfranvaro_201107.csv",
        trailing_sep=True,
    )
    valid(
        "budget_2011_2_semikolon.csv",
        "trailing ; on every line",
        "budget_2011_2.csv",
        trailing_sep=True,
    )
    valid("lon_201107_cr.csv", "CR-only line ends", "lon_201107.csv", newline="\r")
    valid("prognos_2011_T1_cr.csv", "CR-only line ends", "prognos_2011_T1.csv", newline="\r")
    valid(
        "sjukfranvaro_201106_crlf.csv", "CRLF line ends", "sjukfranvaro_201106.csv", newline="\r\n"
    )
    valid(
        "medarbetarenkat_2009_crlf.csv",
        "CRLF line ends",
        "medarbetarenkat_2009.csv",
        newline="\r\n",
    )
    valid(
        "indikatorer_2011_T2_crlf.csv",
        "CRLF line ends (UTF-8 with BOM)",
        "indikatorer_2011_T2.csv",
        newline="\r\n",
    )
    valid(
        "kommentarer_2011_T2_142_crlf.csv",
        "CRLF line ends (UTF-8 with BOM), the board in the name",
        kommentarer_ref,
        newline="\r\n",
    )
    add(
        "kommentarer_2011_T2_avsnitt.csv",
        "a comment in a section the report has not (budget)",
        "kommentarer",
        "rejected",
        lambda: kommentarer().set(1, "Avsnitt", "budget").render(),
        rule="section",
    )
    add(
        "kommentarer_2011_T2_pn.csv",
        "personnummer in a comment's text",
        "kommentarer",
        "rejected",
        lambda: kommentarer().set(3, "Text", "Samtal med 19121212-1212 om rehab.").render(),
        rule="personnummer",
        personnummer=("19121212-1212",),
    )
    valid(
        "balans_201108_crlf.csv",
        "CRLF line ends (UTF-8 with BOM)",
        balans_ref,
        newline="\r\n",
        bom=True,
    )
    add(
        "balans_201108_obalans.csv",
        "a balance sheet off by 0,01 (1220 5 526 868,28 instead of ,27)",
        "balans",
        "rejected",
        lambda: balans().set(0, "Saldo", "5 526 868,28").render(),
        rule="balance_sheet",
    )
    add(
        "balans_201108_resultatkonto.csv",
        "a result account (3010) in a balance export",
        "balans",
        "rejected",
        lambda: balans().set(0, "Konto", "3010").render(),
        rule="balance_account",
    )
    add(
        "balans_201108_dubblett.csv",
        "one account twice in a file",
        "balans",
        "rejected",
        lambda: balans().set(1, "Konto", "1220").render(),
        rule="duplicate_key",
    )
    valid(
        "ansvar_crlf.csv", "CRLF line ends (UTF-8 with BOM)", ansvar_ref, newline="\r\n", bom=True
    )
    add(
        "ansvar_overlap.csv",
        "two open validities of one unit (14201 from 2010-01-01 and from 2010-06-01)",
        "ansvar",
        "rejected",
        lambda: ansvar().set(1, "Ansvar", "14201").set(1, "Giltig från", "2010-06-01").render(),
        rule="unit_overlap",
    )
    add(
        "ansvar_baklanges.csv",
        "a unit that ends before it starts (Giltig från 2010-01-01, Giltig till 2009-12-31)",
        "ansvar",
        "rejected",
        lambda: ansvar().set(1, "Giltig till", "2009-12-31").render(),
        rule="validity_reversed",
    )
    add(
        "verksamheter_baklanges.csv",
        "an activity that ends before it starts (Giltig från 2022-01-01, till 2020-12-31)",
        "verksamheter",
        "rejected",
        lambda: _with_row(
            verks(), ["142", "260", "Nytt ärende", "", "2022-01-01", "2020-12-31"]
        ).render(),
        rule="validity_reversed",
    )
    add(
        "ansvar_dubblett.csv",
        "one (Ansvar, Giltig från) twice in a file",
        "ansvar",
        "rejected",
        lambda: ansvar().set(1, "Ansvar", "14201").render(),
        rule="duplicate_key",
    )
    valid(
        "organisationsmappning_crlf.csv",
        "CRLF line ends (UTF-8 with BOM)",
        mappning_ref,
        newline="\r\n",
        bom=True,
    )
    add(
        "organisationsmappning_andelar.csv",
        "shares of one code and date that sum to 0,9 (1012: 0,5 + 0,4)",
        "organisationsmappning",
        "rejected",
        lambda: mappning().set(1, "Andel", "0,5").render(),
        rule="mapping_shares",
    )
    add(
        "organisationsmappning_dubblett.csv",
        "one (Från kod, Till kod, Giltig från) twice in a file",
        "organisationsmappning",
        "rejected",
        lambda: mappning().set(2, "Till kod", "1022").render(),
        rule="duplicate_key",
    )
    valid(
        "resultatfond_2011_crlf.csv",
        "CRLF line ends (UTF-8 with BOM)",
        resultatfond_ref,
        newline="\r\n",
        bom=True,
    )
    add(
        "resultatfond_2011_beslut.csv",
        "a fund decision of no kind the follow-up counts (uttag)",
        "resultatfond",
        "rejected",
        lambda: resultatfond().set(0, "Beslut", "uttag").render(),
        rule="fund_decision",
    )
    add(
        "resultatfond_2011_dubblett.csv",
        "one Beslut-id twice in a file",
        "resultatfond",
        "rejected",
        lambda: resultatfond().set(1, "Beslut-id", "SN-2011-RF-1").render(),
        rule="duplicate_key",
    )
    valid("lon_201106_bom.csv", "UTF-8 with BOM", "lon_201106.csv", bom=True)
    valid("medarbetarenkat_2010_bom.csv", "UTF-8 with BOM", "medarbetarenkat_2010.csv", bom=True)
    valid(
        "huvudbok_201107_tomrad.csv",
        "trailing blank line (Windows-1252, CRLF)",
        "huvudbok_201107.csv",
        tail="\r\n",
    )
    valid("lon_201105_tomrad.csv", "trailing blank line", "lon_201105.csv", tail="\n")
    valid(
        "organisation_crlf.csv",
        "register re-delivered unchanged, CRLF line ends",
        "organisation.csv",
        newline="\r\n",
    )
    add(
        "sie_142_kassa.si",
        "a valid SIE file (the reference vouchers in 2011)",
        "sie",
        "accepted",
        lambda: sie(sie_text()),
        rows=SIE_ROWS,
    )

    # A matching .ctl: valid.
    feb = ref("huvudbok_201102.csv")
    add(
        "huvudbok_201102_kontroll.csv",
        "matching .ctl control file",
        "huvudbok",
        "accepted",
        lambda: {
            "huvudbok_201102_kontroll.csv": feb().render(),
            "huvudbok_201102_kontroll.ctl": control_file(feb()),
        },
        rows=len(feb().rows),
        companions=("huvudbok_201102_kontroll.ctl",),
    )

    # Encodings and formats that are not a `;`-separated text export.
    add(
        "huvudbok_201108_unicode.csv",
        "UTF-16 LE with BOM, tab-separated (Excel's Unicode text)",
        "huvudbok",
        "rejected",
        lambda: b"\xff\xfe" + "\r\n".join(aug().lines(sep="\t")).encode("utf-16-le") + b"\r\0\n\0",
        rule="utf16",
    )
    add(
        "lon_201108_komma.csv",
        "comma-separated file",
        "lon",
        "rejected",
        lambda: comma_separated(lon()),
        rule="separator",
    )
    add(
        "huvudbok_201108_excel.csv",
        "XLSX workbook renamed .csv",
        "huvudbok",
        "rejected",
        lambda: xlsx(aug()),
        rule="excel",
    )
    add(
        "budget_2011_binar.csv",
        "random binary",
        "budget",
        "rejected",
        lambda: random.Random(12).randbytes(4096),
        rule="binary",
    )
    add("lon_201108_tom.csv", "empty file (0 bytes)", "lon", "rejected", lambda: b"", rule="empty")
    add(
        "huvudbok_201108_rubrik.csv",
        "header only",
        "huvudbok",
        "rejected",
        lambda: _header_only(aug()),
        rule="no_rows",
    )
    add(
        "huvudbok_201108_nul.csv",
        "NUL byte in a cell",
        "huvudbok",
        "rejected",
        lambda: aug().set(2, "Text", "Telefoni\x00").render(),
        rule="nul",
    )
    add(
        "lon_201108_nul.csv",
        "NUL byte in a cell",
        "lon",
        "rejected",
        lambda: lon().set(1, "Kön", "M\x00").render(),
        rule="nul",
    )
    add(
        "huvudbok_201108_styrtecken.csv",
        "control characters in a cell (ESC, BEL)",
        "huvudbok",
        "rejected",
        lambda: aug().set(2, "Text", "\x1b[31mTelefoni\x07").render(),
        rule="control_character",
    )
    add(
        "indikatorer_2011_T2_styrtecken.csv",
        "control character in a cell (backspace)",
        "indikatorer",
        "rejected",
        lambda: indikatorer().set(1, "Indikator", "Andel\x08\x08 praktikplatser").render(),
        rule="control_character",
    )
    add(
        "huvudbok_201108_lang_cell.csv",
        "a 10-million-character cell",
        "huvudbok",
        "rejected",
        lambda: aug().set(2, "Text", "A" * 10_000_000).render(),
        rule="field_length",
    )
    add(
        "huvudbok_201108_blandad.csv",
        "mixed encodings: a UTF-8 line inside a Windows-1252 file",
        "huvudbok",
        "rejected",
        lambda: mixed_lines(aug().set(7, "Text", "Försäljning ärende"), 7, "utf-8"),
        rule="mixed_encoding",
    )
    add(
        "lon_201108_blandad.csv",
        "mixed encodings: a Windows-1252 line inside a UTF-8 file",
        "lon",
        "rejected",
        lambda: mixed_lines(lon(), _row_with(lon(), "Anställningsform", "Timavlönad"), "cp1252"),
        rule="mixed_encoding",
    )
    add(
        "huvudbok_201108_dubbel_belopp.csv",
        "duplicated header column: Belopp twice",
        "huvudbok",
        "rejected",
        lambda: aug().add_column("Belopp", dict.fromkeys(range(415), "0,00")).render(),
        rule="duplicate_header",
    )
    add(
        "lon_201108_dubbel_kolumn.csv",
        "duplicated header column: Lönesumma twice",
        "lon",
        "rejected",
        lambda: lon().add_column("Lönesumma", dict.fromkeys(range(10), "0,00")).render(),
        rule="duplicate_header",
    )
    add(
        "huvudbok_201108_ojamn.csv",
        "ragged line: one cell too many",
        "huvudbok",
        "rejected",
        lambda: _ragged(aug(), 10, extra=True),
        rule="ragged",
    )
    add(
        "sjukfranvaro_201108_ojamn.csv",
        "ragged line: one cell too few",
        "sjukfranvaro",
        "rejected",
        lambda: _ragged(sjuk(), 2, extra=False),
        rule="ragged",
    )

    # Boards dissolved in 2007 (organisation.csv: 1011-1014 Nedlagd 2007-01-01) booking
    # in 2011.
    for name, base, code in [
        ("huvudbok_201108_nedlagd.csv", aug, "1011"),
        ("lon_201108_nedlagd.csv", lon, "1012"),
        ("sjukfranvaro_201108_nedlagd.csv", sjuk, "1013"),
    ]:
        add(
            name,
            f"board {code} dissolved in 2007 booking in 2011",
            name.split("_")[0],
            "rejected",
            lambda base=base, code=code: base().set_all("Nämnd", code).render(),
            rule="valid_at_period",
            note="huvudbok: its Verksamhet codes are 142's, so the Verksamhet rule fails too"
            if name.startswith("huvudbok")
            else "",
        )
    add(
        "sie_1014_nedlagd.si",
        "board 1014 dissolved in 2007 booking in 2011 (SIE, board from the file name)",
        "sie",
        "rejected",
        lambda: _sie_replace("#GEN 20110503", "#GEN 20110601"),  # not sie_142_kassa.si's bytes
        rule="valid_at_period",
    )

    add(
        "sie_142_ksumma.si",
        "wrong SIE #KSUMMA",
        "sie",
        "rejected",
        lambda: _sie_replace("#FLAGGA 0\n", "#FLAGGA 0\n#KSUMMA\n") + b"#KSUMMA 1234567890\n",
        rule="ksumma",
        note="no reference SIE file has #KSUMMA; the value 1234567890 is simply wrong",
    )
    # Balances in 2011 (#RAR 0): 1910 opens at 100,00 and closes at 150,00, the year's
    # result accounts hold −50,00: 150 − 100 + (−50) = 0 holds; without #RES it is 50.
    balances = "#RAR 0 20110101 20111231\n#IB 0 1910 100.00\n#UB 0 1910 150.00\n"
    add(
        "sie_142_balans.si",
        "SIE #IB/#UB/#RES whose trial balance holds (Σ#UB − Σ#IB + Σ#RES = 0)",
        "sie",
        "accepted",
        lambda: _sie_replace("#FLAGGA 0\n", f"#FLAGGA 0\n{balances}#RES 0 3010 -50.00\n"),
        rows=SIE_ROWS + 3,
    )
    add(
        "sie_142_obalans.si",
        "SIE balances whose trial balance does not hold (#RES left out: 50,00)",
        "sie",
        "rejected",
        lambda: _sie_replace("#FLAGGA 0\n", f"#FLAGGA 0\n{balances}"),
        rule="trial_balance",
    )

    # Control files.
    may = ref("huvudbok_201105.csv")
    add(
        "huvudbok_201105_kontroll.csv",
        "upper-case .CTL with wrong totals",
        "huvudbok",
        "rejected",
        lambda: {
            "huvudbok_201105_kontroll.csv": may().render(),
            "huvudbok_201105_kontroll.CTL": _wrong_totals(control_file(may())),
        },
        rule="control_file",
        companions=("huvudbok_201105_kontroll.CTL",),
    )
    apr = ref("huvudbok_201104.csv")
    mar = ref("huvudbok_201103.csv")
    # Named without a month after `huvudbok_`: the name's month rule would name the stray
    # lines first (it has its case below); this one is the .ctl's.
    add(
        "huvudbok_tva_manader_201104.csv",
        ".ctl missing a (Nämnd, Period) of its file (3 stray lines of March)",
        "huvudbok",
        "rejected",
        lambda: {
            "huvudbok_tva_manader_201104.csv": _append_rows(apr(), mar().rows[:3]).render(),
            "huvudbok_tva_manader_201104.ctl": control_file(apr()),
        },
        rule="control_file",
        companions=("huvudbok_tva_manader_201104.ctl",),
    )
    add(
        "huvudbok_201105.csv",
        "April's lines in a file named May: they would have superseded April, May unchanged",
        "huvudbok",
        "rejected",
        lambda: apr().render(),
        rule="file_month",
    )
    add(
        "huvudbok_201103_extra.csv",
        ".ctl with an extra (Nämnd, Period) key",
        "huvudbok",
        "rejected",
        lambda: {
            "huvudbok_201103_extra.csv": mar().render(),
            "huvudbok_201103_extra.ctl": control_file(
                _append_rows(mar(), feb().rows), [("142", "201102"), ("142", "201103")]
            ),
        },
        rule="control_file",
        companions=("huvudbok_201103_extra.ctl",),
    )
    add(
        "huvudbok_201112_saknas.ctl",
        "orphan .ctl without its data file",
        "huvudbok",
        "waiting",
        lambda: b"N\xc3\xa4mnd;Period;Rader;Summa\n142;201112;400;-100,00\n",
        rule="orphan_control",
        note="given to `tertial ingest` by its own path: whether ingest reports an orphan "
        "control file (as `run` must for landing/) is for the implementers to say",
    )

    # The same key twice inside one file.
    add(
        "lon_201108_dubblett.csv",
        "duplicate key rows inside a file",
        "lon",
        "rejected",
        lambda: _append_rows(lon(), [lon().rows[0]]).render(),
        rule="duplicate_key",
    )
    add(
        "sjukfranvaro_201108_dubblett.csv",
        "duplicate key rows inside a file",
        "sjukfranvaro",
        "rejected",
        lambda: _append_rows(sjuk(), [sjuk().rows[1]]).render(),
        rule="duplicate_key",
    )

    # File names.
    add(
        "kontoplan_2011.csv",
        "unknown file name",
        None,
        "rejected",
        lambda: "Konto;Namn\n3010;Försäljning\n".encode(),
        rule="unknown_name",
    )
    add(
        LONG_NAME,
        "251-character file name (matches huvudbok_*)",
        "huvudbok",
        "rejected",
        lambda: table("huvudbok_201106_leverans2.csv").render(),
        rule="name_length",
    )

    _personnummer_cases(add)

    # A re-delivered activity register without 240, which the home's August ledger books;
    # then the register as it was (valid), so a wrong acceptance harms no later case.
    add(
        "verksamheter_utan_240.csv",
        "activity register re-delivered without a still-booked activity (240)",
        "verksamheter",
        "rejected",
        lambda: _without(verks(), "Verksamhet", "240").render(),
        rule="register_in_use",
        note="the issue allows ending the code's validity instead of rejecting",
    )
    valid(
        "verksamheter_crlf.csv",
        "register re-delivered unchanged, CRLF line ends",
        "verksamheter.csv",
        newline="\r\n",
    )
    return specs


def _personnummer_cases(add: Callable[..., None]) -> None:
    """Every form in every place: a cell, an extra column, a header, an organisation
    name, SIE `#FNAMN`, SIE `#TRANS` text, a file name; and `#ORGNR` without a dash."""
    forms = list(PERSONNUMMER.items())

    def case(name: str, form: str, place: str, value: str, files: Callable[[], bytes]) -> None:
        add(
            name,
            f"personnummer ({form}) in {place}",
            _source_of(name),
            "rejected",
            files,
            rule="personnummer",
            personnummer=(value,),
        )

    # A text cell of one row.
    cells: list[tuple[str, str, int, str]] = [
        ("huvudbok_201108.csv", "Text", 0, "Arvode {}"),
        ("huvudbok_201108.csv", "Verifikation", 1, "{}"),
        ("indikatorer_2011_T2.csv", "Indikator", 0, "Andel handlagda ärenden {}"),
        ("medarbetarenkat_2010.csv", "Index", 0, "NMI {}"),
        ("indikatorer_2011_T2.csv", "Mål", 2, "KF 1.2 {}"),
        ("huvudbok_201108.csv", "Text", 5, "Lön {} augusti"),
        ("verksamheter.csv", "Namn", -1, "Handläggare {}"),
    ]
    for i, ((form, value), (reference, column, row, text)) in enumerate(
        zip(forms, cells, strict=True)
    ):
        stem = reference.removesuffix(".csv")

        def in_cell(reference=reference, column=column, row=row, text=text, value=value):
            base = table(reference)
            if row < 0:  # a new row (the register's own rows stay as they are)
                base = _with_row(base, ["142", "260", text.format(value), "", "2011-01-01", ""])
            else:
                base.set(row, column, text.format(value))
            return base.render()

        case(f"{stem}_pn_cell_{i}.csv", form, f"a cell ({column})", value, in_cell)

    # An extra (unknown) column, one filled cell.
    extras = [
        "lon_201108.csv",
        "sjukfranvaro_201108.csv",
        "prognos_2011_T2.csv",
        "budget_2011_1.csv",
        "medarbetarenkat_2010.csv",
        "indikatorer_2011_T2.csv",
        "huvudbok_201108.csv",
    ]
    for i, ((form, value), reference) in enumerate(zip(forms, extras, strict=True)):
        stem = reference.removesuffix(".csv")
        case(
            f"{stem}_pn_kolumn_{i}.csv",
            form,
            "an extra column",
            value,
            lambda reference=reference, value=value: (
                table(reference).add_column("Kommentar", {0: f"Handläggare {value}"}).render()
            ),
        )

    # A header: an extra column named by the value, its cells empty.
    headers = [
        "sjukfranvaro_201108.csv",
        "lon_201108.csv",
        "huvudbok_201108.csv",
        "prognos_2011_T2.csv",
        "budget_2011_1.csv",
        "indikatorer_2011_T2.csv",
        "medarbetarenkat_2010.csv",
    ]
    for i, ((form, value), reference) in enumerate(zip(forms, headers, strict=True)):
        stem = reference.removesuffix(".csv")
        case(
            f"{stem}_pn_rubrik_{i}.csv",
            form,
            "a header",
            value,
            lambda reference=reference, value=value: table(reference).add_column(value).render(),
        )

    # An organisation name: the register with a Namnbyte of 142.
    for i, (form, value) in enumerate(forms):
        case(
            f"organisation_pn_namn_{i}.csv",
            form,
            "an organisation name",
            value,
            lambda value=value: _with_row(
                table("organisation.csv"),
                ["2011-06-01", "Namnbyte", "142", f"Servicenämnden {value}", "Facknämnd", "", ""],
            ).render(),
        )

    # SIE #FNAMN and #TRANS text. An en dash has no code point in CP437 (SIE's PC8):
    # that form cannot be in a SIE file's text.
    for i, (form, value) in enumerate(forms):
        if "\u2013" in value:
            continue
        case(
            f"sie_142_pn_fnamn_{i}.si",
            form,
            "SIE #FNAMN",
            value,
            lambda value=value: _sie_replace(
                "#FNAMN Övningsbolaget AB", f'#FNAMN "Konsult {value}"'
            ),
        )
        case(
            f"sie_142_pn_trans_{i}.si",
            form,
            "SIE #TRANS text",
            value,
            lambda value=value: _sie_replace(
                "#TRANS 3010 {} -80.00", f'#TRANS 3010 {{}} -80.00 20110502 "Lön {value}"'
            ),
        )
    add(
        "sie_142_pn_orgnr.si",
        f"personnummer (sole trader's #ORGNR without dash, {SOLE_TRADER_ORGNR}) in SIE #ORGNR",
        "sie",
        "rejected",
        lambda: _sie_replace("#ORGNR 212000-0142", f"#ORGNR {SOLE_TRADER_ORGNR}"),
        rule="personnummer",
        personnummer=(SOLE_TRADER_ORGNR,),
    )

    # A file name; the bytes are a valid export with an extra column naming the
    # delivery, so no two corpus files are the same bytes.
    names = [
        "huvudbok_201107.csv",
        "lon_201107.csv",
        "sjukfranvaro_201107.csv",
        "budget_2011_1.csv",
        "prognos_2011_T2.csv",
        "indikatorer_2011_T2.csv",
        "sie",
    ]
    for i, ((form, value), reference) in enumerate(zip(forms, names, strict=True)):
        if reference == "sie":
            name = f"sie_142_{value}.si"
            files = lambda i=i: _sie_replace("#GEN 20110503", f"#GEN 2011050{i}")  # noqa: E731
        else:
            stem = reference.removesuffix(".csv")
            name = f"{stem}_{value}.csv"
            files = (  # noqa: E731
                lambda reference=reference, i=i: (
                    table(reference).add_column("Leverans", {0: f"pn-{i}"}).render()
                )
            )
        case(name, form, "a file name", value, files)


def _source_of(name: str) -> str:
    from sources.registry import source_for

    source = source_for(name)
    assert source is not None, name
    return source.name


def _with_row(base: Table, row: list[str]) -> Table:
    base.rows.append(row)
    return base


def _append_rows(base: Table, rows: list[list[str]]) -> Table:
    base.rows.extend(list(r) for r in rows)
    return base


def _without(base: Table, header: str, value: str) -> Table:
    i = base.index(header)
    base.rows = [r for r in base.rows if r[i] != value]
    return base


def _row_with(base: Table, header: str, value: str) -> int:
    return next(n for n, r in enumerate(base.rows) if r[base.index(header)] == value)


def _header_only(base: Table) -> bytes:
    base.rows = []
    return base.render()


def _ragged(base: Table, row: int, *, extra: bool) -> bytes:
    if extra:
        base.rows[row].append("extra")
    else:
        base.rows[row].pop()
    return base.render()


def _wrong_totals(control: bytes) -> bytes:
    """One row more and 100 kronor more than the file holds: well-formed, but wrong."""
    header, line = control.decode("utf-8").splitlines()
    namnd, period, rows, total = line.split(";")
    wrong = _kronor(_amount(total) + 100)
    return f"{header}\n{namnd};{period};{int(rows) + 1};{wrong}\n".encode()


# --- public --------------------------------------------------------------------------------


def cases() -> list[Case]:
    """The corpus's cases, without writing a file."""
    return [spec.case for spec in _specs()]


def build_corpus(folder: Path) -> list[Case]:
    """Write every corpus file (and its control file) into `folder`; return the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    built = []
    for spec in _specs():
        for name, data in spec.files().items():
            (folder / name).write_bytes(data)
        built.append(spec.case)
    return built

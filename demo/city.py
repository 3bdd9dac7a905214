"""A deterministic demo city: Stockholm's ~30 boards, their registers and their ledgers.

The warehouse must be shown, and tested end to end, on data that looks like the city's
own without any real data leaving the finance system. This module is the city itself: its
boards and departments, their activities and accounts, the organisation register, the
activity lists and a monthly ledger for every board in the formats of source-formats.md,
with the accidents of real ledger deliveries (a correction, a personnummer in a text).
`demo.exports` derives every other source from the same city and `demo.landing` writes
them all into a landing zone; `bench/generate.py` writes the same city at a finance
office's volume through this module's public functions.

Everything is derived from the arguments: the same arguments give byte-identical files.
Each month draws from its own generator seeded with (seed, year, month), so March 2022
has the same rows whether the demo covers one year or three.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np
import polars as pl

from sources.huvudbok.contract import CONTRACT as HUVUDBOK

__all__ = [
    "BOARDS",
    "FAKE_PERSONNUMMER",
    "MIN_ROWS_PER_BOARD_MONTH",
    "PLAIN",
    "CityTables",
    "Format",
    "city_tables",
    "format_of",
    "month_ledger",
    "render_ledger",
]

NBSP = "\u00a0"
MINUS_SIGN = "\u2212"
UTF8_BOM = b"\xef\xbb\xbf"

# The ledger's columns in the contract's order: the demo writes what the loader expects.
LEDGER_HEADER = tuple(column.header for column in HUVUDBOK.columns)

# A board-month needs its 3 month-end bookings (two depreciations, internal interest) plus
# a handful of ordinary lines; below 10 rows it is no longer a ledger.
MIN_ROWS_PER_BOARD_MONTH = 10
# Individual lines stay under 10 Mkr: lines are drawn from a long-tailed distribution and
# clipped there, which only bites when very few rows carry a whole board's month.
MAX_LINE_ORE = 9_999_999_99
MIN_LINE_ORE = 1_00
# With few rows a board's month shrinks so that its average line stays at most 200 kkr.
MAX_AVERAGE_LINE_KRONOR = 200_000
# Amounts of the first demo year; later years grow with 3 % a year (prices and wages).
BASE_YEAR = 2022
YEARLY_GROWTH = 1.03

# The fictitious test person of the Swedish tax agency ("Tolvan Tolvansson"): clearly fake,
# yet exactly what the warehouse's personnummer guard must catch.
FAKE_PERSONNUMMER = "19121212-1212"


@dataclass(frozen=True)
class _Board:
    code: int
    name: str
    typ: str
    created: str
    cost_mkr: float  # gross operating cost per year in Mkr (demo scale, BASE_YEAR)
    revenue_share: float  # revenues as a share of gross cost
    depreciation_share: float  # depreciation (79xx) as a share of gross cost


def _district(code: int, name: str, created: str, cost_mkr: float) -> _Board:
    return _Board(code, f"{name} stadsdelsnämnd", "Stadsdelsnämnd", created, cost_mkr, 0.08, 0.02)


def _facknamnd(code: int, name: str, created: str, cost: float, rev: float, dep: float) -> _Board:
    return _Board(code, name, "Facknämnd", created, cost, rev, dep)


# Codes and names as in Stockholm. Costs are demo scale (tens to hundreds of Mkr a year,
# a tenth of the real city) so that a line rarely nears the 10 Mkr cap at 400 rows a month;
# the revenue share says who lives off fees and rents (Fastighetsnämnden, Servicenämnden)
# and who off the city's tax money (schools, care).
BOARDS: tuple[_Board, ...] = (
    _Board(101, "Kommunstyrelsen", "Kommunstyrelse", "1971-01-01", 650, 0.25, 0.03),
    _district(110, "Rinkeby-Kista", "2007-01-01", 650),
    _district(111, "Spånga-Tensta", "1997-01-01", 420),
    _district(112, "Hässelby-Vällingby", "1997-01-01", 700),
    _district(113, "Bromma", "1997-01-01", 720),
    _district(114, "Kungsholmens", "1997-01-01", 560),
    _district(115, "Norrmalms", "1997-01-01", 480),
    _district(116, "Östermalms", "1997-01-01", 560),
    _district(117, "Södermalms", "2007-01-01", 900),
    _district(118, "Enskede-Årsta-Vantörs", "2007-01-01", 880),
    _district(119, "Skarpnäcks", "1997-01-01", 430),
    _district(120, "Farsta", "1997-01-01", 560),
    _district(121, "Älvsjö", "1997-01-01", 300),
    _district(122, "Hägersten-Liljeholmens", "2007-01-01", 780),
    _district(123, "Skärholmens", "1997-01-01", 380),
    _facknamnd(130, "Arbetsmarknadsnämnden", "2007-01-01", 420, 0.35, 0.02),
    _facknamnd(131, "Exploateringsnämnden", "1971-01-01", 380, 0.85, 0.06),
    _facknamnd(132, "Fastighetsnämnden", "1971-01-01", 520, 0.95, 0.12),
    _facknamnd(133, "Idrottsnämnden", "1971-01-01", 360, 0.30, 0.08),
    _facknamnd(134, "Kulturnämnden", "1971-01-01", 340, 0.15, 0.04),
    _facknamnd(135, "Miljö- och hälsoskyddsnämnden", "1971-01-01", 140, 0.45, 0.02),
    _facknamnd(136, "Socialnämnden", "2007-01-01", 480, 0.15, 0.02),
    _facknamnd(137, "Stadsbyggnadsnämnden", "1971-01-01", 260, 0.55, 0.03),
    _facknamnd(138, "Trafiknämnden", "2007-01-01", 560, 0.45, 0.10),
    _facknamnd(139, "Utbildningsnämnden", "1971-01-01", 900, 0.08, 0.03),
    _facknamnd(140, "Äldrenämnden", "2007-01-01", 300, 0.05, 0.02),
    _facknamnd(141, "Överförmyndarnämnden", "1971-01-01", 70, 0.05, 0.01),
    _facknamnd(142, "Servicenämnden", "2010-01-01", 210, 0.90, 0.05),
)

# Departments of the city office (Stadsledningskontoret) under Kommunstyrelsen. They are
# units of the register, not boards: nothing is booked on them.
DEPARTMENTS: tuple[tuple[int, str], ...] = (
    (1020, "Stadsdirektörens stab"),
    (1021, "Finansavdelningen"),
    (1022, "Förnyelseavdelningen"),
    (1023, "IT-avdelningen"),
    (1024, "Personalstrategiska avdelningen"),
    (1025, "Juridiska avdelningen"),
    (1026, "Kommunikationsstaben"),
)

# The board renamed during the demo, with its new name (the register's one Namnbyte).
RENAMED = (133, "Idrotts- och friluftsnämnden")

# Activities: (code, name, parent). Each list has one "varav" child (a parent set), like
# Servicenämnden's 231 Äldre Direkt under 230 Kontaktcenter.
_ADMIN = (100, "Nämnd och administration", None)
_DISTRICT_ACTIVITIES = (
    _ADMIN,
    (210, "Förskola", None),
    (220, "Individ- och familjeomsorg", None),
    (221, "Ekonomiskt bistånd", 220),
    (230, "Äldreomsorg", None),
    (231, "Hemtjänst", 230),
    (240, "Stöd och service till personer med funktionsnedsättning", None),
    (250, "Stadsmiljö och parker", None),
    (260, "Fritid och kultur", None),
)
ACTIVITIES: dict[int, tuple[tuple[int, str, int | None], ...]] = {
    101: (
        _ADMIN,
        (110, "Stadsledning", None),
        (120, "Näringsliv och turism", None),
        (130, "Kommunikation", None),
        (140, "Digital utveckling", None),
        (141, "Gemensam IT-plattform", 140),
        (150, "Krisberedskap och säkerhet", None),
        (160, "Bidrag till föreningar", None),
    ),
    130: (
        _ADMIN,
        (210, "Jobbtorg Stockholm", None),
        (211, "Jobbtorg Unga", 210),
        (220, "Vuxenutbildning", None),
        (230, "Svenska för invandrare", None),
        (240, "Feriejobb", None),
        (250, "Etableringsinsatser", None),
    ),
    131: (
        _ADMIN,
        (210, "Markförvaltning", None),
        (220, "Exploatering för bostäder", None),
        (221, "Markanvisningar", 220),
        (230, "Tomträtter", None),
        (240, "Stadsutvecklingsprojekt", None),
    ),
    132: (
        _ADMIN,
        (210, "Lokalförvaltning", None),
        (220, "Kommersiella lokaler", None),
        (230, "Torg och saluhallar", None),
        (231, "Östermalms saluhall", 230),
        (240, "Fastighetsunderhåll", None),
        (250, "Kulturbyggnader", None),
    ),
    133: (
        _ADMIN,
        (210, "Idrottsanläggningar", None),
        (211, "Bad och simhallar", 210),
        (220, "Föreningsbidrag", None),
        (230, "Friluftsliv", None),
        (240, "Evenemang och arenor", None),
    ),
    134: (
        _ADMIN,
        (210, "Stadsbiblioteket", None),
        (211, "Barn- och ungdomsbibliotek", 210),
        (220, "Kulturskolan", None),
        (230, "Stadsmuseet", None),
        (240, "Stadsarkivet", None),
        (250, "Kulturstöd", None),
    ),
    135: (
        _ADMIN,
        (210, "Miljötillsyn", None),
        (211, "Livsmedelskontroll", 210),
        (220, "Miljöanalys", None),
        (230, "Klimat och energi", None),
        (240, "Hälsoskydd", None),
    ),
    136: (
        _ADMIN,
        (210, "Socialjouren", None),
        (220, "Stöd till hemlösa", None),
        (221, "Härbärgen och akutboende", 220),
        (230, "Barn och ungdom", None),
        (240, "Missbruksvård", None),
        (250, "Funktionsnedsättning", None),
        (260, "Familjerätt", None),
    ),
    137: (
        _ADMIN,
        (210, "Bygglov", None),
        (220, "Detaljplanering", None),
        (230, "Lantmäteri", None),
        (231, "Fastighetsbildning", 230),
        (240, "Geodata och kartor", None),
    ),
    138: (
        _ADMIN,
        (210, "Gatu- och trafikdrift", None),
        (211, "Vinterväghållning", 210),
        (220, "Parkering", None),
        (230, "Trafikplanering", None),
        (240, "Gator och vägar, reinvesteringar", None),
        (250, "Parker och stadsmiljö", None),
    ),
    139: (
        _ADMIN,
        (210, "Grundskola", None),
        (211, "Anpassad grundskola", 210),
        (220, "Gymnasieskola", None),
        (230, "Förskola", None),
        (240, "Fritidshem", None),
        (250, "Modersmålsundervisning", None),
        (260, "Skolskjuts", None),
    ),
    140: (
        _ADMIN,
        (210, "Vård- och omsorgsboende", None),
        (220, "Hemtjänst", None),
        (221, "Trygghetslarm", 220),
        (230, "Dagverksamhet", None),
        (240, "Äldreombudsmannen", None),
        (250, "Träffpunkter för äldre", None),
    ),
    141: (
        _ADMIN,
        (210, "Tillsyn av ställföreträdare", None),
        (211, "Granskning av årsräkningar", 210),
        (220, "Rekrytering av gode män", None),
        (230, "Ensamkommande barn", None),
        (240, "Förvaltarenheten", None),
        (250, "Utbildning av ställföreträdare", None),
    ),
    142: (
        _ADMIN,
        (210, "Löneadministration", None),
        (220, "Upphandling", None),
        (230, "Kontaktcenter", None),
        (231, "Äldre Direkt", 230),
        (240, "Ekonomiadministration", None),
        (250, "IT och telefoni", None),
    ),
}
DEPRECIATION, INTERNAL_INTEREST = 900, 910
# Activities that ended before the demo: listed with Giltig till, never booked on.
ENDED: dict[tuple[int, int], str] = {(141, 230): "2019-12-31"}
# Where an ended activity's work went (verksamheter.csv's Efterträdare): the guardians of
# unaccompanied children became part of the supervision of guardians.
SUCCESSORS: dict[tuple[int, int], int] = {(141, 230): 210}

# Each activity's RS-kod, a leaf of SCB's Räkenskapssammandraget (dbt seed
# rs_verksamhetsomraden), so the boards' costs compare with each other and with the
# published figures (rpt_activity_costs_rs). Servicenämnden (142) sells its services to
# the other boards and has none: its costs land in the buyers' activities in RS. The
# month-end activities (900 depreciation, 910 internal interest) have none either: RS
# spreads them over the activities, the demo does not.
_DISTRICT_RS = {
    100: 100,
    210: 407,
    220: 569,
    221: 575,
    230: 510,
    231: 510,
    240: 513,
    250: 250,
    260: 300,
}
RS_CODES: dict[int, dict[int, int]] = {
    101: {100: 100, 110: 130, 120: 220, 130: 130, 140: 130, 141: 130, 150: 275, 160: 300},
    130: {100: 100, 210: 610, 211: 610, 220: 472, 230: 476, 240: 610, 250: 600},
    131: {100: 100, 210: 800, 220: 215, 221: 215, 230: 800, 240: 215},
    132: {100: 100, 210: 800, 220: 810, 230: 810, 231: 810, 240: 800, 250: 315},
    133: {100: 100, 210: 340, 211: 340, 220: 300, 230: 300, 240: 340},
    134: {100: 100, 210: 320, 211: 320, 220: 330, 230: 315, 240: 315, 250: 315},
    135: {100: 100, 210: 261, 211: 261, 220: 263, 230: 225, 240: 261},
    136: {100: 100, 210: 571, 220: 571, 221: 571, 230: 569, 240: 559, 250: 513, 260: 585},
    137: {100: 100, 210: 215, 220: 215, 230: 215, 231: 215, 240: 215},
    138: {100: 100, 210: 249, 211: 249, 220: 249, 230: 249, 240: 249, 250: 250},
    139: {100: 100, 210: 440, 211: 443, 220: 450, 230: 407, 240: 425, 250: 440, 260: 440},
    140: {100: 100, 210: 510, 220: 510, 221: 510, 230: 510, 240: 510, 250: 510},
    141: {100: 100, 210: 130, 211: 130, 220: 130, 230: 569, 240: 130, 250: 130},
    142: {},
}

# Kommun-Bas accounts of the ordinary lines: (konto, kind, share of rows, relative size,
# texts). Kinds: cost (classes 4-7), invest (12, always with a project), revenue (3 and 84).
# Personnel (5xxx) is the biggest block, as in every Swedish municipality: about 65 % of
# the operating cost, from a third of the rows times the largest sizes.
_ORDINARY: tuple[tuple[int, str, float, float, tuple[str, ...]], ...] = (
    (4010, "cost", 0.06, 2.0, ("Köp av verksamhet", "Entreprenadersättning", "Köp av platser")),
    (4520, "cost", 0.02, 1.0, ("Föreningsbidrag", "Verksamhetsbidrag", "Projektbidrag")),
    (5010, "cost", 0.18, 2.6, ("Lön", "Månadslön", "Löneutbetalning")),
    (5110, "cost", 0.06, 0.8, ("Timlön", "Vikarier", "Övertidsersättning")),
    (5610, "cost", 0.06, 2.6, ("Personalomkostnader", "PO-pålägg")),
    (5810, "cost", 0.03, 0.3, ("Utbildning", "Kompetensutveckling", "Konferensavgift")),
    (6110, "cost", 0.05, 1.5, ("Lokalhyra", "Hyra kontor", "Hyra förråd")),
    (6210, "cost", 0.03, 0.5, ("El", "Fjärrvärme", "Vatten och avlopp")),
    (6410, "cost", 0.08, 0.15, ("Förbrukningsmaterial", "Kontorsmaterial", "Arbetskläder")),
    (6510, "cost", 0.04, 0.4, ("IT-tjänster", "Licenser", "Datakommunikation")),
    (6550, "cost", 0.03, 0.1, ("Telefoni", "Mobiltelefoner")),
    (7010, "cost", 0.04, 0.6, ("Konsulttjänster", "Juridisk rådgivning", "Utredning")),
    (7310, "cost", 0.04, 0.5, ("Underhåll", "Reparation", "Städning")),
    (7510, "cost", 0.03, 0.1, ("Resor", "Transporter", "Taxi")),
    (7610, "cost", 0.01, 0.3, ("Försäkringspremie",)),
    (7710, "cost", 0.02, 0.05, ("Representation", "Möteskostnad", "Förtäring")),
    (1220, "invest", 0.01, 1.0, ("Inköp inventarier", "Möbler")),
    (1230, "invest", 0.01, 0.8, ("Inköp datorer", "Nätverksutrustning")),
    (1240, "invest", 0.005, 1.5, ("Inköp fordon", "Elbil")),
    (3110, "revenue", 0.05, 1.0, ("Fakturering tjänst", "Intern försäljning", "Vidarefakturering")),
    (3410, "revenue", 0.06, 0.4, ("Avgift ärende", "Taxeintäkt", "Månadsavgift")),
    (3510, "revenue", 0.02, 1.0, ("Hyresintäkt lokal", "Arrendeavgift", "Uthyrning")),
    (3610, "revenue", 0.03, 2.0, ("Statsbidrag", "Bidrag från Migrationsverket")),
    (3490, "revenue", 0.02, 0.2, ("Försäljning material", "Övriga intäkter", "Återbetalning")),
    (8410, "revenue", 0.005, 0.05, ("Dröjsmålsränta", "Ränteintäkt kundfordringar")),
)
# Month-end bookings, one line each per board and month: (konto, activity, texts).
_MONTH_END: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (7910, DEPRECIATION, ("Avskrivning maskiner och inventarier",)),
    (7930, DEPRECIATION, ("Avskrivning byggnader och anläggningar",)),
    (8510, INTERNAL_INTEREST, ("Internränta",)),
)
# Internal interest is about a third of depreciation (2-3 % on the book value, which is
# about ten years of depreciation); 7910 takes 40 % of the depreciation, 7930 the rest.
_MONTH_END_SHARE = (0.4, 0.6, 1 / 3)
# Internal sales (3110) are to another board, and internal trade reconciles as in a
# well-kept city (_pair_internal_trade): the buyer books each sale as a purchase on one of
# its purchase accounts, same month and amount, Motpart = the seller. Internal interest
# (8510) carries no Motpart: it goes to the city's central finance, no board's ledger.
_ANY_OTHER_BOARD = -1
_BUYERS_PER_SELLER = 3  # each board's internal customers: the next boards in the register
_COUNTERPARTY = {3110: _ANY_OTHER_BOARD}
_PURCHASE_ACCOUNTS = (4010, 6510, 7010)  # köp av verksamhet, IT-tjänster, konsulttjänster
# The buyer's other ordinary cost lines absorb the purchases, so that its month's cost
# stays what the budget drew; where they would have to shrink below half (only in tiny
# demos: 10 rows a board-month) the buyer books none and the sales stay external.
_MIN_ABSORB_FACTOR = 0.5
# A few lines a month are credit notes (Kreditfaktura) and a few carry no text at all.
_CREDIT_SHARE = 0.01
_NO_TEXT_SHARE = 0.01
_PAIRING_STREAM = 1  # the month's generator for pairing internal trade: [seed, y, m, 1]
_PROJECT_SHARE = 0.06  # ordinary cost lines booked on a project
_PROJECTS_PER_BOARD = 3
# Rows and amounts follow the year: summer (July) is quiet, December is year-end.
_SEASON = np.array([0.95, 0.95, 1.05, 1.0, 1.0, 1.1, 0.7, 0.9, 1.05, 1.05, 1.05, 1.3])
_SEASON = _SEASON / _SEASON.mean()
_AMOUNT_SIGMA = 0.7  # lognormal spread of line sizes: most lines small, a few large


@dataclass(frozen=True)
class Format:
    """How one export is written: the variations of the city's real deliveries."""

    encoding: str  # "cp1252" or "utf-8-sig"
    newline: str
    group: str  # thousands separator: "", " " or NBSP
    minus: str  # "-" or U+2212 (UTF-8 only: Windows-1252 cannot encode it)


# The finance system's standard report: Windows-1252, CRLF, no grouping, ASCII minus.
PLAIN = Format("cp1252", "\r\n", "", "-")


def format_of(year: int, month: int) -> Format:
    """The format of a month's export, cycling over the months like a real city's did.

    Every 5th month comes from the newer report server (UTF-8 with BOM, LF) and every
    other of those writes U+2212 minus; independently, one month in four groups
    thousands with a space and one in four with a no-break space.
    """
    k = year * 12 + month - 1
    utf8 = k % 5 == 4
    return Format(
        encoding="utf-8-sig" if utf8 else "cp1252",
        newline="\n" if utf8 else "\r\n",
        group=("", "", " ", NBSP)[k % 4],
        minus=MINUS_SIGN if utf8 and (k // 5) % 2 == 0 else "-",
    )


def _control_month(month: int) -> bool:
    """Control files come with the tertial closes (April, August) and the year-end."""
    return month in (4, 8, 12)


@dataclass(frozen=True)
class CityTables:
    """The city as flat numpy lookup tables, so that a month is drawn in a few vector ops."""

    board_codes: np.ndarray  # (B,) int
    # Ordinary activities of all boards, concatenated; per board a contiguous slice.
    act_code: np.ndarray  # (A,) activity code
    act_cum: np.ndarray  # (A,) board index + cumulative weight within the board, in (b, b+1]
    projects: np.ndarray  # (B, _PROJECTS_PER_BOARD) project codes
    # Accounts: ordinary first, then month-end.
    acc_konto: np.ndarray
    acc_kind: np.ndarray  # 0 cost, 1 invest, 2 revenue, 3 month-end
    acc_cum: np.ndarray  # cumulative row shares of the ordinary accounts
    acc_size: np.ndarray
    acc_text_offset: np.ndarray
    acc_text_count: np.ndarray
    acc_counterparty: np.ndarray  # 0 none, -1 any other board, else a board code
    texts: pl.Series  # all texts; the last one is the credit note text


_KINDS = {"cost": 0, "invest": 1, "revenue": 2}
_SERIES = pl.Series("series", ["M", "I", "K"])
_CREDIT_TEXT = "Kreditfaktura"


def city_tables(seed: int) -> CityTables:
    """Lookup tables of boards, activities and accounts; activity weights drawn from seed."""
    rng = np.random.default_rng([seed, 0])
    board_codes = np.array([b.code for b in BOARDS])
    act_board: list[int] = []
    act_code: list[int] = []
    act_cum: list[float] = []
    for b, board in enumerate(BOARDS):
        codes = [code for code, _, _ in _activities(board.code) if (board.code, code) not in ENDED]
        codes = [c for c in codes if c not in (DEPRECIATION, INTERNAL_INTEREST)]
        # Activities differ in size (Grundskola dwarfs Skolskjuts): gamma weights, fixed
        # by the seed so that an activity keeps its size from month to month.
        weights = rng.gamma(2.0, 1.0, len(codes))
        act_board += [b] * len(codes)
        act_code += codes
        act_cum += list(b + np.cumsum(weights) / weights.sum())
    act_cum_arr = np.array(act_cum)
    # The last activity of each board ends exactly at b + 1, never a hair below it.
    ends = np.r_[np.flatnonzero(np.diff(act_board)), len(act_board) - 1]
    act_cum_arr[ends] = np.arange(len(BOARDS)) + 1.0
    projects = board_codes[:, None] * 1000 + np.arange(1, _PROJECTS_PER_BOARD + 1)[None, :]

    texts: list[str] = []
    konto, kind, share, size, offset, count, counterparty = [], [], [], [], [], [], []
    for k, kind_name, row_share, rel_size, account_texts in _ORDINARY:
        konto.append(k)
        kind.append(_KINDS[kind_name])
        share.append(row_share)
        size.append(rel_size)
        offset.append(len(texts))
        count.append(len(account_texts))
        counterparty.append(_COUNTERPARTY.get(k, 0))
        texts += account_texts
    for k, _, account_texts in _MONTH_END:
        konto.append(k)
        kind.append(3)
        size.append(0.0)
        offset.append(len(texts))
        count.append(len(account_texts))
        counterparty.append(_COUNTERPARTY.get(k, 0))
        texts += account_texts
    texts.append(_CREDIT_TEXT)
    shares = np.array(share)
    acc_cum = np.cumsum(shares) / shares.sum()
    acc_cum[-1] = 1.0
    return CityTables(
        board_codes=board_codes,
        act_code=np.array(act_code),
        act_cum=act_cum_arr,
        projects=projects,
        acc_konto=np.array(konto),
        acc_kind=np.array(kind),
        acc_cum=acc_cum,
        acc_size=np.array(size),
        acc_text_offset=np.array(offset),
        acc_text_count=np.array(count),
        acc_counterparty=np.array(counterparty),
        texts=pl.Series("texts", texts, dtype=pl.String),
    )


def _activities(board: int) -> tuple[tuple[int, str, int | None], ...]:
    """A board's activities: its own list (or the districts' common one) plus 900 and 910."""
    own = ACTIVITIES.get(board, _DISTRICT_ACTIVITIES)
    return (*own, (DEPRECIATION, "Avskrivningar", None), (INTERNAL_INTEREST, "Internränta", None))


def _ansvar(board: np.ndarray, activity: np.ndarray) -> np.ndarray:
    """Responsibility unit: board code + 2 digits, from the activity (231 -> 31).

    The administration (100) and the month-end activities (900, 910) sit on unit 01, the
    board's own office.
    """
    unit = np.where(activity % 100 == 0, 1, activity % 100)
    unit = np.where(activity >= DEPRECIATION, 1, unit)
    return board * 100 + unit


def month_ledger(tables: CityTables, seed: int, year: int, month: int, rows: int) -> pl.DataFrame:
    """All boards' ledger lines of one month, with Belopp as integer öre (column `ore`).

    Fully vectorised: a month at 30 000 rows per board is ~0.9 M lines and takes ~1.5 s
    to draw and write.
    """
    rng = np.random.default_rng([seed, year, month])
    n_boards = len(BOARDS)
    days = calendar.monthrange(year, month)[1]
    # Rows per board: the average, times the season, +-5 % per board and month.
    jitter = rng.uniform(0.95, 1.05, n_boards)
    per_board = np.maximum(
        MIN_ROWS_PER_BOARD_MONTH, np.rint(rows * _SEASON[month - 1] * jitter).astype(np.int64)
    )
    n = int(per_board.sum())
    board = np.repeat(np.arange(n_boards), per_board)
    starts = np.r_[0, np.cumsum(per_board)[:-1]]
    position = np.arange(n) - np.repeat(starts, per_board)

    # Rows 0-2 of each board are the month-end bookings, the rest ordinary lines.
    n_month_end = len(_MONTH_END)
    n_ordinary = len(_ORDINARY)
    month_end = position < n_month_end
    account = np.searchsorted(tables.acc_cum, rng.random(n), side="right")
    account = np.minimum(account, n_ordinary - 1)
    account = np.where(month_end, n_ordinary + position, account)
    kind = tables.acc_kind[account]

    activity = np.searchsorted(tables.act_cum, board + rng.random(n), side="left")
    activity = np.minimum(activity, len(tables.act_code) - 1)
    activity_code = tables.act_code[activity]
    konto = tables.acc_konto[account]
    # Financial income (84) belongs to the administration; month-end lines to 900 / 910.
    activity_code = np.where(konto // 100 == 84, 100, activity_code)
    month_end_activity = np.array([a for _, a, _ in _MONTH_END])
    activity_code = np.where(
        month_end, month_end_activity[np.minimum(position, n_month_end - 1)], activity_code
    )

    # Amounts: lognormal sizes, then scaled so that each board's month meets its budget.
    growth = YEARLY_GROWTH ** (year - BASE_YEAR)
    cost_mkr = np.array([b.cost_mkr for b in BOARDS])
    month_cost = cost_mkr * 1e6 / 12 * _SEASON[month - 1] * growth  # kronor
    # Few rows cannot carry a big board's month in plausible lines: the board shrinks
    # instead (at the default 400 rows this never binds: the largest month is ~190 kkr/line).
    month_cost = np.minimum(month_cost, per_board * MAX_AVERAGE_LINE_KRONOR)
    dep_share = np.array([b.depreciation_share for b in BOARDS])
    revenue_share = np.array([b.revenue_share for b in BOARDS])
    raw = tables.acc_size[account] * rng.lognormal(0.0, _AMOUNT_SIGMA, n)
    is_cost, is_revenue = kind == 0, kind == 2
    cost_raw = np.bincount(board, weights=np.where(is_cost, raw, 0.0), minlength=n_boards)
    revenue_raw = np.bincount(board, weights=np.where(is_revenue, raw, 0.0), minlength=n_boards)
    month_end_total = dep_share * sum(_MONTH_END_SHARE)
    cost_factor = month_cost * (1 - month_end_total) / np.maximum(cost_raw, 1e-9)
    revenue_factor = month_cost * revenue_share / np.maximum(revenue_raw, 1e-9)
    factor = np.where(is_revenue, revenue_factor[board], cost_factor[board])
    kronor = raw * factor
    # Month-end lines: fixed shares of the month's cost, +-2 % (new assets, rates).
    me_share = np.array(_MONTH_END_SHARE)[np.minimum(position, n_month_end - 1)]
    kronor = np.where(
        month_end,
        month_cost[board] * dep_share[board] * me_share * rng.uniform(0.98, 1.02, n),
        kronor,
    )
    ore = np.clip(np.rint(kronor * 100), MIN_LINE_ORE, MAX_LINE_ORE).astype(np.int64)
    credit = (kind == 0) & (rng.random(n) < _CREDIT_SHARE)
    negative = is_revenue | credit
    ore = np.where(negative, -ore, ore)

    # Counterparty: internal lines name another board, never the board itself. Each board
    # sells to the _BUYERS_PER_SELLER boards after it in the register's order: a city's
    # internal trade runs between a few stable pairs, not between every two boards. The
    # fact's grain splits by counterparty: sales to any of 27 boards made fct_ledger five
    # times as large (26k rows a month against 5.4k, the 10-year benchmark city) and its
    # nightly copy 4.3 s of a 15 s build. The draw stays what it was (the same stream).
    mode = tables.acc_counterparty[account]
    other = rng.integers(0, n_boards - 1, n)
    other = (board + 1 + other % _BUYERS_PER_SELLER) % n_boards
    counterparty = np.where(mode == _ANY_OTHER_BOARD, tables.board_codes[other], mode)
    counterparty = np.where(counterparty == tables.board_codes[board], 0, counterparty)
    # Its own stream, so that every other draw of the month stays what it was.
    ore, counterparty = _pair_internal_trade(
        np.random.default_rng([seed, year, month, _PAIRING_STREAM]),
        tables.board_codes,
        board,
        other,
        konto,
        kind == 0,
        credit,
        ore,
        counterparty,
    )

    # Projects: always on investments, sometimes on ordinary costs.
    with_project = (kind == 1) | ((kind == 0) & (rng.random(n) < _PROJECT_SHARE))
    project = tables.projects[board, rng.integers(0, _PROJECTS_PER_BOARD, n)]
    project = np.where(with_project, project, 0)

    text = tables.acc_text_offset[account] + (
        rng.random(n) * tables.acc_text_count[account]
    ).astype(np.int64)
    text = np.where(credit, len(tables.texts) - 1, text)
    no_text = (~month_end) & (rng.random(n) < _NO_TEXT_SHARE)

    # Dates: ordinary lines any day of the month, month-end lines on the last day.
    day = np.where(month_end, days, rng.integers(1, days + 1, n))
    # Vouchers are numbered in date order within the board's month: sort, then count.
    order = np.lexsort((rng.random(n), day, board))
    # Voucher series: M memorial (month-end), I income, K cost (indexes into _SERIES).
    series = np.select([month_end, is_revenue], [0, 1], 2).astype(np.int8)

    frame = pl.DataFrame(
        {
            "board": tables.board_codes[board][order],
            "activity": activity_code[order],
            "konto": konto[order],
            "project": project[order],
            "counterparty": counterparty[order],
            "ore": ore[order],
            "day": day[order],
            "text": text[order],
            "no_text": no_text[order],
            "series": series[order],
        }
    ).with_columns(seq=pl.int_range(1, pl.len() + 1).over("board"))
    return _ledger_columns(frame, tables, year, month)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of a sorted array."""
    at = np.arange(len(groups))
    starts = np.r_[True, groups[1:] != groups[:-1]] if len(groups) else np.array([], bool)
    return at - np.maximum.accumulate(np.where(starts, at, 0))


def _pair_internal_trade(
    rng: np.random.Generator,
    board_codes: np.ndarray,
    board: np.ndarray,
    other: np.ndarray,
    konto: np.ndarray,
    is_cost: np.ndarray,
    credit: np.ndarray,
    ore: np.ndarray,
    counterparty: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Every internal sale gets its purchase at the buyer: (ore, counterparty) anew.

    A sale (3110 naming board B, -x öre) turns one of B's ordinary lines on a purchase
    account into its purchase: +x öre, Motpart = the seller. No row is added and every
    board keeps its month's costs and revenues: the sales keep their amounts, and B's
    other ordinary cost lines are scaled to absorb what its purchases changed (the last
    öre on its largest line). A sale whose buyer has no purchase line left stays
    external (no Motpart).
    """
    n_boards = len(board_codes)
    # Sales ranked within their buyer, purchase lines within their board, both at random.
    sales = np.flatnonzero((konto == 3110) & (counterparty > 0))
    sales = sales[np.lexsort((rng.random(len(sales)), other[sales]))]
    eligible = np.isin(konto, _PURCHASE_ACCOUNTS) & ~credit & (counterparty == 0)
    lines = np.flatnonzero(eligible)
    lines = lines[np.lexsort((rng.random(len(lines)), board[lines]))]
    span = len(board) + 1
    _, s, p = np.intersect1d(
        other[sales] * span + _rank_within(other[sales]),
        board[lines] * span + _rank_within(board[lines]),
        assume_unique=True,
        return_indices=True,
    )
    sales, purchases = sales[s], lines[p]

    def absorbed(purchases: np.ndarray, sales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        change = np.bincount(
            board[purchases], weights=-ore[sales] - ore[purchases], minlength=n_boards
        )
        rest = is_cost & ~credit & (counterparty == 0)
        rest[purchases] = False
        total = np.bincount(board[rest], weights=ore[rest], minlength=n_boards)
        return rest, (total - change) / np.maximum(total, 1.0)

    rest, factor = absorbed(purchases, sales)
    feasible = factor[board[purchases]] >= _MIN_ABSORB_FACTOR
    sales, purchases = sales[feasible], purchases[feasible]
    rest, factor = absorbed(purchases, sales)

    new_ore = ore.copy()
    new_ore[purchases] = -ore[sales]
    scaled = np.clip(np.rint(ore * factor[board]), MIN_LINE_ORE, MAX_LINE_ORE).astype(np.int64)
    new_ore[rest] = scaled[rest]
    # Rounding leaves a few öre per board: its largest absorbing line takes them.
    target = np.bincount(board, weights=np.where(is_cost & ~credit, ore, 0), minlength=n_boards)
    kept = np.bincount(board, weights=np.where(is_cost & ~credit, new_ore, 0), minlength=n_boards)
    ranked = np.flatnonzero(rest)[np.lexsort((new_ore[rest], board[rest]))]
    largest = ranked[np.r_[board[ranked][1:] != board[ranked][:-1], True]]
    new_ore[largest] += np.rint(target - kept).astype(np.int64)[board[largest]]

    new_counterparty = counterparty.copy()
    new_counterparty[np.setdiff1d(np.flatnonzero(konto == 3110), sales)] = 0
    new_counterparty[purchases] = board_codes[board[sales]]
    return new_ore, new_counterparty


def _ledger_columns(frame: pl.DataFrame, tables: CityTables, year: int, month: int) -> pl.DataFrame:
    """The export's text columns (all but Belopp, which depends on the file's format)."""
    period = f"{year}{month:02d}"
    code = pl.col("board").cast(pl.String)
    activity = pl.col("activity").cast(pl.String)
    ansvar = _ansvar(frame["board"].to_numpy(), frame["activity"].to_numpy())
    text = tables.texts.gather(frame["text"].to_numpy())
    series = _SERIES.gather(frame["series"].to_numpy())
    return frame.with_columns(text_value=text, series_letter=series).select(
        pl.lit(period).alias("Period"),
        code.alias("Nämnd"),
        pl.Series("Ansvar", ansvar).cast(pl.String),
        activity.alias("Verksamhet"),
        pl.col("konto").cast(pl.String).alias("Konto"),
        pl.when(pl.col("project") > 0).then(pl.col("project").cast(pl.String)).alias("Projekt"),
        pl.when(pl.col("counterparty") > 0)
        .then(pl.col("counterparty").cast(pl.String))
        .alias("Motpart"),
        pl.col("ore"),
        pl.concat_str(
            pl.lit(f"V{period}-"),
            code,
            pl.lit("-"),
            activity,
            pl.lit("-"),
            pl.col("series_letter"),
            pl.col("seq").cast(pl.String).str.zfill(4),
        ).alias("Verifikation"),
        pl.concat_str(
            pl.lit(f"{year}-{month:02d}-"), pl.col("day").cast(pl.String).str.zfill(2)
        ).alias("Datum"),
        pl.when(~pl.col("no_text")).then(pl.col("text_value")).alias("Text"),
    )


def _belopp(ore: pl.Expr, fmt: Format) -> pl.Expr:
    """Belopp as the export writes it: decimal comma, two decimals, the file's grouping.

    Lines stay under 10 Mkr, so there are at most three groups (`9 999 999,99`).
    """
    magnitude = ore.abs()
    kronor = magnitude // 100
    ore_text = (magnitude % 100).cast(pl.String).str.zfill(2)
    if fmt.group:
        millions = (kronor // 1_000_000).cast(pl.String)
        thousands = (kronor // 1000) % 1000
        units = (kronor % 1000).cast(pl.String).str.zfill(3)
        kronor_text = (
            pl.when(kronor >= 1_000_000)
            .then(
                pl.concat_str(
                    millions,
                    pl.lit(fmt.group),
                    thousands.cast(pl.String).str.zfill(3),
                    pl.lit(fmt.group),
                    units,
                )
            )
            .when(kronor >= 1000)
            .then(pl.concat_str(thousands.cast(pl.String), pl.lit(fmt.group), units))
            .otherwise(kronor.cast(pl.String))
        )
    else:
        kronor_text = kronor.cast(pl.String)
    sign = pl.when(ore < 0).then(pl.lit(fmt.minus)).otherwise(pl.lit(""))
    return pl.concat_str(sign, kronor_text, pl.lit(","), ore_text)


def render_ledger(ledger: pl.DataFrame, fmt: Format) -> bytes:
    """The bytes of a ledger export in the given format."""
    if int(ledger["ore"].abs().max()) > MAX_LINE_ORE:  # type: ignore[arg-type]
        raise ValueError("a ledger line of 10 Mkr or more cannot be written")
    table = ledger.with_columns(_belopp(pl.col("ore"), fmt).alias("Belopp")).select(LEDGER_HEADER)
    text = table.write_csv(separator=";", line_terminator=fmt.newline, quote_style="never")
    if fmt.encoding == "cp1252":
        return text.encode("cp1252")
    return UTF8_BOM + text.encode("utf-8")


def _money(ore: int) -> str:
    """Exact kronor from integer öre, decimal comma, no grouping: `-1931144,95`."""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor},{rest:02d}"


def _control(ledger: pl.DataFrame) -> bytes:
    """The `.ctl` file of a ledger export: rows and exact sum per board (integer öre)."""
    totals = (
        ledger.group_by("Nämnd", "Period", maintain_order=True)
        .agg(pl.len().alias("rows"), pl.col("ore").sum().alias("ore"))
        .sort("Nämnd")
    )
    lines = ["Nämnd;Period;Rader;Summa"]
    for namnd, period, rows, ore in totals.iter_rows():
        lines.append(f"{namnd};{period};{rows};{_money(int(ore))}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _correction(ledger: pl.DataFrame, board: int, year: int, month: int) -> pl.DataFrame:
    """A complete re-export of one board's month: one amount changed and one voucher added.

    The changed line was mis-keyed by 1 000 kr; the added voucher is an invoice for
    consumables (18 750 kr) that was booked after the first export, on the last day. The
    changed line is the middle one of the external lines (no Motpart), so that internal
    trade still reconciles after the correction.
    """
    rows = ledger.filter(pl.col("Nämnd") == str(board))
    external = rows.with_row_index("i").filter(pl.col("Motpart").is_null())["i"]
    middle = int(external[len(external) // 2])
    fixed = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == middle)
        .then(pl.col("ore") + pl.when(pl.col("ore") < 0).then(-100_000).otherwise(100_000))
        .otherwise(pl.col("ore"))
        .alias("ore")
    )
    last_day = calendar.monthrange(year, month)[1]
    extra = pl.DataFrame(
        {
            "Period": [f"{year}{month:02d}"],
            "Nämnd": [str(board)],
            "Ansvar": [f"{board}01"],
            "Verksamhet": ["100"],
            "Konto": ["6410"],
            "Projekt": [None],
            "Motpart": [None],
            "ore": [18_750_00],
            "Verifikation": [f"V{year}{month:02d}-{board}-100-K{rows.height + 1:04d}"],
            "Datum": [f"{year}-{month:02d}-{last_day:02d}"],
            "Text": ["Rättelse felkontering"],
        },
        schema=fixed.schema,
    )
    return pl.concat([fixed, extra])


def _with_personnummer(ledger: pl.DataFrame, board: int) -> pl.DataFrame:
    """A board's month in which one line's text names a person: the batch must be rejected.

    The first salary line (5010) gets `Ersättning <personnummer>`, the kind of text a
    clerk types when paying a fee to one named person.
    """
    rows = ledger.filter(pl.col("Nämnd") == str(board))
    salary = rows.with_row_index("i").filter(pl.col("Konto").str.starts_with("5"))["i"]
    target = int(salary[0]) if len(salary) else 0
    return rows.with_columns(
        pl.when(pl.int_range(pl.len()) == target)
        .then(pl.lit(f"Ersättning {FAKE_PERSONNUMMER}"))
        .otherwise(pl.col("Text"))
        .alias("Text")
    )


def _organisation(years: tuple[int, ...]) -> bytes:
    """organisation.csv: the boards and departments, with a little history.

    In 2019 the IT department and the renewal department were closed and their work went
    to a new digitalisation department (Nedlagd with Efterträdare); one board is renamed
    on 1 January of the middle demo year, so that reports show both names.
    """
    events: list[tuple[str, str, int, str, str, str, str]] = []
    for b in BOARDS:
        events.append((b.created, "Skapad", b.code, b.name, b.typ, "", ""))
    for code, name in DEPARTMENTS:
        events.append(("2007-01-01", "Skapad", code, name, "Avdelning", "101", ""))
    events += [
        ("2019-01-01", "Skapad", 1027, "Digitaliseringsavdelningen", "Avdelning", "101", ""),
        ("2019-01-01", "Nedlagd", 1022, "Förnyelseavdelningen", "Avdelning", "101", "1020,1027"),
        ("2019-01-01", "Nedlagd", 1023, "IT-avdelningen", "Avdelning", "101", "1027"),
    ]
    renamed = next(b for b in BOARDS if b.code == RENAMED[0])
    rename_year = years[len(years) // 2]
    events.append(
        (f"{rename_year}-01-01", "Namnbyte", renamed.code, RENAMED[1], renamed.typ, "", "")
    )
    # By date only (a stable sort): on one date a successor is created before it is named.
    events.sort(key=lambda e: e[0])
    lines = ["Datum;Händelse;Kod;Namn;Typ;Överordnad;Efterträdare"]
    lines += [";".join(str(cell) for cell in event) for event in events]
    return UTF8_BOM + ("\n".join(lines) + "\n").encode("utf-8")


def _verksamheter() -> bytes:
    """verksamheter.csv: every board's activities, valid from the board's creation, with
    the optional Efterträdare and RS-kod (issue 17)."""
    lines = ["Nämnd;Verksamhet;Namn;Överordnad;Giltig från;Giltig till;Efterträdare;RS-kod"]
    for b in BOARDS:
        rs_codes = RS_CODES.get(b.code, _DISTRICT_RS)
        for code, name, parent in _activities(b.code):
            until = ENDED.get((b.code, code), "")
            parent_text = "" if parent is None else str(parent)
            successor = SUCCESSORS.get((b.code, code), "")
            rs = rs_codes.get(code, "")
            lines.append(
                f"{b.code};{code};{name};{parent_text};{b.created};{until};{successor};{rs}"
            )
    return UTF8_BOM + ("\n".join(lines) + "\n").encode("utf-8")

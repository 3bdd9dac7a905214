"""The demo city's other exports: budget, forecasts, payroll, sick leave, survey, indicators.

`demo.city` draws the ledger; this module derives everything else from the same city
(boards, activity sizes, growth) so that the reports add up the way a controller expects:
a budget close to what is booked, forecasts that move from the budget towards the year's
outcome, a staff whose size follows the board's personnel cost, sick leave measured in
hours of that staff. Each export draws from its own generator, seeded with
(seed, year, month, stream) where stream is never 0, so these draws never touch the
ledger's (seed, year, month) streams: the ledger files stay byte for byte what they were.

Every function is vectorised over boards (numpy, Polars): the bench's ten years for 28
boards take well under a second of the generator's time.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np
import polars as pl

from demo.city import (
    _MONTH_END_SHARE,
    _ORDINARY,
    _SEASON,
    BASE_YEAR,
    BOARDS,
    DEPRECIATION,
    INTERNAL_INTEREST,
    NBSP,
    UTF8_BOM,
    YEARLY_GROWTH,
    CityTables,
    Format,
    _belopp,
)

__all__ = [
    "budget_decision",
    "forecast",
    "indicators",
    "payroll",
    "plan",
    "result_funds",
    "sick_leave",
    "survey",
]

# Streams of the generators (never 0: (seed, year, month) with a trailing 0 is the ledger's).
_BUDGET, _FORECAST, _PAYROLL, _SICK, _SURVEY, _INDICATORS = 101, 102, 103, 104, 105, 106

SLAG = ("Kostnader", "Intäkter", "Investering")
# Budget figures are decided in whole thousands of kronor.
BUDGET_ROUNDING_KRONOR = 1000

# The formats of these exports, one per system, like the reference folder's files.
UTF8_NBSP = Format("utf-8", "\n", NBSP, "-")  # the budget system (budget_2011_1.csv)
UTF8_PLAIN = Format("utf-8", "\n", "", "-")  # payroll, survey, T1 forecasts
UTF8_BOM_SPACE = Format("utf-8-sig", "\n", " ", "-")  # T2 forecast, indicators
CP1252_CRLF = Format("cp1252", "\r\n", "", "-")  # HR statistics, monthly forecasts


@dataclass(frozen=True)
class Plan:
    """A year's plan per board, activity and Slag, in kronor: what the ledger is drawn to.

    The ledger scales its lines so that a board's month meets cost_mkr × season × growth;
    the same arithmetic, per activity (by the activity's weight) and per kind of account
    (by the accounts' expected share of the amounts), gives what a year books on average.
    """

    frame: pl.DataFrame  # board (int), activity (int), slag (str), kronor (float)


def _activity_weights(tables: CityTables) -> tuple[np.ndarray, np.ndarray]:
    """(board index, weight) of every ordinary activity; weights sum to 1 per board.

    `act_cum` is board index + cumulative weight, ending exactly at b + 1 for board b, so
    consecutive differences are the weights (the first of board b starts at b).
    """
    weights = np.diff(np.r_[0.0, tables.act_cum])
    board = np.ceil(tables.act_cum).astype(np.int64) - 1
    return board, weights


def _mass(kind: str, konto_prefix: str = "") -> float:
    """Expected share of amounts of accounts of a kind: Σ row share × relative size."""
    return sum(
        share * size
        for konto, name, share, size, _ in _ORDINARY
        if name == kind and str(konto).startswith(konto_prefix)
    )


def plan(tables: CityTables, year: int) -> Plan:
    """What each board's activities book in `year` on average (the ledger's expectation)."""
    board, weight = _activity_weights(tables)
    growth = YEARLY_GROWTH ** (year - BASE_YEAR)
    cost = np.array([b.cost_mkr for b in BOARDS]) * 1e6 * growth
    dep = np.array([b.depreciation_share for b in BOARDS])
    revenue = np.array([b.revenue_share for b in BOARDS])
    month_end = dep * sum(_MONTH_END_SHARE)
    ordinary_cost = cost * (1 - month_end)
    # Financial income (84) is booked on the administration (100), not spread.
    financial = _mass("revenue", "84") / _mass("revenue")
    invest = _mass("invest") / _mass("cost")
    codes = tables.board_codes
    activity = tables.act_code
    parts = [
        (codes[board], activity, "Kostnader", ordinary_cost[board] * weight),
        (
            codes[board],
            activity,
            "Intäkter",
            cost[board] * revenue[board] * weight * (1 - financial),
        ),
        (codes[board], activity, "Investering", ordinary_cost[board] * weight * invest),
        (codes, np.full(len(codes), 100), "Intäkter", cost * revenue * financial),
        (
            codes,
            np.full(len(codes), DEPRECIATION),
            "Kostnader",
            cost * dep * sum(_MONTH_END_SHARE[:2]),
        ),
        (
            codes,
            np.full(len(codes), INTERNAL_INTEREST),
            "Kostnader",
            cost * dep * _MONTH_END_SHARE[2],
        ),
    ]
    frame = (
        pl.concat(
            pl.DataFrame({"board": b, "activity": a, "slag": [s] * len(b), "kronor": k})
            for b, a, s, k in parts
        )
        .group_by("board", "activity", "slag")
        .agg(pl.col("kronor").sum())
        .sort("board", "slag", "activity", descending=[False, True, False])
    )
    return Plan(frame)


def _rng(seed: int, year: int, month: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, year, month, stream])


def _write(frame: pl.DataFrame, fmt: Format) -> bytes:
    """The bytes of an export: `;`-separated, the format's newline and encoding."""
    text = frame.write_csv(separator=";", line_terminator=fmt.newline, quote_style="never")
    if fmt.encoding == "cp1252":
        return text.encode("cp1252")
    if fmt.encoding == "utf-8-sig":
        return UTF8_BOM + text.encode("utf-8")
    return text.encode("utf-8")


def _kronor_text(column: str, fmt: Format) -> pl.Expr:
    """Whole kronor as money text: `24 500 000,00` (grouping from the format)."""
    return _belopp(pl.col(column).cast(pl.Int64) * 100, fmt)


def _decimal_text(column: str, decimals: int) -> pl.Expr:
    """A non-negative number as text with a decimal comma and fixed decimals: `145,0`."""
    scaled = (pl.col(column) * 10**decimals).round(0).cast(pl.Int64)
    whole = (scaled // 10**decimals).cast(pl.String)
    part = (scaled % 10**decimals).cast(pl.String).str.zfill(decimals)
    return pl.concat_str(whole, pl.lit(","), part)


# --- 2. budget -------------------------------------------------------------------------


def _rounded(kronor: pl.Expr) -> pl.Expr:
    return (kronor / BUDGET_ROUNDING_KRONOR).round(0) * BUDGET_ROUNDING_KRONOR


def budget_decision(the_plan: Plan, seed: int, year: int, number: int) -> pl.DataFrame:
    """Decision `number` of `year`'s budget, as rows (board, activity, slag, kronor, ...).

    1. Ursprunglig: KF decides the plan in November of the year before, each line off
       the expected outcome by up to ±4 % (a budget is a plan, not a forecast).
    2. Ombudgetering: KS moves costs between two activities of every third board in March
       (a pair of lines, +X and −X: the board's total is unchanged).
    3. Tilläggsbudget: KF adds costs to four boards in June (new tasks, 1-3 % more).
    """
    rng = _rng(seed, year, number, _BUDGET)
    frame = the_plan.frame
    if number == 1:
        factor = rng.uniform(0.96, 1.04, frame.height)
        rows = frame.with_columns(
            _rounded(pl.col("kronor") * pl.Series(factor)).cast(pl.Int64).alias("kronor")
        )
        return _decision(rows, year, f"KF {year - 1}-11-{_day(rng)} §12", "Ursprunglig")
    costs = frame.filter(
        (pl.col("slag") == "Kostnader") & (pl.col("activity") < DEPRECIATION)
    ).with_columns(
        pl.int_range(pl.len()).over("board").alias("i"), pl.len().over("board").alias("n")
    )
    boards = np.unique(costs["board"].to_numpy())
    if number == 2:
        chosen = boards[::3]
        first = rng.integers(0, 1 << 30, len(chosen))
        step = rng.integers(1, 1 << 30, len(chosen))
        moved = rng.uniform(0.01, 0.03, len(chosen))
        picks = pl.DataFrame({"board": chosen, "a": first, "s": step, "share": moved})
        rows = (
            costs.join(picks, on="board")
            .with_columns(
                source=pl.col("a") % pl.col("n"),
                target=(pl.col("a") + 1 + pl.col("s") % (pl.col("n") - 1)) % pl.col("n"),
            )
            .with_columns(
                amount=_rounded(
                    pl.col("kronor").filter(pl.col("i") == pl.col("source")).first().over("board")
                    * pl.col("share")
                )
            )
            .filter((pl.col("i") == pl.col("source")) | (pl.col("i") == pl.col("target")))
            .select(
                "board",
                "activity",
                "slag",
                pl.when(pl.col("i") == pl.col("source"))
                .then(-pl.col("amount"))
                .otherwise(pl.col("amount"))
                .cast(pl.Int64)
                .alias("kronor"),
            )
        )
        return _decision(rows, year, f"KS {year}-03-{_day(rng)} §7", "Ombudgetering")
    if number == 3:
        chosen = np.sort(rng.choice(boards, size=min(4, len(boards)), replace=False))
        which = rng.integers(0, 1 << 30, len(chosen))
        added = rng.uniform(0.01, 0.03, len(chosen))
        picks = pl.DataFrame({"board": chosen, "a": which, "share": added})
        rows = (
            costs.join(picks, on="board")
            .with_columns(pl.col("kronor").sum().over("board").alias("total"))
            .filter(pl.col("i") == pl.col("a") % pl.col("n"))
            .select(
                "board",
                "activity",
                "slag",
                _rounded(pl.col("total") * pl.col("share")).cast(pl.Int64).alias("kronor"),
            )
        )
        return _decision(rows, year, f"KF {year}-06-{_day(rng)} §31", "Tilläggsbudget")
    raise ValueError(f"the demo budget has decisions 1-3, not {number}")


def _day(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(10, 29)):02d}"


def _decision(rows: pl.DataFrame, year: int, beslut: str, typ: str) -> pl.DataFrame:
    return rows.sort("board", "slag", "activity", descending=[False, True, False]).with_columns(
        pl.lit(year).alias("year"),
        pl.lit(beslut).alias("beslut"),
        pl.lit(beslut.split(" ")[1]).alias("date"),
        pl.lit(typ).alias("typ"),
    )


def render_budget(decision: pl.DataFrame, fmt: Format = UTF8_NBSP) -> bytes:
    """`budget_<YYYY>_<n>.csv` (source-formats.md §2)."""
    return _write(
        decision.select(
            pl.col("year").cast(pl.String).alias("År"),
            pl.col("beslut").alias("Beslut"),
            pl.col("date").alias("Beslutsdatum"),
            pl.col("typ").alias("Typ"),
            pl.col("board").cast(pl.String).alias("Nämnd"),
            pl.col("activity").cast(pl.String).alias("Verksamhet"),
            pl.col("slag").alias("Slag"),
            _kronor_text("kronor", fmt).alias("Belopp"),
        ),
        fmt,
    )


def adjusted_budget(decisions: list[pl.DataFrame]) -> pl.DataFrame:
    """Justerad budget: the sum of every decision so far, per board, activity and Slag."""
    return (
        pl.concat([d.select("board", "activity", "slag", "kronor") for d in decisions])
        .group_by("board", "activity", "slag")
        .agg(pl.col("kronor").sum())
    )


# --- 3. forecasts ----------------------------------------------------------------------


def booked(ledger: pl.DataFrame) -> pl.DataFrame:
    """A month's ledger as the follow-up reads it: kronor per board, activity and Slag.

    Kostnader = classes 4-7 and 85 as booked; Intäkter = class 3 and 84, sign turned;
    Investering = class 1 debits (source-formats.md §1). Classes 80-83 are the city's.
    """
    konto = pl.col("Konto").cast(pl.Int64)
    slag = (
        pl.when(konto < 2000)
        .then(pl.lit("Investering"))
        .when((konto < 4000) | (konto // 100 == 84))
        .then(pl.lit("Intäkter"))
        .when((konto < 8000) | (konto // 100 == 85))
        .then(pl.lit("Kostnader"))
    )
    sign = pl.when(slag == "Intäkter").then(-1).otherwise(1)
    return (
        ledger.select(
            pl.col("Nämnd").cast(pl.Int64).alias("board"),
            pl.col("Verksamhet").cast(pl.Int64).alias("activity"),
            slag.alias("slag"),
            (pl.col("ore") * sign).alias("ore"),
        )
        .filter(pl.col("slag").is_not_null())
        .group_by("board", "activity", "slag")
        .agg(pl.col("ore").sum())
    )


def forecast(
    budget: pl.DataFrame, ytd: pl.DataFrame, seed: int, year: int, month: int
) -> pl.DataFrame:
    """The full-year forecast made after `month`: booked so far plus the budget's rest.

    The rest of the year is the adjusted budget times the season's remaining share, off by
    up to ±5 % per line (the controllers' judgement); a forecast is never negative.
    """
    rng = _rng(seed, year, month, _FORECAST)
    remaining = float(_SEASON[month:].sum() / _SEASON.sum())
    lines = budget.join(ytd, on=["board", "activity", "slag"], how="left").sort(
        "board", "slag", "activity", descending=[False, True, False]
    )
    judgement = pl.Series(rng.uniform(0.95, 1.05, lines.height))
    return lines.select(
        "board",
        "activity",
        "slag",
        (
            pl.col("ore").fill_null(0) / 100
            + pl.col("kronor").clip(lower_bound=0) * remaining * judgement
        )
        .clip(lower_bound=0)
        .pipe(_rounded)
        .cast(pl.Int64)
        .alias("kronor"),
    )


def render_forecast(lines: pl.DataFrame, year: int, occasion: str, fmt: Format) -> bytes:
    """`prognos_<YYYY>_<T1|T2|Mmm>.csv` (source-formats.md §3)."""
    return _write(
        lines.select(
            pl.lit(str(year)).alias("År"),
            pl.lit(occasion).alias("Prognostillfälle"),
            pl.col("board").cast(pl.String).alias("Nämnd"),
            pl.col("activity").cast(pl.String).alias("Verksamhet"),
            pl.col("slag").alias("Slag"),
            _kronor_text("kronor", fmt).alias("Prognos"),
        ),
        fmt,
    )


def corrected_forecast(lines: pl.DataFrame, board: int) -> pl.DataFrame:
    """A board's forecast re-delivered: two lines were typed in the wrong activity's row.

    The first two Kostnader lines of the board swap amounts, and the administration's
    costs rise by 500 000 kr (a late decision on premises): the whole occasion of the
    board is delivered again and supersedes the first delivery.
    """
    own = lines.filter(pl.col("board") == board)
    first, second = own.with_row_index("i").filter(pl.col("slag") == "Kostnader")["i"][:2]
    kronor = own["kronor"].to_list()
    kronor[first], kronor[second] = kronor[second] + 500_000, kronor[first]
    return own.with_columns(pl.Series("kronor", kronor, dtype=pl.Int64))


# --- 4. payroll, 5. sick leave ---------------------------------------------------------

FORMS = ("Tillsvidare", "Visstid", "Timavlönad")
# Share of the staff per employment type, and full-time equivalents per person: permanent
# staff work 93 % of full time on average, fixed-term 80 %, hourly-paid 40 %.
_FORM_SHARE = np.array([0.88, 0.07, 0.05])
_FTE_PER_PERSON = np.array([0.93, 0.80, 0.40])
# A full-time employee costs ~700 kkr a year with social fees (5010 + 5610): personnel
# is ~65 % of the operating cost in a Swedish municipality.
_COST_PER_FTE = 700_000
_PERSONNEL_SHARE = 0.65
# Gross monthly pay of a full-time employee in BASE_YEAR; grows with the ledger's 3 %.
_MONTHLY_PAY = 36_000
# Women's share of the staff: care and schools are mostly women, streets and IT less.
_WOMEN = {"Stadsdelsnämnd": 0.78, "Kommunstyrelse": 0.6, "Facknämnd": 0.62}
_WOMEN_OVERRIDE = {137: 0.5, 138: 0.38, 139: 0.75, 140: 0.82, 142: 0.64}
AGE_GROUPS = ("-29", "30-49", "50-")
_AGE_SHARE = np.array([0.16, 0.50, 0.34])
# Sick leave, share of scheduled hours: ~5.5 % on average, more for women and for the
# older, most in winter and least in July (Stockholm's boards report 5-8 %).
_SICK_BASE = 0.055
_SICK_GENDER = np.array([1.15, 0.75])  # K, M
_SICK_AGE = np.array([0.75, 1.0, 1.2])
_SICK_SEASON = np.array([1.25, 1.25, 1.15, 1.0, 0.95, 0.85, 0.6, 0.8, 1.0, 1.05, 1.1, 1.1])
_SHORT_PART, _LONG_PART = 0.40, 0.33  # of sick hours: day 1-14, 60 days or more
_HOURS_PER_DAY = 8.0


def _staff(year: int) -> np.ndarray:
    """Persons per board, as a float: personnel cost / cost per FTE / FTE per person."""
    growth = YEARLY_GROWTH ** (year - BASE_YEAR)
    cost = np.array([b.cost_mkr for b in BOARDS]) * 1e6 * growth
    fte = cost * _PERSONNEL_SHARE / (_COST_PER_FTE * growth)
    return fte / float(_FORM_SHARE @ _FTE_PER_PERSON)


def _women_share() -> np.ndarray:
    return np.array([_WOMEN_OVERRIDE.get(b.code, _WOMEN[b.typ]) for b in BOARDS])


def payroll(seed: int, year: int, month: int) -> pl.DataFrame:
    """`lon_<YYYYMM>.csv` rows: per board, employment type and gender, aggregates only.

    Hourly-paid staff double in July (holiday cover); every group moves ±3 % a month.
    """
    rng = _rng(seed, year, month, _PAYROLL)
    n = len(BOARDS)
    summer = np.array([1.0, 1.0, 2.0]) if month == 7 else np.ones(3)
    women = _women_share()
    gender = np.stack([women, 1 - women], axis=1)  # (B, 2)
    persons = (
        _staff(year)[:, None, None]
        * (_FORM_SHARE * summer)[None, :, None]
        * gender[:, None, :]
        * rng.uniform(0.97, 1.03, (n, 3, 2))
    )
    headcount = np.rint(persons).astype(np.int64)
    fte = np.round(
        headcount * _FTE_PER_PERSON[None, :, None] * rng.uniform(0.97, 1.0, (n, 3, 2)), 1
    )
    # People who left during the month were paid but are not counted at its end.
    payslips = headcount + rng.binomial(np.maximum(headcount, 0), 0.01)
    pay = _MONTHLY_PAY * YEARLY_GROWTH ** (year - BASE_YEAR)
    salary = np.round(fte * pay * rng.uniform(0.97, 1.03, (n, 3, 2)), 2)
    board, form, kon = np.meshgrid(np.arange(n), np.arange(3), np.arange(2), indexing="ij")
    return pl.DataFrame(
        {
            "board": np.array([b.code for b in BOARDS])[board.ravel()],
            "form": np.array(FORMS)[form.ravel()],
            "kon": np.array(["K", "M"])[kon.ravel()],
            "headcount": headcount.ravel(),
            "fte": fte.ravel(),
            "payslips": payslips.ravel(),
            "ore": np.rint(salary.ravel() * 100).astype(np.int64),
        }
    ).with_columns(pl.lit(f"{year}{month:02d}").alias("period"))


def render_payroll(rows: pl.DataFrame, fmt: Format = UTF8_PLAIN) -> bytes:
    """`lon_<YYYYMM>.csv` (source-formats.md §4)."""
    return _write(
        rows.select(
            pl.col("period").alias("Period"),
            pl.col("board").cast(pl.String).alias("Nämnd"),
            pl.col("form").alias("Anställningsform"),
            pl.col("kon").alias("Kön"),
            pl.col("headcount").cast(pl.String).alias("Anställda"),
            _decimal_text("fte", 1).alias("Årsarbetare"),
            pl.col("payslips").cast(pl.String).alias("Utbetalda löner"),
            _belopp(pl.col("ore"), fmt).alias("Lönesumma"),
        ),
        fmt,
    )


def sick_leave(seed: int, year: int, month: int) -> pl.DataFrame:
    """`sjukfranvaro_<YYYYMM>.csv` rows: hours per board, gender and age group.

    The monthly-paid staff (Tillsvidare, Visstid) split by age; scheduled hours are
    working days × 8 h × the FTE per person. Small boards' groups of men under 30 have
    fewer than 10 persons (Överförmyndarnämnden: ~3), so suppression has work to do.
    """
    rng = _rng(seed, year, month, _SICK)
    n = len(BOARDS)
    women = _women_share()
    gender = np.stack([women, 1 - women], axis=1)
    monthly_paid = _staff(year) * _FORM_SHARE[:2].sum()
    persons = (
        monthly_paid[:, None, None]
        * gender[:, :, None]
        * _AGE_SHARE[None, None, :]
        * rng.uniform(0.97, 1.03, (n, 2, 3))
    )
    headcount = np.rint(persons).astype(np.int64)
    fte = float(_FORM_SHARE[:2] @ _FTE_PER_PERSON[:2] / _FORM_SHARE[:2].sum())
    scheduled = headcount * _working_days(year, month) * _HOURS_PER_DAY * fte
    scheduled = np.round(scheduled * rng.uniform(0.98, 1.0, (n, 2, 3)), 2)
    board_factor = _rng(seed, 0, 0, _SICK).uniform(0.7, 1.3, n)  # a board keeps its level
    share = (
        _SICK_BASE
        * board_factor[:, None, None]
        * _SICK_GENDER[None, :, None]
        * _SICK_AGE[None, None, :]
        * _SICK_SEASON[month - 1]
        * rng.uniform(0.8, 1.2, (n, 2, 3))
    )
    sick = np.round(scheduled * np.minimum(share, 0.5), 2)
    short = np.round(sick * _SHORT_PART * rng.uniform(0.8, 1.2, (n, 2, 3)), 2)
    long = np.round(sick * _LONG_PART * rng.uniform(0.7, 1.3, (n, 2, 3)), 2)
    board, kon, age = np.meshgrid(np.arange(n), np.arange(2), np.arange(3), indexing="ij")
    return pl.DataFrame(
        {
            "board": np.array([b.code for b in BOARDS])[board.ravel()],
            "kon": np.array(["K", "M"])[kon.ravel()],
            "age": np.array(AGE_GROUPS)[age.ravel()],
            "headcount": headcount.ravel(),
            "scheduled": scheduled.ravel(),
            "sick": sick.ravel(),
            "short": np.minimum(short, sick).ravel(),
            "long": np.minimum(long, sick).ravel(),
        }
    ).with_columns(pl.lit(f"{year}{month:02d}").alias("period"))


def _working_days(year: int, month: int) -> int:
    """Weekdays of the month (public holidays aside: the demo needs plausible hours)."""
    days = calendar.monthrange(year, month)[1]
    return sum(1 for d in range(1, days + 1) if calendar.weekday(year, month, d) < 5)


def render_sick_leave(rows: pl.DataFrame, fmt: Format = CP1252_CRLF) -> bytes:
    """`sjukfranvaro_<YYYYMM>.csv` (source-formats.md §5)."""
    return _write(
        rows.select(
            pl.col("period").alias("Period"),
            pl.col("board").cast(pl.String).alias("Nämnd"),
            pl.col("kon").alias("Kön"),
            pl.col("age").alias("Åldersgrupp"),
            pl.col("headcount").cast(pl.String).alias("Anställda"),
            _decimal_text("scheduled", 2).alias("Ordinarie arbetstid"),
            _decimal_text("sick", 2).alias("Sjukfrånvaro"),
            _decimal_text("short", 2).alias("Varav dag 1-14"),
            _decimal_text("long", 2).alias("Varav 60 dagar eller mer"),
        ),
        fmt,
    )


# --- 6. staff survey -------------------------------------------------------------------

# Stockholm's survey since 2012: Aktivt Medskapandeindex and its three parts. Only the
# main index carries the response rate; the parts leave Svarsfrekvens empty.
SURVEY_INDICES = (
    "Aktivt Medskapandeindex",
    "Ledarskapsindex",
    "Motivationsindex",
    "Styrningsindex",
)


def survey(seed: int, year: int) -> bytes:
    """`medarbetarenkat_<YYYY>.csv` (source-formats.md §6): indices 0-100 per board."""
    rng = _rng(seed, year, 0, _SURVEY)
    n, k = len(BOARDS), len(SURVEY_INDICES)
    level = _rng(seed, 0, 0, _SURVEY).uniform(72, 84, n)  # a board keeps its level
    values = np.clip(np.rint(level[:, None] + rng.normal(0, 2, (n, k))), 0, 100)
    response = np.clip(np.rint(rng.uniform(65, 92, n)), 0, 100)
    board, index = np.meshgrid(np.arange(n), np.arange(k), indexing="ij")
    frame = pl.DataFrame(
        {
            "År": [str(year)] * (n * k),
            "Nämnd": np.array([b.code for b in BOARDS])[board.ravel()].astype(str),
            "Index": np.array(SURVEY_INDICES)[index.ravel()],
            "Värde": values.ravel().astype(np.int64).astype(str),
            "Svarsfrekvens": np.where(index == 0, response.astype(np.int64)[:, None], -1).ravel(),
        }
    ).with_columns(
        pl.when(pl.col("Svarsfrekvens") >= 0).then(pl.col("Svarsfrekvens").cast(pl.String))
    )
    return _write(frame, UTF8_PLAIN)


# --- comments (kommentarer) ------------------------------------------------------------

# The boards that comment in the demo, and an activity of each their comment is about.
COMMENTING = {142: ("240", "Ekonomiadministration"), 140: ("220", "Hemtjänst")}


def comments(year: int, report: str) -> bytes:
    """`kommentarer_<YYYY>_<T1|T2|VB>.csv`: a few boards' own words on their report.

    Servicenämnden (142) and Äldrenämnden (140) comment on the summary, the economy, one
    activity and the staff; the other boards leave none, so their reports say "Ingen
    kommentar lämnad". The texts are the kind a controller writes, without figures (the
    report prints those from the marts beside them).
    """
    when = {"T1": "första tertialet", "T2": "andra tertialet", "VB": "året"}[report]
    rows = []
    for board, (code, name) in COMMENTING.items():
        rows += [
            (
                board,
                "sammanfattning",
                "",
                "analys",
                f"Nämnden bedömer att verksamheten under {when} {year} i huvudsak har bedrivits "
                "enligt plan.",
                "Förvaltningschef",
            ),
            (
                board,
                "ekonomi",
                "",
                "analys",
                "Prognosen bygger på utfallet hittills och kända förändringar under resten av "
                "året.",
                "Ekonomichef",
            ),
            (
                board,
                "verksamhet",
                code,
                "analys",
                f"{name}: avvikelsen följs upp månadsvis tillsammans med verksamheten.",
                "Ekonomichef",
            ),
            (
                board,
                "personal",
                "",
                "åtgärd",
                "Arbetet med tidiga insatser vid sjukfrånvaro fortsätter.",
                "HR-chef",
            ),
        ]
    frame = pl.DataFrame(
        rows,
        schema=["Nämnd", "Avsnitt", "Referens", "Typ", "Text", "Författare"],
        orient="row",
    ).with_columns(pl.col("Nämnd").cast(pl.String), pl.col("Referens").replace("", None))
    return _write(frame, UTF8_BOM_SPACE)


# --- result funds (resultatfond) ---------------------------------------------------------

# The boards with a result fund in the demo: (fund at the start of the first year, used
# each year for one-off costs, set aside from each year's surplus for the next), kronor.
# Servicenämnden's first year is the reference report's 2011: 7,6 mnkr, 2,0 used, 5,6
# carried over.
FUNDS = {142: (7_600_000, 2_000_000, 1_500_000), 140: (3_200_000, 800_000, 600_000)}
FUND_MONTH = 8  # delivered with the T2 report's month: its summary prints the fund rows


def result_funds(year: int, first_year: int) -> bytes:
    """`resultatfond_<YYYY>.csv`: each fund board's decisions on its fund in the year.

    A disposition in March (the fund used in the year) and a transfer in August (what is
    left carried to the next year, announced before the year ends as the reference
    report does); each year's opening fund is the previous year's transfer plus what
    that year set aside. Servicenämnden: 7 600 000 − 2 000 000 = 5 600 000 carried in
    the first year; the second opens with 5 600 000 + 1 500 000 = 7 100 000.
    """
    rows = []
    for board, (first_fund, used, set_aside) in FUNDS.items():
        opening = first_fund
        for _ in range(first_year, year):
            opening = opening - used + set_aside
        acronym = {142: "SN", 140: "ÄN"}[board]
        for number, (kind, amount, day) in enumerate(
            (("disposition", used, "03-16"), ("överföring", opening - used, "08-25")), start=1
        ):
            rows.append(
                (
                    str(board),
                    str(year),
                    f"{opening},00",
                    kind,
                    f"{amount},00",
                    f"{year}-{day}",
                    f"{acronym}-{year}-RF-{number}",
                )
            )
    frame = pl.DataFrame(
        rows,
        schema=[
            "Nämnd",
            "År",
            "Ingående resultatfond",
            "Beslut",
            "Belopp",
            "Beslutsdatum",
            "Beslut-id",
        ],
        orient="row",
    )
    return _write(frame, UTF8_PLAIN)


# --- 7. indicators ---------------------------------------------------------------------

REPORT_MONTH = {"T1": 4, "T2": 8, "VB": 12}
# The one figure the management system cannot read: a board typed `ca 87 %`. It loads,
# keeps its raw text and is flagged in `unparsed` (source-formats.md §7).
UNPARSEABLE = "ca 87 %"
UNPARSEABLE_AT = (142, "T2")  # (board, report) of the last demo year


def indicators(
    seed: int, year: int, report: str, sick_share: np.ndarray, *, unparseable: bool = False
) -> bytes:
    """`indikatorer_<YYYY>_<T1|T2|VB>.csv`: seven indicators per board, texts as typed.

    `sick_share` is each board's sick leave so far this year (%, from the sick-leave
    files), so the reported indicator and the warehouse's own figure can be compared.
    Values come in the forms boards type: `5,5 %`, `0,8%`, `4 300`, `45 st`, `52 kWh/kvm`,
    `Öka`, `minska`, `tas fram av nämnden`, `+/- 1 %`.
    """
    rng = _rng(seed, year, REPORT_MONTH[report], _INDICATORS)
    n = len(BOARDS)
    period = {"T1": f"Tertial 1 {year}", "T2": f"Tertial 2 {year}", "VB": f"VB {year}"}[report]
    at_year_end = report == "VB"
    codes = [str(b.code) for b in BOARDS]
    sick = np.round(sick_share, 1)
    adherence = np.rint(rng.uniform(96, 104, n)).astype(np.int64)
    accuracy = np.round(rng.uniform(-2.5, 2.5, n), 1)
    energy = np.rint(rng.uniform(45, 70, n)).astype(np.int64)
    summer_jobs = np.rint(rng.uniform(10, 60, n)).astype(np.int64) * 5
    handled = np.rint(rng.uniform(75, 98, n)).astype(np.int64)
    cases = np.rint(rng.uniform(800, 6000, n)).astype(np.int64)

    def pct(values: np.ndarray, space: bool = True) -> list[str]:
        return [f"{v:g}".replace(".", ",") + (" %" if space else "%") for v in values]

    def grouped(values: np.ndarray) -> list[str]:
        return [f"{v:,}".replace(",", " ") for v in values]

    def verdict(met: np.ndarray, partly: np.ndarray) -> list[str]:
        return [
            "Uppfylls helt" if m else "Uppfylls delvis" if p else "Uppfylls ej"
            for m, p in zip(met, partly, strict=True)
        ]

    blank = [None] * n
    rows = [
        (
            "KF 2.4",
            "Sjukfrånvaro (alla nämnder/bolag)",
            pct(sick),
            pct(np.round(sick * 0.97, 1)),
            ["5 %"] * n,
            ["4,8 %"] * n,
            [period] * n,
            verdict(sick <= 5, sick <= 6),
        ),
        (
            "KF 3.1",
            "Nämndens budgetföljsamhet (alla nämnder)",
            pct(adherence, space=False),
            pct(adherence, space=False),
            ["100 %"] * n,
            ["100 %"] * n,
            [period] * n,
            verdict(np.abs(adherence - 100) <= 1, np.abs(adherence - 100) <= 3),
        ),
        (
            "KF 3.1",
            "Nämndens prognossäkerhet T2 (alla nämnder)",
            pct(accuracy) if at_year_end else blank,
            blank,
            ["+/- 1 %"] * n,
            ["+/- 1 %"] * n,
            [str(year)] * n,
            verdict(np.abs(accuracy) <= 1, np.abs(accuracy) <= 2) if at_year_end else blank,
        ),
        (
            "KF 1.3",
            "Elförbrukning per kvadratmeter",
            [f"{v} kWh/kvm" for v in energy],
            blank,
            ["55 kWh/kvm"] * n,
            ["minska"] * n,
            [str(year)] * n,
            verdict(energy <= 55, energy <= 60),
        ),
        (
            "KF 1.2",
            "Antal ungdomar som fått sommarjobb i stadens regi (alla nämnder/bolag)",
            blank if report == "T1" else [f"{v} st" for v in summer_jobs],
            blank,
            ["100 st"] * n,
            ["Öka"] * n,
            [str(year)] * n,
            blank if report == "T1" else verdict(summer_jobs >= 100, summer_jobs >= 50),
        ),
        (
            "Nämndmål",
            "Andel ärenden avslutade inom utsatt tid",
            pct(handled, space=False),
            blank,
            ["90%"] * n,
            ["tas fram av nämnden"] * n,
            [period] * n,
            verdict(handled >= 90, handled >= 80),
        ),
        (
            "Nämndmål",
            "Antal handlagda ärenden",
            grouped(cases),
            blank,
            [grouped(np.array([4300]))[0]] * n,
            blank,
            [period] * n,
            blank,
        ),
    ]
    frame = pl.DataFrame(
        {
            "År": [str(year)] * (n * len(rows)),
            "Rapport": [report] * (n * len(rows)),
            "Nämnd": codes * len(rows),
            "Mål": [r[0] for r in rows for _ in range(n)],
            "Indikator": [r[1] for r in rows for _ in range(n)],
            "Periodens utfall": [v for r in rows for v in r[2]],
            "Prognos helår": [v for r in rows for v in r[3]],
            "Årsmål": [v for r in rows for v in r[4]],
            "KF:s årsmål": [v for r in rows for v in r[5]],
            "Period": [v for r in rows for v in r[6]],
            "Bedömning": [v for r in rows for v in r[7]],
        },
        schema={name: pl.String for name in INDICATOR_HEADER},
    ).sort("Nämnd", maintain_order=True)
    if unparseable:
        board, _ = UNPARSEABLE_AT
        frame = frame.with_columns(
            pl.when(
                (pl.col("Nämnd") == str(board))
                & (pl.col("Indikator") == "Andel ärenden avslutade inom utsatt tid")
            )
            .then(pl.lit(UNPARSEABLE))
            .otherwise(pl.col("Periodens utfall"))
            .alias("Periodens utfall")
        )
    return _write(frame, UTF8_BOM_SPACE)


INDICATOR_HEADER = (
    "År",
    "Rapport",
    "Nämnd",
    "Mål",
    "Indikator",
    "Periodens utfall",
    "Prognos helår",
    "Årsmål",
    "KF:s årsmål",
    "Period",
    "Bedömning",
)


def sick_share_so_far(hours: np.ndarray) -> np.ndarray:
    """Sick leave as % of scheduled hours per board from (B, 2) summed [scheduled, sick]."""
    return 100 * hours[:, 1] / np.maximum(hours[:, 0], 1e-9)


def sick_hours(rows: pl.DataFrame) -> np.ndarray:
    """A month's (scheduled, sick) hours per board, in board order: (B, 2)."""
    totals = rows.group_by("board", maintain_order=True).agg(
        pl.col("scheduled").sum(), pl.col("sick").sum()
    )
    return totals.select("scheduled", "sick").to_numpy()

"""The demo city written into a landing zone: every source, with the promised accidents.

`demo.city` draws the registers and the ledgers, `demo.exports` every other source
(budget decisions, forecasts, payroll, sick leave, the staff survey and indicators); this
module writes them month by month, with the accidents of real deliveries (corrections, a
duplicate file, a file that must be rejected, a figure that cannot be read) placed on
known dates so that a demo can point at them.

Everything is derived from the arguments: the same arguments give byte-identical files,
so a rerun of `tertial demo` delivers nothing new (a file is identified by its SHA-256).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from demo import balances, exports, mapping, units
from demo.city import (
    BOARDS,
    MIN_ROWS_PER_BOARD_MONTH,
    PLAIN,
    CityTables,
    _control,
    _control_month,
    _correction,
    _organisation,
    _verksamheter,
    _with_personnummer,
    city_tables,
    format_of,
    month_ledger,
    render_ledger,
)

__all__ = ["DemoCity", "write_demo_city"]


@dataclass(frozen=True)
class DemoCity:
    """What `write_demo_city` wrote: the files, in name order, and their size."""

    files: list[Path]  # every file written, in name order
    ledger_rows: int  # total data rows written to huvudbok files (incl. correction/duplicate/bad)
    boards: int


class _YearExports:
    """A year's exports besides the ledger, written as the months that carry them pass.

    Budget decisions come first (the year's plan); payroll and sick leave every month;
    forecasts after April (T1), August (T2) and October (M10) from what is booked so far;
    indicators at the tertials and the year-end, the survey with the year-end.
    """

    def __init__(
        self,
        tables: CityTables,
        seed: int,
        year: int,
        landing: Path,
        write: Callable[[Path, bytes], None],
        *,
        first_year: int,
    ) -> None:
        x = exports
        self.x, self.seed, self.year, self.write = x, seed, year, write
        self.first_year, self.is_first = first_year, year == first_year
        self.ekonomi, self.hr, self.ils = landing / "ekonomi", landing / "hr", landing / "ils"
        for folder in (self.hr, self.ils):
            folder.mkdir(parents=True, exist_ok=True)
        plan = x.plan(tables, year)
        decisions = [x.budget_decision(plan, seed, year, n) for n in (1, 2, 3)]
        for number, decision in enumerate(decisions, start=1):
            write(self.ekonomi / f"budget_{year}_{number}.csv", x.render_budget(decision))
        self.budget = x.adjusted_budget(decisions)
        self.booked: pl.DataFrame | None = None
        self.hours = np.zeros((len(BOARDS), 2))

    def month(self, month: int, ledger: pl.DataFrame, *, is_last_year: bool) -> None:
        x, year, seed, write = self.x, self.year, self.seed, self.write
        period = f"{year}{month:02d}"
        write(self.hr / f"lon_{period}.csv", x.render_payroll(x.payroll(seed, year, month)))
        sick = x.sick_leave(seed, year, month)
        write(self.hr / f"sjukfranvaro_{period}.csv", x.render_sick_leave(sick))
        self.hours += x.sick_hours(sick)
        booked = x.booked(ledger)
        if self.booked is not None:
            booked = (
                pl.concat([self.booked, booked])
                .group_by("board", "activity", "slag")
                .agg(pl.col("ore").sum())
            )
        self.booked = booked
        occasion = {4: "T1", 8: "T2", 10: "M10"}.get(month)
        if occasion:
            lines = x.forecast(self.budget, booked, seed, year, month)
            fmt = {"T1": x.UTF8_PLAIN, "T2": x.UTF8_BOM_SPACE, "M10": x.CP1252_CRLF}[occasion]
            name = f"prognos_{year}_{occasion}"
            write(self.ekonomi / f"{name}.csv", x.render_forecast(lines, year, occasion, fmt))
            if self.is_first and occasion == "T2":
                corrected = x.corrected_forecast(lines, 142)
                data = x.render_forecast(corrected, year, occasion, fmt)
                write(self.ekonomi / f"{name}_142_rattelse.csv", data)
        report = {4: "T1", 8: "T2", 12: "VB"}.get(month)
        if report:
            share = x.sick_share_so_far(self.hours)
            unparseable = is_last_year and report == x.UNPARSEABLE_AT[1]
            data = x.indicators(seed, year, report, share, unparseable=unparseable)
            write(self.ils / f"indikatorer_{year}_{report}.csv", data)
            write(self.ils / f"kommentarer_{year}_{report}.csv", x.comments(year, report))
        if month == x.FUND_MONTH:
            data = x.result_funds(year, self.first_year)
            write(self.ekonomi / f"resultatfond_{year}.csv", data)
        if month == 12:
            write(self.hr / f"medarbetarenkat_{year}.csv", x.survey(seed, year))
        if month in balances.MONTHS:  # every board's balance sheet, balanced (demo/balances.py)
            sheet = balances.balances(seed, year, month)
            write(self.ekonomi / f"balans_{period}.csv", balances.render_balances(sheet))


def write_demo_city(
    landing: Path,
    *,
    years: tuple[int, ...] = (2022, 2023, 2024),
    seed: int = 2011,
    rows_per_board_month: int = 400,
) -> DemoCity:
    """Write the demo city's exports into `landing` and say what was written.

    Registers go to `landing/register/` (with `organisationsmappning.csv`, the shares of
    the register's reorganisations: demo/mapping.py, and `ansvar.csv`, the names of the
    responsibility units, one of which moves board: demo/units.py), ledgers, budgets and
    forecasts to `landing/ekonomi/`, payroll, sick leave and the staff survey to `landing/hr/`,
    indicators to `landing/ils/` (sub-folders carry no meaning to the warehouse; the demo
    shows that). Besides one ledger per month:
    - `huvudbok_<first>06_142_rattelse.csv`: a complete re-export of Servicenämnden's June
      with one amount changed and one voucher added; it supersedes (142, <first>06);
    - `huvudbok_<first>03_kopia.csv`: the same bytes as March, delivered twice;
    - `huvudbok_<last>10_140_rattelse.csv`: Äldrenämnden's October with a personnummer in
      one line's text; valid otherwise, and the warehouse must reject it.
    Every year: `budget_<y>_1..3.csv` (Ursprunglig, Ombudgetering, Tilläggsbudget),
    `prognos_<y>_T1|T2|M10.csv`, `lon_` and `sjukfranvaro_<yyyymm>.csv` every month,
    `medarbetarenkat_<y>.csv`, `indikatorer_<y>_T1|T2|VB.csv`,
    `kommentarer_<y>_T1|T2|VB.csv` (two boards' comments on their reports),
    `resultatfond_<y>.csv` (two boards' result-fund decisions, with August's files),
    `balans_<y>04|08|12.csv` (every board's balance sheet, balanced); and
    - `prognos_<first>_T2_142_rattelse.csv`: Servicenämnden's T2 forecast delivered again,
      corrected; it supersedes (142, <first>, T2);
    - in `indikatorer_<last>_T2.csv` one figure reads `ca 87 %`: it loads, flagged unparsed.
    `rows_per_board_month` is the average: July has fewer rows and December more.
    """
    if not years:
        raise ValueError("years must name at least one year")
    if rows_per_board_month < MIN_ROWS_PER_BOARD_MONTH:
        raise ValueError(f"rows_per_board_month must be at least {MIN_ROWS_PER_BOARD_MONTH}")
    years = tuple(sorted(set(years)))
    first, last = years[0], years[-1]
    register, ekonomi = landing / "register", landing / "ekonomi"
    register.mkdir(parents=True, exist_ok=True)
    ekonomi.mkdir(parents=True, exist_ok=True)

    files: list[Path] = []
    ledger_rows = 0

    def write(path: Path, data: bytes) -> None:
        path.write_bytes(data)
        files.append(path)

    write(register / "organisation.csv", _organisation(years))
    write(register / "verksamheter.csv", _verksamheter())
    write(register / "organisationsmappning.csv", mapping.organisation_mapping(years))
    write(register / "ansvar.csv", units.unit_register(years))

    tables = city_tables(seed)
    for year in years:
        year_exports = _YearExports(tables, seed, year, landing, write, first_year=first)
        for month in range(1, 13):
            period = f"{year}{month:02d}"
            ledger = month_ledger(tables, seed, year, month, rows_per_board_month)
            data = render_ledger(ledger, format_of(year, month))
            write(ekonomi / f"huvudbok_{period}.csv", data)
            ledger_rows += ledger.height
            year_exports.month(month, ledger, is_last_year=year == last)
            if _control_month(month):
                write(ekonomi / f"huvudbok_{period}.ctl", _control(ledger))
            if (year, month) == (first, 3):
                write(ekonomi / f"huvudbok_{period}_kopia.csv", data)
                ledger_rows += ledger.height
            if (year, month) == (first, 6):
                corrected = _correction(ledger, 142, year, month)
                write(
                    ekonomi / f"huvudbok_{period}_142_rattelse.csv", render_ledger(corrected, PLAIN)
                )
                ledger_rows += corrected.height
            if (year, month) == (last, 10):
                bad = _with_personnummer(ledger, 140)
                write(ekonomi / f"huvudbok_{period}_140_rattelse.csv", render_ledger(bad, PLAIN))
                ledger_rows += bad.height

    return DemoCity(
        files=sorted(files, key=lambda p: p.name),
        ledger_rows=ledger_rows,
        boards=len(BOARDS),
    )

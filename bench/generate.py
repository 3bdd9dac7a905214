"""City-scale exports for the benchmark: the demo city, at a finance office's volume.

The demo's own generators write the files (same formats, same accidents, vectorised),
so the benchmark loads exactly what the demo and the tests load, only more of it:

- `city/`: `years` whole years of every source, plus the two months after them (the
  ledger, payroll and sick leave of January and February of the next year): January is
  the "+1 month" of the nightly build measured on top of the whole history, February
  the month a whole `tertial run` takes from landing/ afterwards;
- `probe/huvudbok_<YYYYMM>.csv`: one month's ledger at `ingest_rows` lines (1 M by
  default), Windows-1252 and CRLF like the finance system's standard report: the file
  whose ingest is timed against DuckDB's own `read_csv`.

Same arguments, same bytes (the demo's generators are seeded per year and month), so a
second run with the same arguments reuses the files (`manifest.json` says which).

    python -m bench.generate --out var/bench/data --years 10 --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from demo import (
    BOARDS,
    MIN_ROWS_PER_BOARD_MONTH,
    PLAIN,
    city_tables,
    exports,
    format_of,
    month_ledger,
    render_ledger,
    write_demo_city,
)

DEFAULT_FIRST_YEAR = 2015
DEFAULT_SEED = 2011
CITY, PROBE, MANIFEST = "city", "probe", "manifest.json"
# What the files are, beyond the parameters: a data folder of another layout is rewritten.
LAYOUT = 8  # 2: the city has January and February after its history; 3: comments; 4: balances
# 5: the organisation mapping (register/organisationsmappning.csv); 6: internal trade
# between stable pairs (demo/city.py _BUYERS_PER_SELLER); 7: the register of
# responsibility units (register/ansvar.csv); 8: verksamheter.csv with Efterträdare and
# RS-kod (issue 17)

# `huvudbok_201103.csv`, `lon_201101.csv`: a month; `budget_2011_2.csv`: a year and more.
_MONTHLY = re.compile(r"^(?:huvudbok|lon|sjukfranvaro|balans)_(\d{4})(\d{2})")
_YEARLY = re.compile(
    r"^(budget|prognos|medarbetarenkat|indikatorer|kommentarer|resultatfond)_(\d{4})(?:_([a-z0-9]+))?"
)
# When in its year a yearly export arrives: budgets before January (decided the autumn
# before), forecasts, indicators and comments at their tertial or month, the survey at
# year-end.
_ARRIVES = {"t1": 4, "t2": 8, "vb": 12}


@dataclass(frozen=True)
class Parameters:
    years: int
    rows: int  # ledger lines per month (all boards), history and the +1 month
    ingest_rows: int  # ledger lines of the probe month
    first_year: int = DEFAULT_FIRST_YEAR
    seed: int = DEFAULT_SEED

    @property
    def next_year(self) -> int:
        """The year of the +1 month: January after the history."""
        return self.first_year + self.years


@dataclass(frozen=True)
class Generated:
    """Where the files are and how much was written."""

    city: Path
    probe: Path
    files: int
    ledger_rows: int
    probe_rows: int
    seconds: float
    reused: bool


def rows_per_board(rows_per_month: int) -> int:
    """The demo's per-board average for a city-wide number of ledger lines a month.

    >>> rows_per_board(1_000_000)
    35714
    >>> rows_per_board(10)
    10
    """
    return max(MIN_ROWS_PER_BOARD_MONTH, rows_per_month // len(BOARDS))


def arrival(file_name: str) -> tuple[int, int] | None:
    """(year, month) a file belongs to in the city's calendar; None for the registers.

    Budget decisions count as month 0 (decided before their year starts).

    >>> arrival("huvudbok_201106_142_rattelse.csv"), arrival("balans_201108.csv")
    ((2011, 6), (2011, 8))
    >>> arrival("budget_2011_2.csv"), arrival("prognos_2011_M10.csv")
    ((2011, 0), (2011, 10))
    >>> arrival("indikatorer_2011_VB.csv"), arrival("medarbetarenkat_2011.csv")
    ((2011, 12), (2011, 12))
    >>> arrival("kommentarer_2011_T2.csv"), arrival("resultatfond_2011.csv")
    ((2011, 8), (2011, 12))
    >>> arrival("organisation.csv") is None, arrival("organisationsmappning.csv") is None
    (True, True)
    >>> arrival("ansvar.csv") is None
    True
    """
    name = file_name.lower()
    if found := _MONTHLY.match(name):
        return int(found.group(1)), int(found.group(2))
    if found := _YEARLY.match(name):
        source, year, part = found.group(1), int(found.group(2)), found.group(3) or ""
        if source == "budget":
            return year, 0
        if source == "medarbetarenkat":
            return year, 12
        if part.startswith("m") and part[1:].isdigit():
            return year, int(part[1:])
        return year, _ARRIVES.get(part, 12)
    return None


def _write_next_month(city: Path, parameters: Parameters, month: int = 1) -> int:
    """A month after the history (January: 1): ledger, payroll and sick leave, as the demo
    writes them."""
    seed, year = parameters.seed, parameters.next_year
    tables = city_tables(seed)
    ledger = month_ledger(tables, seed, year, month, rows_per_board(parameters.rows))
    period = f"{year}{month:02d}"
    (city / "ekonomi" / f"huvudbok_{period}.csv").write_bytes(
        render_ledger(ledger, format_of(year, month))
    )
    x = exports
    payroll = x.payroll(seed, year, month)
    (city / "hr" / f"lon_{period}.csv").write_bytes(x.render_payroll(payroll))
    sick = x.sick_leave(seed, year, month)
    (city / "hr" / f"sjukfranvaro_{period}.csv").write_bytes(x.render_sick_leave(sick))
    return ledger.height


def _write_probe(probe: Path, parameters: Parameters) -> int:
    """The probe: the +1 month's ledger at `ingest_rows`, in the plain Windows-1252 format."""
    seed, year = parameters.seed, parameters.next_year
    ledger = month_ledger(city_tables(seed), seed, year, 1, rows_per_board(parameters.ingest_rows))
    probe.mkdir(parents=True, exist_ok=True)
    (probe / f"huvudbok_{year}01.csv").write_bytes(render_ledger(ledger, PLAIN))
    return ledger.height


def generate(out: Path, parameters: Parameters) -> Generated:
    """Write (or reuse, when `manifest.json` has the same parameters) the bench's exports."""
    started = time.perf_counter()
    city, probe, manifest = out / CITY, out / PROBE, out / MANIFEST
    if manifest.exists():
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if recorded.get("parameters") == asdict(parameters) and recorded.get("layout") == LAYOUT:
            return Generated(
                city,
                probe,
                recorded["files"],
                recorded["ledger_rows"],
                recorded["probe_rows"],
                time.perf_counter() - started,
                reused=True,
            )
    for folder in (city, probe):
        shutil.rmtree(folder, ignore_errors=True)
    manifest.unlink(missing_ok=True)
    years = tuple(range(parameters.first_year, parameters.next_year))
    demo = write_demo_city(
        city,
        years=years,
        seed=parameters.seed,
        rows_per_board_month=rows_per_board(parameters.rows),
    )
    ledger_rows = demo.ledger_rows + sum(_write_next_month(city, parameters, m) for m in (1, 2))
    probe_rows = _write_probe(probe, parameters)
    files = sum(1 for p in city.rglob("*") if p.is_file())
    manifest.write_text(
        json.dumps(
            {
                "parameters": asdict(parameters),
                "layout": LAYOUT,
                "files": files,
                "ledger_rows": ledger_rows,
                "probe_rows": probe_rows,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return Generated(
        city, probe, files, ledger_rows, probe_rows, time.perf_counter() - started, reused=False
    )


def arguments(argv: list[str] | None = None) -> tuple[Path, Parameters]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("var/bench/data"))
    parser.add_argument("--years", type=int, default=10, help="whole years of history")
    parser.add_argument("--rows", type=int, default=1_000_000, help="ledger lines per month")
    parser.add_argument(
        "--ingest-rows", type=int, default=1_000_000, help="ledger lines of the probe month"
    )
    parser.add_argument("--first-year", type=int, default=DEFAULT_FIRST_YEAR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.years < 1:
        parser.error("--years must be at least 1")
    return args.out, Parameters(args.years, args.rows, args.ingest_rows, args.first_year, args.seed)


def main(argv: list[str] | None = None) -> int:
    out, parameters = arguments(argv)
    generated = generate(out, parameters)
    print(
        json.dumps(
            {**asdict(generated), "city": str(generated.city), "probe": str(generated.probe)}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A board's tertial or year-end report, generated from the marts: HTML, PDF, Excel.

`write_report` reads the tables (figures.py) and charts (charts.py) from a read-only
connection (the published snapshot, or an as-of build), renders one self-contained
HTML file (render.py), prints it to PDF with headless Chromium (pdf.py) and writes the
tables as a workbook (warehouse/workbook.py). `tertial report` calls it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.report.figures import REPORTS, Report, ReportUnavailable, read_report
from warehouse.settings import Paths

FORMATS = ("html", "pdf", "xlsx")

__all__ = [
    "FORMATS",
    "REPORTS",
    "Report",
    "ReportUnavailable",
    "Written",
    "newest_report",
    "write_newest_reports",
    "write_report",
]


@dataclass(frozen=True)
class Written:
    report: Report
    files: dict[str, Path]  # format -> file
    problems: tuple[str, ...] = ()  # a format that could not be written, and why


def file_stem(report: Report) -> str:
    """`tertialrapport_142_T2_2011`: the board's code, the report and the year."""
    kind = "verksamhetsberattelse" if report.report == "VB" else "tertialrapport"
    return f"{kind}_{report.namnd_code}_{report.report}_{report.year}"


def write_report(
    con: duckdb.DuckDBPyConnection,
    namnd: str,
    report: str,
    year: int,
    out: Path,
    formats: Sequence[str] = FORMATS,
) -> Written:
    """Write one board's report into `out` in `formats`; a format that cannot be written
    (no Chromium for the PDF) is named in `problems`, the others still are."""
    from warehouse.report.charts import report_charts
    from warehouse.report.checks import report_checks
    from warehouse.report.render import render_html, workbook_sheets
    from warehouse.workbook import write_sheets

    data = read_report(con, namnd, report, year)
    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(data)
    files: dict[str, Path] = {}
    problems: list[str] = []
    generated = dt.datetime.now().astimezone()
    html_file = out / f"{stem}.html"
    if "html" in formats or "pdf" in formats:
        text = render_html(data, report_charts(con, data), generated, report_checks(con, data))
        temporary = html_file.with_name(f".{html_file.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, html_file)
        files["html"] = html_file
    if "pdf" in formats:
        from warehouse.report.pdf import PdfUnavailable, print_pdf

        try:
            print_pdf(html_file, out / f"{stem}.pdf")
            files["pdf"] = out / f"{stem}.pdf"
        except PdfUnavailable as exc:
            problems.append(f"pdf: {exc}")
        if "html" not in formats:
            html_file.unlink()
            del files["html"]
    if "xlsx" in formats:
        write_sheets(out / f"{stem}.xlsx", workbook_sheets(data), force=True)
        files["xlsx"] = out / f"{stem}.xlsx"
    return Written(data, files, tuple(problems))


def newest_report(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    """The newest report (T1, T2, VB) whose months the published follow-up covers."""
    row = con.execute(
        "select max(through_period) from marts.rpt_budget_followup_mnkr "
        "where through_period % 100 in (4, 8, 12)"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    period = int(row[0])
    report = {month: name for name, month in REPORTS.items()}[period % 100]
    return report, period // 100


def write_newest_reports(
    paths: Paths, progress: Callable[[str], None] = lambda _: None
) -> list[Written]:
    """Every board's newest report from the published snapshot, into `paths.reports`:
    what the nightly writes after its publish (the Dagster asset `reports/board_reports`).

    The PDF only where Chromium is installed (the HTML and the workbook always).
    """
    from warehouse.readonly import connect
    from warehouse.report.figures import boards_with_figures
    from warehouse.report.pdf import chromium

    formats = FORMATS if chromium() else ("html", "xlsx")
    written: list[Written] = []
    with connect(paths.published) as con:
        newest = newest_report(con)
        if newest is None:
            progress("No report period in the published snapshot yet: no reports written")
            return written
        report, year = newest
        boards = boards_with_figures(con, report, year)
        progress(f"Writing {report} {year} for {len(boards)} board(s) into {paths.reports} ...")
        for code in boards:
            written.append(write_report(con, code, report, year, paths.reports, formats))
    return written

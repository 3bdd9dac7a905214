"""A board's report as one self-contained HTML file and as an Excel workbook.

The HTML holds its styles and charts inline (no network, no script: it prints as it
shows), so it can be mailed, archived or turned into the PDF (warehouse/report/pdf.py).
The workbook has one sheet per table, numbers as numbers with their exact digits and the
report's Swedish headers (warehouse/workbook.py writes it).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

from warehouse.report.charts import Chart
from warehouse.report.checks import Check
from warehouse.report.figures import NO_COMMENT, Report, Row, Table
from warehouse.report.swedish import SUPPRESSED, month_label, number

TEMPLATES = Path(__file__).with_name("templates")


def footer(report: Report, generated: dt.datetime) -> str:
    """What the report rests on and when it was made: the last line of the HTML, and of
    every PDF page (the template's `@page` margin box)."""
    if report.as_of is not None:
        moment = report.as_of.astimezone(dt.UTC)
        rests = f"som lagret stod {moment:%Y-%m-%d %H:%M:%S} UTC (--as-of)"
    elif report.published_at is not None:
        rests = f"publicerad {report.published_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    else:
        rests = "opublicerad"
    event = report.through_event_id or report.through_batch_id
    through = f"leveranser och återkallelser t.o.m. nr {event}" if event is not None else "lagret"
    return f"Underlag: {through}, {rests}. Genererad {generated:%Y-%m-%d %H:%M}."


def _cell(table: Table, row: Row, value: Decimal | int | str | None) -> Markup:
    if isinstance(value, str) or table.unit == "text":
        shown = "" if value is None else str(value)
        return Markup(f'<td class="text">{html.escape(shown)}</td>')
    if value is None:
        shown = SUPPRESSED if row.suppressed else ""
    elif isinstance(value, int) and not isinstance(value, bool):
        shown = number(value, 0)
    else:
        shown = number(value, table.decimals)
    return Markup(f'<td class="figure">{html.escape(shown)}</td>')


def _css_string(text: str) -> Markup:
    """Text inside a CSS string of the <style> element (raw text: no HTML escapes)."""
    escaped = "".join(c if c.isalnum() or c in " –-:.,()" else f"\\{ord(c):x} " for c in text)
    return Markup(escaped)


def render_html(
    report: Report,
    charts: Mapping[str, Chart],
    generated: dt.datetime | None = None,
    checks: Sequence[Check] = (),
) -> str:
    """The report as one HTML document."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("report.html.j2")
    generated = generated or dt.datetime.now().astimezone()
    return template.render(
        report=report,
        charts=charts,
        cell=_cell,
        css=_css_string,
        no_comment=NO_COMMENT,
        checks=checks,
        through=month_label(report.through_period),
        footer=footer(report, generated),
    )


def workbook_sheets(report: Report) -> list[tuple[str, list[str], list[tuple]]]:
    """One sheet per table: (sheet name, headers, rows), figures as numbers."""
    sheets = []
    for section in report.sections:
        for table in section.tables:
            headers = [table.label or table.title, *table.columns]
            rows = [(row.label, *row.values) for row in table.rows]
            sheets.append((table.title, headers, rows))
    comments = [
        (section.title, block.title, comment.kind, comment.text, comment.author)
        for section in report.sections
        for block in section.comments or ()
        for comment in block.comments
    ]
    if comments:
        headers = ["Avsnitt", "Rubrik", "Typ", "Text", "Författare"]
        sheets.append(("Kommentarer", headers, comments))
    return sheets

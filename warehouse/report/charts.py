"""Charts of a report as static SVG: a reader looks where a table would make them read.

Two kinds, written here as SVG text rather than through a plotting library: horizontal
bars (budget deviation per activity) and lines over months (sick leave, rolling 12
months, against the board's target). Both are a few dozen elements; the SVG is inline in
the HTML and the PDF (no script, prints as shown), its labels are text a search finds,
and `tertial report` imports nothing more (matplotlib would add ~1 s and 40 MB).
Every chart has a title, units, axis labels and its source table under it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from warehouse.report.figures import SICK_LEAVE_MONTH, Report
from warehouse.report.swedish import month_name, number

WIDTH, HEIGHT = 680, 300
BLUE, RED, GREY, INK = "#1b4f72", "#b03a2e", "#aab7c4", "#1a1a1a"


@dataclass(frozen=True)
class Chart:
    svg: str
    caption: str


def _text(
    x: float,
    y: float,
    text: str,
    anchor: str = "start",
    size: int = 11,
    weight: str = "normal",
    fill: str = INK,
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}">{html.escape(text)}</text>'
    )


def _svg(title: str, body: Sequence[str], height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{html.escape(title)}" font-family="DejaVu Sans, Arial, '
        f'sans-serif">{_text(0, 16, title, size=13, weight="bold")}{"".join(body)}</svg>'
    )


def deviation_bars(title: str, bars: Sequence[tuple[str, Decimal]], unit: str) -> str:
    """Horizontal bars from a zero line: favourable (positive) blue to the right,
    unfavourable red to the left, each labelled with its figure."""
    row, top, label_width = 24, 40, 190
    height = top + row * len(bars) + 40
    largest = max((abs(v) for _, v in bars), default=Decimal(1)) or Decimal(1)
    span = (WIDTH - label_width - 80) / 2
    zero = label_width + 40 + span
    body = [
        f'<line x1="{zero}" y1="{top - 6}" x2="{zero}" y2="{top + row * len(bars)}" '
        f'stroke="{INK}" stroke-width="1"/>'
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        length = float(abs(value) / largest) * span
        x = zero if value >= 0 else zero - length
        colour = BLUE if value >= 0 else RED
        body.append(_text(label_width, y + 15, label, anchor="end"))
        body.append(
            f'<rect x="{x:.1f}" y="{y + 4}" width="{max(length, 0.5):.1f}" '
            f'height="{row - 8}" fill="{colour}"/>'
        )
        figure_x = zero + length + 4 if value >= 0 else zero - length - 4
        body.append(
            _text(figure_x, y + 15, number(value), anchor="start" if value >= 0 else "end", size=10)
        )
    axis = top + row * len(bars) + 22
    body.append(
        _text(zero, axis, f"{unit}: ← ofördelaktig | fördelaktig →", anchor="middle", size=10)
    )
    return _svg(title, body, height)


def month_lines(
    title: str,
    points: Sequence[tuple[int, Decimal]],
    unit: str,
    target: Decimal | None = None,
    target_label: str = "",
) -> str:
    """A line over months (YYYYMM) with its y axis from 0, and a dashed target line."""
    left, right, top, bottom = 60, 20, 40, 50
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    values = [v for _, v in points] + ([target] if target is not None else [])
    high = float(max(values)) * 1.2 if values else 1.0
    high = high or 1.0

    def x(i: int) -> float:
        return left + (plot_w * i / max(len(points) - 1, 1))

    def y(value: Decimal) -> float:
        return top + plot_h - plot_h * float(value) / high

    body = []
    for step in range(5):
        tick = Decimal(str(round(high * step / 4, 1)))
        ty = y(tick)
        body.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{WIDTH - right}" y2="{ty:.1f}" '
            f'stroke="{GREY}" stroke-width="0.5"/>'
        )
        body.append(_text(left - 6, ty + 4, number(tick), anchor="end", size=10))
    body.append(_text(12, top + plot_h / 2, unit, anchor="middle", size=10))
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points)
    )
    body.append(f'<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for i, (period, value) in enumerate(points):
        body.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" fill="{BLUE}"/>')
        if i == len(points) - 1 or i % 2 == 0:
            body.append(
                _text(
                    x(i),
                    HEIGHT - bottom + 16,
                    f"{month_name(period)[:3]} {period // 100 % 100:02d}",
                    anchor="middle",
                    size=9,
                )
            )
    if points:
        last = points[-1][1]
        body.append(
            _text(
                x(len(points) - 1),
                y(last) - 8,
                number(last),
                anchor="end",
                size=10,
                weight="bold",
                fill=BLUE,
            )
        )
    if target is not None:
        ty = y(target)
        body.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{WIDTH - right}" y2="{ty:.1f}" '
            f'stroke="{RED}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        body.append(
            _text(
                WIDTH - right,
                ty - 5,
                f"{target_label} {number(target)}",
                anchor="end",
                size=10,
                fill=RED,
            )
        )
    body.append(
        _text(
            left + plot_w / 2,
            HEIGHT - 8,
            "Månad (rullande 12 månader t.o.m.)",
            anchor="middle",
            size=10,
        )
    )
    return _svg(title, body)


def report_charts(con: duckdb.DuckDBPyConnection, report: Report) -> dict[str, Chart]:
    """The charts of a report, keyed by the table they stand under."""
    charts: dict[str, Chart] = {}
    net = con.execute(
        """
        select verksamhet_name, deviation from marts.rpt_budget_followup_mnkr
        where namnd_code = ? and through_period = ? and slag = 'Netto' and not is_total
          and parent_verksamhet_code is null and deviation is not null
        order by verksamhet_code
        """,
        [report.namnd_code, report.through_period],
    ).fetchall()
    if net:
        charts["verksamhet"] = Chart(
            deviation_bars(
                "Avvikelse mot budget per verksamhet, netto (årsprognos)",
                [(n, d) for n, d in net],
                "mnkr",
            ),
            "Källa: marts.rpt_budget_followup_mnkr, slag Netto; tabellen ovan.",
        )
    end = report.year * 100 + SICK_LEAVE_MONTH[report.report]
    start = end - 100 if end % 100 != 12 else end - 11 - 1
    sick = con.execute(
        """
        select period, sick_leave_pct from marts.rpt_sick_leave
        where namnd_code = ? and time_window = 'rolling_12m' and gender = 'Alla'
          and age_group = 'Alla' and month_count = 12 and period between ? and ?
          and sick_leave_pct is not null
        order by period
        """,
        [report.namnd_code, start, end],
    ).fetchall()
    if len(sick) >= 2:
        target = con.execute(
            """
            select target_value from marts.rpt_indicators
            where namnd_code = ? and year = ? and report = ?
              and computed_measure = 'sick_leave_rolling_12m'
            """,
            [report.namnd_code, report.year, report.report],
        ).fetchone()
        charts["sjukfranvaro"] = Chart(
            month_lines(
                "Sjukfrånvaro, rullande 12 månader",
                sick,
                "%",
                target[0] if target else None,
                "Årsmål",
            ),
            "Källa: marts.rpt_sick_leave (alla anställda, rullande 12 månader) och "
            "nämndens årsmål i marts.rpt_indicators.",
        )
    return charts

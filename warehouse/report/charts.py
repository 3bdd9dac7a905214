"""Charts of a report as static SVG: a reader looks where a table would make them read.

Two kinds, written here as SVG text rather than through a plotting library: horizontal
bars (budget deviation per activity) and lines (the net result so far against the
budget, month by month; sick leave, rolling 12 months, against the board's target; the
staff survey's indices over the years). Each is a few dozen elements; the SVG is inline
in the HTML and the PDF (no script, prints as shown), its labels are text a search
finds, and `tertial report` imports nothing more (matplotlib would add ~1 s and 40 MB).
Every chart has a title, units, axis labels, a legend where it has several lines, and
its source under it.
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


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name (the legend), a value per x (None: no point)."""

    name: str
    values: tuple[Decimal | None, ...]
    colour: str = BLUE
    dashed: bool = False


PALETTE = (BLUE, "#2e86c1", "#7d3c98", "#117a65", "#b9770e", "#566573")


def line_chart(
    title: str, x_labels: Sequence[str], series: Sequence[Series], unit: str, x_title: str
) -> str:
    """Lines over the same x (months, years), a legend, and the last value of the first
    line written at its end. The y axis always includes 0 (a share or a result is read
    against zero); below zero too when a value is."""
    per_row = 3  # legend entries per row, above the plot
    rows = -(-len(series) // per_row)
    left, right, top, bottom = 60, 20, 34 + 16 * rows, 50
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    values = [float(v) for line in series for v in line.values if v is not None]
    high = max([0.0, *values]) * 1.15 or 1.0
    low = min([0.0, *values]) * 1.15
    count = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / max(count - 1, 1))

    def y(value: float) -> float:
        return top + plot_h - plot_h * (value - low) / (high - low)

    body = []
    for step in range(5):
        tick = low + (high - low) * step / 4
        body.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{WIDTH - right}" y2="{y(tick):.1f}" '
            f'stroke="{GREY}" stroke-width="0.5"/>'
        )
        body.append(_text(left - 6, y(tick) + 4, number(Decimal(str(round(tick, 1)))), "end", 10))
    if low < 0:
        body.append(
            f'<line x1="{left}" y1="{y(0):.1f}" x2="{WIDTH - right}" y2="{y(0):.1f}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
    body.append(_text(12, top + plot_h / 2, unit, anchor="middle", size=10))
    step = max(1, -(-count // 12))  # at most ~12 labels under the axis
    for i, label in enumerate(x_labels):
        if i % step == 0 or i == count - 1:
            body.append(_text(x(i), HEIGHT - bottom + 16, label, anchor="middle", size=9))
    for number_, line in enumerate(series):
        points = [(i, float(v)) for i, v in enumerate(line.values) if v is not None]
        if not points:
            continue
        path = " ".join(
            f"{'M' if j == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for j, (i, v) in enumerate(points)
        )
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        body.append(f'<path d="{path}" fill="none" stroke="{line.colour}" stroke-width="2"{dash}/>')
        if not line.dashed:
            body.extend(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{line.colour}"/>'
                for i, v in points
            )
        legend_x = left + 8 + 200 * (number_ % per_row)
        legend_y = top - 14 - 16 * (rows - 1 - number_ // per_row)
        body.append(
            f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 18}" y2="{legend_y}" '
            f'stroke="{line.colour}" stroke-width="2"{dash}/>'
        )
        body.append(_text(legend_x + 22, legend_y + 4, line.name[:28], size=10))
    first = series[0].values if series else ()
    last = next(((i, v) for i, v in reversed(list(enumerate(first))) if v is not None), None)
    if last is not None:
        body.append(
            _text(x(last[0]), y(float(last[1])) - 8, number(last[1]), "end", 10, "bold", BLUE)
        )
    body.append(_text(left + plot_w / 2, HEIGHT - 8, x_title, anchor="middle", size=10))
    return _svg(title, body)


def _month(period: int) -> str:
    """`201108` → `aug 11`: an axis label."""
    return f"{month_name(period)[:3]} {period // 100 % 100:02d}"


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
        goal = target[0] if target else None
        lines = [Series("Sjukfrånvaro", tuple(v for _, v in sick))]
        if goal is not None:
            lines.append(Series(f"Årsmål {number(goal)}", (goal,) * len(sick), RED, True))
        charts["sjukfranvaro"] = Chart(
            line_chart(
                "Sjukfrånvaro, rullande 12 månader",
                [_month(p) for p, _ in sick],
                lines,
                "%",
                "Månad (rullande 12 månader t.o.m.)",
            ),
            "Källa: marts.rpt_sick_leave (alla anställda, rullande 12 månader) och "
            "nämndens årsmål i marts.rpt_indicators.",
        )
    net = _net_by_month(con, report)
    if net:
        charts["budget"] = Chart(
            line_chart(
                "Nettoresultat hittills i år mot budget (ackumulerat)",
                [_month(p) for p, _, _ in net],
                [
                    Series("Bokfört netto", tuple(b for _, b, _ in net)),
                    Series("Budget, 1/12 per månad", tuple(g for _, _, g in net), RED, True),
                ],
                "mnkr",
                "Månad (t.o.m.)",
            ),
            "Källa: marts.rpt_budget_followup_mnkr, raden Nettoresultat (bokfört t.o.m. "
            "varje månad); årets justerade budget fördelad lika på årets tolv månader.",
        )
    survey = _survey_by_year(con, report)
    if survey:
        years, lines = survey
        charts["medarbetarenkat"] = Chart(
            line_chart("Medarbetarenkätens index per år", years, lines, "index", "År"),
            "Källa: marts.fct_staff_survey.",
        )
    return charts


def _net_by_month(con: duckdb.DuckDBPyConnection, report: Report) -> list[tuple]:
    """(period, booked net so far, budget so far) for each month of the year through the
    report's: the follow-up's Nettoresultat row per month; the year's adjusted net budget
    spread evenly (the marts hold no monthly budget)."""
    rows = con.execute(
        """
        select through_period, booked_ytd, adjusted_budget
        from marts.rpt_budget_followup_mnkr
        where namnd_code = ? and year = ? and slag = 'Netto' and is_total
          and through_period <= ?
        order by through_period
        """,
        [report.namnd_code, report.year, report.through_period],
    ).fetchall()
    return [
        (
            period,
            booked,
            None if budget is None else (budget * (period % 100) / 12).quantize(Decimal("0.1")),
        )
        for period, booked, budget in rows
    ]


def _survey_by_year(
    con: duckdb.DuckDBPyConnection, report: Report
) -> tuple[list[str], list[Series]] | None:
    """Each index of the staff survey over the years through the report's (two at least)."""
    rows = con.execute(
        """
        select index_name, year, index_value from marts.fct_staff_survey
        where namnd_code = ? and year <= ? order by index_name, year
        """,
        [report.namnd_code, report.year],
    ).fetchall()
    years = sorted({r[1] for r in rows})
    if len(years) < 2:
        return None
    value = {(r[0], r[1]): r[2] for r in rows}
    names = list(dict.fromkeys(r[0] for r in rows))
    lines = [
        Series(name, tuple(value.get((name, y)) for y in years), PALETTE[i % len(PALETTE)])
        for i, name in enumerate(names)
    ]
    return [str(y) for y in years], lines

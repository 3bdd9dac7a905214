"""The figures of a board's report, read from the marts: every table, as numbers.

Nothing here computes a figure the marts do not give: a table is a selection and a
layout of mart rows (rpt_budget_followup_mnkr, rpt_sick_leave, fct_payroll,
fct_staff_survey, rpt_indicators), so the HTML, the PDF and the workbook show what an
analyst's SQL on the same marts answers. The connection is the published snapshot or an
as-of build (warehouse/readonly.py), never the working database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from warehouse.report.swedish import month_label, month_name, number

REPORTS = {"T1": 4, "T2": 8, "VB": 12}  # the report and the month it runs through
# Sick leave lags a month during the year (rpt_indicators says why): T1 through March,
# T2 through July, VB through December.
SICK_LEAVE_MONTH = {"T1": 3, "T2": 7, "VB": 12}
ASSESSMENTS = {"met": "Uppfylls helt", "partly_met": "Uppfylls delvis", "not_met": "Uppfylls ej"}
REPORT_NAMES = {"T1": "Tertialrapport 1", "T2": "Tertialrapport 2", "VB": "Verksamhetsberättelse"}
GROUP_MINIMUM = 10  # persons: a smaller group's sick leave is never published


class ReportUnavailable(LookupError):
    """The marts hold nothing to report for that board, report and year."""


@dataclass(frozen=True)
class Row:
    """One row of a table: its label, its figures, and what kind of row it is."""

    label: str
    values: tuple[Decimal | int | str | None, ...]
    kind: str = ""  # "" a row, "part" a varav row, "sum" a sum row, "flagged" to look at
    suppressed: bool = False  # a group under GROUP_MINIMUM persons: figures withheld


@dataclass(frozen=True)
class Table:
    """A table of the report, with the mart it comes from (printed under it)."""

    key: str  # stable name: the workbook's sheet, the test's handle
    title: str
    columns: tuple[str, ...]  # the headers of the figures (the label column has `label`)
    rows: tuple[Row, ...]
    label: str = ""
    unit: str = "mnkr"
    decimals: int = 1
    source: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comment:
    """One of the board's own comments (rpt_report_comments), as the report prints it."""

    kind: str  # analys, åtgärd, bedömning
    text: str
    author: str | None = None

    @property
    def label(self) -> str:
        return self.kind.capitalize()


@dataclass(frozen=True)
class Comments:
    """The comments printed together under a heading (a section's, or one activity's)."""

    title: str
    comments: tuple[Comment, ...]
    generated: str = ""  # what the figures say (sentences.py), printed before the comments


NO_COMMENT = "Ingen kommentar lämnad."


@dataclass(frozen=True)
class Section:
    key: str  # sammanfattning, ekonomi, personal, medarbetarenkat, indikatorer
    title: str
    tables: tuple[Table, ...]
    empty: str = ""  # what the report says when the marts hold nothing for it
    # The board's comments at this section: each block printed, "Ingen kommentar
    # lämnad." in a block without any. None: the section takes no comments.
    comments: tuple[Comments, ...] | None = None


@dataclass(frozen=True)
class Report:
    namnd_code: str
    namnd_name: str
    report: str  # T1, T2, VB
    year: int
    through_period: int
    sections: tuple[Section, ...]
    # What it rests on (meta.publication): the event log through this batch, published
    # then, or rebuilt as of a moment (`--as-of`).
    through_batch_id: int | None = None
    published_at: Any = None
    as_of: Any = None
    through_event_id: int | None = None  # batches and retractions share one sequence

    @property
    def title(self) -> str:
        return f"{REPORT_NAMES[self.report]} {self.year}"


def through_period(report: str, year: int) -> int:
    """The last month a report covers: `T2`, 2011 → 201108."""
    return year * 100 + REPORTS[report]


def read_report(con: duckdb.DuckDBPyConnection, namnd: str, report: str, year: int) -> Report:
    """Every table of one board's report, from the marts on `con`."""
    if report not in REPORTS:
        raise ReportUnavailable(f"no report {report!r}: T1, T2 or VB")
    period = through_period(report, year)
    name = _one(
        con,
        "select namnd_name from marts.dim_namnd where namnd_code = ? order by valid_from desc",
        [namnd],
    )
    if name is None:
        raise ReportUnavailable(
            f'no board {namnd} in dim_namnd: `tertial query "select '
            'namnd_code, namnd_name from dim_namnd"` lists them'
        )
    said = _comments(con, namnd, report, year)
    tables = {
        "ekonomi": _economy(con, namnd, report, year, period),
        "personal": _staff(con, namnd, report, year, period),
        "medarbetarenkat": _survey(con, namnd, year),
        "indikatorer": _indicators(con, namnd, report, year),
    }
    sections = (
        Section(
            "sammanfattning",
            "Sammanfattning",
            (),
            comments=(Comments("", said.get(("sammanfattning", None), ())),),
        ),
        Section(
            "ekonomi",
            "Ekonomi",
            tables["ekonomi"],
            "Ingen budgetuppföljning för perioden.",
            comments=(
                Comments("Kommentar till ekonomin", said.get(("ekonomi", None), ())),
                *_activity_blocks(con, namnd, period, said),
            ),
        ),
        Section(
            "personal",
            "Personal",
            tables["personal"],
            "Inga personaluppgifter för perioden.",
            comments=(Comments("Kommentar till personalen", said.get(("personal", None), ())),),
        ),
        Section(
            "medarbetarenkat",
            "Medarbetarenkät",
            tables["medarbetarenkat"],
            "Ingen medarbetarenkät redovisad.",
        ),
        Section(
            "indikatorer",
            "Mål och indikatorer",
            tables["indikatorer"],
            "Inga indikatorer redovisade för perioden.",
            comments=tuple(_per_reference(said, "indikator", "Kommentar till indikatorn")),
        ),
    )
    if not any(s.tables for s in sections) and not said:
        raise ReportUnavailable(
            f"nothing to report for board {namnd}, {report} {year}: no budget follow-up, "
            "staff, survey or indicator rows in the marts for it"
        )
    cursor = con.execute("select * from meta.publication")
    row = cursor.fetchone() or ()
    # By name: a snapshot published before a column existed (as_of) still reports.
    publication = dict(zip((d[0] for d in cursor.description), row, strict=False))
    return Report(
        namnd,
        str(name),
        report,
        year,
        period,
        sections,
        publication.get("through_batch_id"),
        publication.get("published_at"),
        publication.get("as_of"),
        publication.get("through_event_id"),
    )


def boards_with_figures(con: duckdb.DuckDBPyConnection, report: str, year: int) -> list[str]:
    """The boards whose budget follow-up has rows for the report (`--all`)."""
    rows = con.execute(
        "select distinct namnd_code from marts.rpt_budget_followup_mnkr "
        "where year = ? and through_period = ? order by namnd_code",
        [year, through_period(report, year)],
    ).fetchall()
    return [r[0] for r in rows]


def _fund_rows(con: duckdb.DuckDBPyConnection, namnd: str, period: int) -> list[Row]:
    """The summary's rows below the net result for a board with a result fund, as the
    reports print them (rpt_result_after_disposition's mnkr columns): Ingående and
    Utgående resultatfond (printed negated) in the forecast and deviation columns, and
    the result after the disposition. None before the mart exists (a snapshot of an
    older build)."""
    if not _has_mart(con, "rpt_result_after_disposition"):
        return []
    row = con.execute(
        """
        select opening_fund_mnkr, -closing_fund_mnkr, budget_after_disposition_mnkr,
               forecast_after_disposition_mnkr, deviation_after_disposition_mnkr
        from marts.rpt_result_after_disposition
        where namnd_code = ? and through_period = ?
        """,
        [namnd, period],
    ).fetchone()
    if row is None:
        return []
    opening, closing, budget, forecast, deviation = row
    return [
        Row("Ingående resultatfond", (None, None, opening, opening)),
        Row("Utgående resultatfond", (None, None, closing, closing)),
        Row(
            "Budget och resultat efter resultatdisposition",
            (budget, None, forecast, deviation),
            "sum",
        ),
    ]


def _comments(
    con: duckdb.DuckDBPyConnection, namnd: str, report: str, year: int
) -> dict[tuple[str, str | None], tuple[Comment, ...]]:
    """The board's comments on the report by (section, reference), in the board's order.

    An activity's reference is shown with its name: `Ekonomiadministration (240)`. A
    snapshot published before comments existed has none.
    """
    if not _has_mart(con, "rpt_report_comments"):
        return {}
    rows = con.execute(
        """
        select section, reference, reference_name, comment_kind, comment_text, author
        from marts.rpt_report_comments
        where namnd_code = ? and year = ? and report = ?
        order by comment_order
        """,
        [namnd, year, report],
    ).fetchall()
    found: dict[tuple[str, str | None], list[Comment]] = {}
    for section, reference, name, kind, text, author in rows:
        shown = f"{name} ({reference})" if name and reference else reference
        found.setdefault((section, shown), []).append(Comment(kind, text, author))
    return {key: tuple(comments) for key, comments in found.items()}


def _activity_blocks(
    con: duckdb.DuckDBPyConnection,
    namnd: str,
    period: int,
    said: dict[tuple[str, str | None], tuple[Comment, ...]],
) -> list[Comments]:
    """Per activity of the follow-up (not its varav rows): what its deviation says, and
    the board's comments on it; then comments on an activity the follow-up lacks."""
    from warehouse.report.sentences import deviation_sentence

    rows = con.execute(
        """
        select verksamhet_code, verksamhet_name,
               max(deviation) filter (where slag = 'Netto') as net,
               max(deviation) filter (where slag = 'Kostnader') as costs,
               max(deviation) filter (where slag = 'Intäkter') as revenues
        from marts.rpt_budget_followup_mnkr
        where namnd_code = ? and through_period = ? and not is_total
          and parent_verksamhet_code is null and slag in ('Netto', 'Kostnader', 'Intäkter')
        group by all
        order by verksamhet_code
        """,
        [namnd, period],
    ).fetchall()
    blocks = []
    shown = set()
    for code, name, net, costs, revenues in rows:
        reference = f"{name} ({code})"
        shown.add(reference)
        blocks.append(
            Comments(
                f"Kommentar per verksamhet: {reference}",
                said.get(("verksamhet", reference), ()),
                deviation_sentence(net, costs, revenues) if net is not None else "",
            )
        )
    others = {k: v for k, v in said.items() if k[0] == "verksamhet" and k[1] not in shown}
    return blocks + _per_reference(others, "verksamhet", "Kommentar per verksamhet")


def _per_reference(
    said: dict[tuple[str, str | None], tuple[Comment, ...]], section: str, title: str
) -> list[Comments]:
    """One block per activity or indicator the board commented on, in its order."""
    return [
        Comments(f"{title}: {reference}", comments)
        for (key, reference), comments in said.items()
        if key == section and reference is not None
    ]


def _has_mart(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the snapshot has the mart: one published by an older build may not."""
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> Any:
    row = con.execute(sql, list(params)).fetchone()
    return None if row is None else row[0]


# -- Ekonomi ---------------------------------------------------------------------------


def _economy(con, namnd: str, report: str, year: int, period: int) -> tuple[Table, ...]:
    rows = con.execute(
        """
        select verksamhet_code, verksamhet_name, parent_verksamhet_code, is_total, slag,
               adjusted_budget, booked_ytd, forecast, deviation, previous_year_outcome
        from marts.rpt_budget_followup_mnkr
        where namnd_code = ? and year = ? and through_period = ?
        order by verksamhet_code nulls last
        """,
        [namnd, year, period],
    ).fetchall()
    if not rows:
        return ()
    booked = f"Bokfört t.o.m. {month_name(period)}"
    source = f"marts.rpt_budget_followup_mnkr (nämnd {namnd}, {report} {year}, mnkr)"
    by_slag: dict[str, list[tuple]] = {}
    for row in rows:
        by_slag.setdefault(row[4], []).append(row)

    def total(slag: str) -> tuple | None:
        return next((r for r in by_slag.get(slag, []) if r[3]), None)

    funds = _fund_rows(con, namnd, period)
    # With a result fund the net result is the one before its disposition.
    net = "Nettoresultat före resultatdisposition" if funds else "Nettoresultat"
    summary = []
    for slag, label in (("Kostnader", "Kostnader"), ("Intäkter", "Intäkter"), ("Netto", net)):
        found = total(slag)
        if found is not None:
            summary.append(Row(label, found[5:9], "sum" if slag == "Netto" else ""))
    summary.extend(funds)
    tables = [
        Table(
            "budget",
            "Uppföljning av driftbudget",
            (f"Justerad budget {year}", booked, "Årsprognos", "Avvikelse"),
            tuple(summary),
            label="(mnkr)",
            source=source,
            notes=(
                "Avvikelse: positiv är gynnsam (kostnader: budget − prognos; intäkter: "
                "prognos − budget).",
            ),
        )
    ]
    per_activity = []
    for slag, sum_label in (("Kostnader", "Summa kostnader"), ("Intäkter", "Summa intäkter")):
        for r in by_slag.get(slag, []):
            if r[3]:
                continue
            part = r[2] is not None
            label = f"varav {r[1]}" if part else r[1]
            per_activity.append(Row(label, r[5:10], "part" if part else ""))
        found = total(slag)
        if found is not None:
            per_activity.append(Row(sum_label, found[5:10], "sum"))
    net = total("Netto")
    if net is not None:
        per_activity.append(Row("Nettoresultat (intäkter − kostnader)", net[5:10], "sum"))
    tables.append(
        Table(
            "verksamhet",
            "Uppföljning per verksamhet",
            (f"Justerad budget {year}", booked, "Årsprognos", "Avvikelse", f"Bokslut {year - 1}"),
            tuple(per_activity),
            label="Verksamhet (mnkr)",
            source=source,
        )
    )
    investments = [r for r in by_slag.get("Investering", []) if not r[3]]
    if investments:
        tables.append(
            Table(
                "investeringar",
                "Investeringar",
                ("Investeringsplan", f"Utgifter t.o.m. {month_name(period)}", "Prognos"),
                tuple(Row(r[1], r[5:8]) for r in investments),
                label="(mnkr)",
                source=source,
            )
        )
    tables.extend(_balance_sheet(con, namnd, year, period))
    return tuple(tables)


def _balance_sheet(con, namnd: str, year: int, period: int) -> tuple[Table, ...]:
    """The reports' "Analys av balansräkning" in figures: the board's balance sheet per
    Kommun-Bas heading at its newest balance of the year up to the report's month
    (rpt_balance_sheet), in kronor with öre as the reports write it (Servicenämnden T2
    2011: omsättningstillgångar 38 549 828,67 kr). None without a balance that year."""
    if not _has_mart(con, "rpt_balance_sheet"):
        return ()
    rows = con.execute(
        """
        select period, group_name, opening_balance, closing_balance, change_since_year_start
        from marts.rpt_balance_sheet
        where namnd_code = ? and period = (
            select max(period) from marts.rpt_balance_sheet
            where namnd_code = ? and year = ? and period <= ?
        )
        order by sort_order
        """,
        [namnd, namnd, year, period],
    ).fetchall()
    if not rows:
        return ()
    at = rows[0][0]
    return (
        Table(
            "balansrakning",
            "Balansräkning",
            (
                f"Ingående balans {year}",
                f"Utgående balans t.o.m. {month_name(at)}",
                "Förändring sedan årets början",
            ),
            tuple(Row(r[1], r[2:5]) for r in rows),
            label="(kr)",
            unit="kr",
            decimals=2,
            source=f"marts.rpt_balance_sheet (nämnd {namnd}, period {at}, kronor)",
            notes=("Tillgångar positiva, skulder och eget kapital negativa, som i bokföringen.",),
        ),
    )


# -- Personal --------------------------------------------------------------------------


def _staff(con, namnd: str, report: str, year: int, period: int) -> tuple[Table, ...]:
    tables = []
    december = (year - 1) * 100 + 12
    payroll = con.execute(
        """
        select period, employment_type, gender, employees, fte, payslips
        from marts.fct_payroll
        where namnd_code = ? and period in (?, ?)
        """,
        [namnd, period, december],
    ).fetchall()
    now = [r for r in payroll if r[0] == period]
    if now:
        before = [r for r in payroll if r[0] == december]

        def count(rows, column: int, kind: str | None = None, gender: str | None = None):
            picked = [r[column] for r in rows if kind in (None, r[1]) and gender in (None, r[2])]
            return sum(picked) if picked else None

        rows = []
        for kind in ("Tillsvidare", "Visstid", "Timavlönad"):
            rows.append(
                Row(
                    kind,
                    (
                        count(now, 3, kind, "K"),
                        count(now, 3, kind, "M"),
                        count(now, 3, kind),
                        count(before, 3, kind),
                    ),
                )
            )
        rows.append(
            Row(
                "Anställda totalt",
                (
                    count(now, 3, None, "K"),
                    count(now, 3, None, "M"),
                    count(now, 3),
                    count(before, 3),
                ),
                "sum",
            )
        )
        tables.append(
            Table(
                "anstallda",
                f"Anställda {month_label(period)}",
                ("Kvinnor", "Män", "Totalt", f"Totalt {month_label(december)}"),
                tuple(rows),
                label="Anställningsform",
                unit="antal",
                decimals=0,
                source=f"marts.fct_payroll (nämnd {namnd}, {period} och {december})",
            )
        )
        tables.append(
            Table(
                "arsarbetare",
                "Årsarbetare och utbetalda löner",
                (month_label(period), month_label(december)),
                (
                    Row("Årsarbetare", (count(now, 4), count(before, 4))),
                    Row("Utbetalda löner", (count(now, 5), count(before, 5))),
                ),
                label="",
                unit="antal",
                source=f"marts.fct_payroll (nämnd {namnd})",
            )
        )
    sick = _sick_leave(con, namnd, report, year)
    tables.extend(sick)
    return tuple(tables)


def _sick_leave(con, namnd: str, report: str, year: int) -> tuple[Table, ...]:
    rolling_end = year * 100 + SICK_LEAVE_MONTH[report]
    this_year = through_period(report, year)
    last_year = (year - 1) * 100 + 12
    rows = con.execute(
        """
        select period, time_window, gender, age_group, employees, sick_leave_pct,
               day_1_14_pct, day_15_plus_pct, long_term_share_pct, suppressed
        from marts.rpt_sick_leave
        where namnd_code = ?
          and ((period = ? and time_window = 'ytd') or (period = ? and time_window = 'ytd')
               or (period = ? and time_window = 'rolling_12m'))
        """,
        [namnd, last_year, this_year, rolling_end],
    ).fetchall()
    if not rows:
        return ()
    index = {(r[0], r[1], r[2], r[3]): r for r in rows}
    start = rolling_end - 100 + 1 if rolling_end % 100 != 12 else rolling_end - 11
    windows = (
        (last_year, "ytd", f"{year - 1} (januari–december)"),
        (
            rolling_end,
            "rolling_12m",
            f"Rullande 12 månader {month_name(start)} {start // 100} – {month_label(rolling_end)}",
        ),
        (this_year, "ytd", f"{year} t.o.m. {month_name(this_year)}"),
    )
    source = f"marts.rpt_sick_leave (nämnd {namnd}, % av ordinarie arbetstid)"
    totals = []
    for period, window, label in windows:
        r = index.get((period, window, "Alla", "Alla"))
        if r is not None:
            totals.append(Row(label, r[5:9], suppressed=bool(r[9])))
    tables = [
        Table(
            "sjukfranvaro",
            "Sjukfrånvaro",
            ("Totalt", "Dag 1–14", "Dag 15–", "Andel ≥ 60 dagar"),
            tuple(totals),
            label="Period",
            unit="%",
            source=source,
        )
    ]
    groups = []
    for gender, age, label in (
        ("K", "Alla", "Kvinnor"),
        ("M", "Alla", "Män"),
        ("Alla", "-29", "−29 år"),
        ("Alla", "30-49", "30–49 år"),
        ("Alla", "50-", "50– år"),
        ("Alla", "Alla", "Alla"),
    ):
        r = index.get((rolling_end, "rolling_12m", gender, age))
        if r is None:
            continue
        values = (r[4], *(None if r[9] else v for v in r[5:8]))
        groups.append(Row(label, values, "sum" if label == "Alla" else "", bool(r[9])))
    tables.append(
        Table(
            "sjukfranvaro_grupper",
            f"Sjukfrånvaro per kön och åldersgrupp, rullande 12 månader t.o.m. "
            f"{month_label(rolling_end)}",
            ("Personer", "Totalt", "Dag 1–14", "Dag 15–"),
            tuple(groups),
            label="Grupp",
            unit="%",
            source=source,
            notes=(
                f"Grupper med färre än {GROUP_MINIMUM} personer redovisas inte (–); de "
                "ingår i totalerna.",
            ),
        )
    )
    return tuple(tables)


# -- Medarbetarenkät -------------------------------------------------------------------


def _survey(con, namnd: str, year: int) -> tuple[Table, ...]:
    rows = con.execute(
        """
        select index_name, year, index_value
        from marts.fct_staff_survey
        where namnd_code = ? and year between ? and ?
        order by index_name, year
        """,
        [namnd, year - 3, year],
    ).fetchall()
    if not rows:
        return ()
    years = sorted({r[1] for r in rows})
    values = {(r[0], r[1]): r[2] for r in rows}
    names = list(dict.fromkeys(r[0] for r in rows))
    return (
        Table(
            "medarbetarenkat",
            "Medarbetarenkät",
            tuple(str(y) for y in years),
            tuple(Row(n, tuple(values.get((n, y)) for y in years)) for n in names),
            label="Index",
            unit="index",
            decimals=0,
            source=f"marts.fct_staff_survey (nämnd {namnd})",
        ),
    )


# -- Mål och indikatorer ---------------------------------------------------------------


def _indicators(con, namnd: str, report: str, year: int) -> tuple[Table, ...]:
    rows = con.execute(
        """
        select goal_reference, indicator_name, indicator_level, outcome_text,
               forecast_text, target_text, kf_target_text, period_text, assessment,
               computed_value, computed_unit, computed_status, assessment_disagrees
        from marts.rpt_indicators
        where namnd_code = ? and report = ? and year = ?
        order by goal_reference, indicator_level, indicator_name
        """,
        [namnd, report, year],
    ).fetchall()
    if not rows:
        return ()
    return (
        Table(
            "indikatorer",
            "Mål och indikatorer",
            (
                "Nivå",
                "Periodens utfall",
                "Prognos helår",
                "Årsmål",
                "KF:s årsmål",
                "Period",
                "Nämndens bedömning",
                "Lagrets beräkning",
                "Lagrets bedömning",
            ),
            tuple(
                Row(
                    f"{r[0]} {r[1]}" if r[0] else r[1],
                    (
                        r[2],
                        r[3],
                        r[4],
                        r[5],
                        r[6],
                        r[7],
                        ASSESSMENTS.get(r[8], r[8]),
                        None if r[9] is None else f"{number(r[9])} {r[10] or ''}".strip(),
                        _status(r[11], r[12]),
                    ),
                    "flagged" if r[12] else "",
                )
                for r in rows
            ),
            label="Mål / indikator",
            unit="text",
            source=f"marts.rpt_indicators (nämnd {namnd}, {report} {year})",
            notes=(
                "Lagrets beräkning: indikatorn beräknad ur lagrets egna uppgifter (t.ex. "
                "sjukfrånvaron ur sjukfrånvarofilerna), bredvid nämndens rapporterade utfall.",
                "Lagrets bedömning: om utfallet når nämndens årsmål, där målets riktning "
                "(Öka/minska; lägre sjukfrånvaro) och enhet är kända. ⚠: nämndens "
                "bedömning säger något annat (bilagan Kontroller).",
            ),
        ),
    )


def _status(status: str | None, disagrees: bool) -> str | None:
    """`Uppfylls ej ⚠`: the warehouse's status, marked where the board's differs."""
    if status is None:
        return None
    shown = {"met": "Uppfylls", "not_met": "Uppfylls ej"}.get(status, status)
    return f"{shown} ⚠" if disagrees else shown

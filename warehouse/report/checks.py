"""The consistency checks a report lists in its appendix ("Kontroller").

What a careful reader of a report checks by hand, done on the report's own figures:

- **Summa rows against their rows**: a sum row is the rounded exact sum, so the printed
  rows may add up to a tenth more or less; the appendix says where, so nobody hunts for
  a missing row (the hand-made reference report has such sums, expected.md).
- **The same figure in two places**: an indicator the warehouse computes itself (sick
  leave, budget adherence) against the figure the board reported; a difference is listed
  with both figures.

- **The board's assessment against the figures**: rpt_indicators' `computed_status`
  (the outcome against the board's target, where the direction and the unit are known)
  where the board said "met" and the figures say not, or the reverse. Most indicators
  carry no direction (no `Öka`/`minska` target): those cannot be checked, and the
  appendix says how many, and lists those assessed "met" whose outcome is not the
  target (69 % against 85 %): whether that is over or short only the direction says.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from warehouse.report.figures import Report, Table
from warehouse.report.swedish import number


@dataclass(frozen=True)
class Check:
    title: str
    findings: tuple[str, ...]  # empty: the check found nothing to report
    passed_text: str
    note: str = ""  # what the check could not look at


def _sum_rows(table: Table) -> list[str]:
    """Each sum row of a mnkr table whose printed rows add up to another figure."""
    findings = []
    group: list = []
    for row in table.rows:
        if row.kind == "part":
            continue  # a varav row is inside its parent, not beside it
        if row.kind != "sum":
            group.append(row)
            continue
        if not group:
            continue
        for column, printed in enumerate(row.values):
            values = [r.values[column] for r in group]
            if printed is None or any(v is None for v in values):
                continue
            added = sum((Decimal(v) for v in values), Decimal(0))
            if added != Decimal(printed):
                findings.append(
                    f"{table.title}, {row.label}, {table.columns[column]}: {number(printed)} "
                    f"(exakt summa, avrundad); raderna ovan summerar till {number(added)} "
                    "(avrundning)"
                )
        group = []
    return findings


def _indicators(con: duckdb.DuckDBPyConnection, report: Report) -> list[str]:
    rows = con.execute(
        """
        select indicator_name, outcome_text, computed_value, computed_unit,
               outcome_minus_computed
        from marts.rpt_indicators
        where namnd_code = ? and year = ? and report = ? and computed_value is not null
          and outcome_value is not null
        order by indicator_name
        """,
        [report.namnd_code, report.year, report.report],
    ).fetchall()
    return [
        f"{name}: rapporterat {text}, lagrets beräkning {number(value)} {unit or ''}".strip()
        for name, text, value, unit, difference in rows
        if difference is not None and difference != 0
    ]


def _assessments(
    con: duckdb.DuckDBPyConnection, report: Report
) -> tuple[list[str], int, list[str]]:
    """The disagreements; how many assessed indicators could not be checked; and of those,
    the ones to look at: assessed "met" with an outcome that is not its target, in the
    same unit, where only the target's direction (unknown) would say whether that is
    over or short (Servicenämnden T2 2011: 69 % of calls answered within a minute
    against a target of 85 %, assessed "uppfylls helt")."""
    rows = con.execute(
        """
        select indicator_name, outcome_text, target_text, assessment, computed_status,
               assessment_disagrees,
               outcome_value is not null and target_value is not null
               and coalesce(outcome_unit, '') = coalesce(target_unit, '')
               and outcome_value <> target_value as off_target
        from marts.rpt_indicators
        where namnd_code = ? and year = ? and report = ? and assessment is not null
        order by indicator_name
        """,
        [report.namnd_code, report.year, report.report],
    ).fetchall()
    words = {"met": "uppfylls helt", "partly_met": "uppfylls delvis", "not_met": "uppfylls ej"}
    found = [
        f"{name}: utfall {outcome} mot årsmål {target}, nämnden bedömer "
        f'"{words.get(assessed, assessed)}", siffrorna säger '
        f'"{"uppfylls" if status == "met" else "uppfylls ej"}"'
        for name, outcome, target, assessed, status, disagrees, _ in rows
        if disagrees
    ]
    to_look_at = [
        f'{name}: utfall {outcome} mot årsmål {target}, bedömt "uppfylls helt"; målet '
        "anger ingen riktning (Öka/minska): kontrollera bedömningen"
        for name, outcome, target, assessed, status, _, off_target in rows
        if status is None and assessed == "met" and off_target
    ]
    return found, sum(1 for row in rows if row[4] is None), to_look_at


def report_checks(con: duckdb.DuckDBPyConnection, report: Report) -> tuple[Check, ...]:
    """The appendix's checks, on the report's tables and the marts it was read from."""
    disagreements, unchecked, to_look_at = _assessments(con, report)
    sums = [
        finding
        for section in report.sections
        for table in section.tables
        # The per-activity table: its sum rows add the rows above them (the summary
        # table's net is revenues minus costs, no sum of its rows).
        if table.key == "verksamhet"
        for finding in _sum_rows(table)
    ]
    return (
        Check(
            "Summarader mot sina rader",
            tuple(sums),
            "Varje summarad är lika med summan av de tryckta raderna.",
        ),
        Check(
            "Samma uppgift på två ställen",
            tuple(_indicators(con, report)),
            "Nämndens rapporterade indikatorer stämmer med lagrets egna beräkningar där "
            "lagret kan räkna dem (sjukfrånvaro, budgetföljsamhet, prognossäkerhet).",
        ),
        Check(
            "Nämndens bedömning mot siffrorna",
            tuple(disagreements),
            "Där målets riktning och enhet är kända stämmer nämndens bedömning med siffrorna.",
            f"{unchecked} bedömda indikatorer kunde inte prövas: målet anger ingen riktning "
            "(Öka/minska) eller utfall och mål har olika enhet."
            if unchecked
            else "",
        ),
        Check(
            "Bedömt uppfyllt utan att nå årsmålet exakt",
            tuple(to_look_at),
            "Varje indikator bedömd som uppfylld där riktningen är okänd har ett utfall lika "
            "med årsmålet.",
        ),
    )

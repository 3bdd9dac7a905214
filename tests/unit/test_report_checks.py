"""The report's appendix checks on its own tables (warehouse/report/checks.py)."""

from decimal import Decimal

from warehouse.report.checks import _sum_rows
from warehouse.report.figures import Row, Table

D = Decimal


def table(*rows: Row) -> Table:
    return Table("verksamhet", "Uppföljning per verksamhet", ("Budget", "Bokfört"), rows)


def test_a_sum_row_whose_printed_rows_add_up_differently_is_named_with_both_figures() -> None:
    findings = _sum_rows(
        table(
            Row("A", (D("0.2"), D("1.0"))),
            Row("varav A1", (D("9.9"), D("9.9")), "part"),  # inside A: never added
            Row("B", (D("0.2"), D("2.0"))),
            Row("Summa kostnader", (D("0.5"), D("3.0")), "sum"),  # 0.24 + 0.24 = 0.48
            Row("C", (D("1.0"), D("1.0"))),
            Row("Summa intäkter", (D("1.0"), D("1.0")), "sum"),
            Row("Nettoresultat", (D("0.5"), D("-2.0")), "sum"),  # no rows of its own
        )
    )
    assert findings == [
        "Uppföljning per verksamhet, Summa kostnader, Budget: 0,5 (exakt summa, avrundad); "
        "raderna ovan summerar till 0,4 (avrundning)"
    ]


def test_rows_that_add_up_leave_nothing_to_report() -> None:
    rows = (Row("A", (D("1.1"), None)), Row("Summa", (D("1.1"), D("0.0")), "sum"))
    assert _sum_rows(table(*rows)) == []

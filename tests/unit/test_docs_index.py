"""The docs index links the boards' reports that `tertial report` wrote."""

from pathlib import Path

from warehouse.docs import index_html


def test_the_index_links_each_report_and_its_pdf_and_workbook(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("tertialrapport_142_T2_2024.html", "tertialrapport_142_T2_2024.pdf"):
        (reports / name).write_text("x", encoding="utf-8")
    page = index_html([], [], [], [reports / "tertialrapport_142_T2_2024.html"])
    assert "<a href='../reports/tertialrapport_142_T2_2024.html'>" in page
    assert "<a href='../reports/tertialrapport_142_T2_2024.pdf'>PDF</a>" in page
    assert ".xlsx" not in page  # no workbook was written: no link to one
    assert "Board reports</a>: 1" in page

"""The boards' reports, written after every publish: `reports/board_reports`."""

import dagster as dg

from orchestration.assets.dbt_models import published_snapshot
from orchestration.resources import TertialHome
from warehouse.report import write_newest_reports


@dg.asset(
    key=dg.AssetKey(["reports", "board_reports"]),
    deps=[published_snapshot],
    group_name="publish",
    kinds={"html", "pdf", "excel"},
)
def board_reports(context: dg.AssetExecutionContext, tertial: TertialHome) -> dg.MaterializeResult:
    """Every board's newest tertial or year-end report (HTML, PDF, Excel) from the
    published snapshot, into `$TERTIAL_HOME/reports/` (`tertial report` writes one).

    A report is read from the marts only, so it is exactly what was just published. A
    PDF that could not be printed (no Chromium) is named in the metadata; the HTML and
    the workbook are written regardless.
    """
    written = write_newest_reports(tertial.paths(), context.log.info)
    problems = [f"{w.report.namnd_code}: {p}" for w in written for p in w.problems]
    for problem in problems:
        context.log.warning(problem)
    return dg.MaterializeResult(
        metadata={
            "report": written[0].report.title if written else "none yet",
            "boards": len(written),
            "files": sum(len(w.files) for w in written),
            "folder": str(tertial.paths().reports),
            "problems": problems or "none",
        }
    )

"""Every mart column has a description that starts with a Swedish label of its own.

The descriptions become the published tables' comments (warehouse/comments.py,
warehouse/publish.py), which BI tools show and `tertial query --format xlsx` takes its
headers from; a column without one, or two columns of a mart with the same label, would
show up there as a bare name or as two equal headers. Files only, no dbt.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from warehouse.comments import MAX_LABEL, label, literal, normalised
from warehouse.publish import META_COMMENTS

pytestmark = pytest.mark.unit

MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
# How a description that forgot its label starts (they all did, before issue 15).
NOT_A_LABEL = {"true", "false", "surrogate", "the", "a", "key", "1", "-1", "null"}


def mart_models() -> list[dict]:
    models = []
    for file in sorted(MARTS.rglob("_*__models.yml")):
        models += yaml.safe_load(file.read_text(encoding="utf-8"))["models"]
    return models


def check_labels(name: str, description: str | None, columns: dict[str, str | None]) -> None:
    assert normalised(description), f"{name} has no description"
    assert columns, f"{name} lists no columns"
    seen: dict[str, str] = {}
    for column, text in columns.items():
        where = f"{name}.{column}"
        assert normalised(text), f"{where} has no description"
        found = label(text)
        assert 0 < len(found) <= MAX_LABEL, f"{where}: no short label first: {found!r}"
        assert found.split()[0].lower() not in NOT_A_LABEL, f"{where}: {found!r} is no label"
        assert found not in seen, f"{where} and {name}.{seen[found]} are both {found!r}"
        seen[found] = column


def test_every_mart_column_starts_with_a_label_of_its_own() -> None:
    models = mart_models()
    assert len(models) == 29  # the published marts (README's table)
    for model in models:
        check_labels(
            model["name"],
            model.get("description"),
            {c["name"]: c.get("description") for c in model.get("columns", [])},
        )


def test_meta_tables_are_described_like_the_marts() -> None:
    assert set(META_COMMENTS) == {"batches", "publication"}
    for table, (description, columns) in META_COMMENTS.items():
        check_labels(f"meta.{table}", description, columns)


def test_labels_of_known_columns() -> None:
    by_name = {
        m["name"]: {c["name"]: c["description"] for c in m["columns"]} for m in mart_models()
    }
    assert label(by_name["dim_namnd"]["namnd_key"]) == "Nämnd"
    assert label(by_name["rpt_budget_followup"]["booked_ytd"]) == "Bokfört t.o.m. (kr)"
    assert label(by_name["rpt_budget_followup"]["through_period"]) == "T.o.m. period (YYYYMM)"
    assert label(by_name["fct_budget"]["decision_id"]) == "Beslut"
    assert label(by_name["rpt_indicators"]["kf_target_value"]) == "KF:s årsmål (tal)"


def test_a_comment_is_one_sql_literal() -> None:
    assert literal("it's") == "'it''s'"
    assert literal("a\\b") == "'a\\b'"  # no backslash escapes in a standard literal

"""The Great Expectations wrapper: what it reports, and what it does not spend time on."""

from __future__ import annotations

import great_expectations as gx
import pandas as pd
import pytest
from great_expectations.execution_engine import pandas_execution_engine

from sources._common.validation import rule, validate

pytestmark = pytest.mark.unit


def test_a_batch_is_validated_without_hashing_every_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """GX's batch fingerprint hashed every cell: 23 % of a 1 M-row ingest (bench/findings.md)."""

    def fingerprint(frame: pd.DataFrame) -> str:
        raise AssertionError(f"GX fingerprinted a {len(frame)}-row batch")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", fingerprint)
    frame = pd.DataFrame({"konto": ["4010", "x"]}, index=pd.Index([2, 3], name="line_number"))
    outcome = validate(
        frame,
        "test.content",
        [
            rule(
                gx.expectations.ExpectColumnValuesToMatchRegex(column="konto", regex=r"^\d{4}$"),
                "Konto is 4 digits",
            )
        ],
    )
    [failure] = outcome.failures
    assert (failure.rule, failure.lines, failure.values) == ("Konto is 4 digits", (3,), ("x",))

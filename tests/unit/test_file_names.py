"""What a file's name says: its source, or why none, with the name it may have meant."""

from __future__ import annotations

import pytest

from sources.registry import SOURCES, source_for, unknown_source_reason

MEANT = [
    ("lön_201108.csv", "lon_201108.csv"),
    ("Sjukfrånvaro_201108.csv", "sjukfranvaro_201108.csv"),
    ("medarbetarenkät_2010.csv", "medarbetarenkat_2010.csv"),
    ("huvudbok 201108.csv", "huvudbok_201108.csv"),
    ("huvudbok-201108.csv", "huvudbok_201108.csv"),
    ("huvudbok_201108.txt", "huvudbok_201108.csv"),
    ("budget_2011_2.xlsx", "budget_2011_2.csv"),
    ("prognos_2011_T2", "prognos_2011_T2.csv"),
]


@pytest.mark.parametrize(("name", "meant"), MEANT)
def test_a_near_miss_is_told_the_name_it_meant(name: str, meant: str) -> None:
    assert source_for(name) is None
    assert source_for(meant) is not None  # the suggestion is itself a source's name
    reason = unknown_source_reason(name)
    assert f"did you mean {meant}?" in reason and f"menade du {meant}?" in reason


@pytest.mark.parametrize(
    "name", ["rapport.txt", "notes.docx", "lönelista.pdf", "x.csv", "organisationsschema.pdf"]
)
def test_a_stray_file_gets_no_guess(name: str) -> None:
    reason = unknown_source_reason(name)
    assert "did you mean" not in reason and "menade du" not in reason


def test_the_expected_names_read_as_file_names_not_patterns() -> None:
    reason = unknown_source_reason("rapport.txt")
    assert "huvudbok_*.csv" in reason and "*.se, *.si" in reason
    assert "(?!" not in reason and "\\." not in reason and ".*" not in reason
    # every source is named, each once
    assert reason.count("_*.csv") == sum(
        1 for s in SOURCES if "_.*" in s.contract.file_pattern.pattern
    )

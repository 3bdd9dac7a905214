"""The `kommentarer` source: year and report from the name, sections in any case, and
a comment the report could not place refused by name."""

from __future__ import annotations

import pytest

from sources._common.batch import Reference
from sources._common.csvfile import ParseError
from sources.kommentarer import SOURCE
from tests.conftest import SERVICENAMNDEN

REFERENCE = Reference(namnd_codes=frozenset({"142"}), verksamheter=frozenset({("142", "240")}))
HEADER = "Nämnd;Avsnitt;Referens;Typ;Text;Författare\n"


def parsed(lines: str, name: str = "kommentarer_2011_T2.csv"):
    return SOURCE.parse((HEADER + lines).encode("utf-8"), name, {})


def failures(lines: str) -> list[str]:
    return [f.rule for o in SOURCE.check(parsed(lines), REFERENCE) for f in o.failures]


def test_the_reference_comments_load_with_the_year_and_report_of_their_name() -> None:
    path = SERVICENAMNDEN.parent / "kommentarer" / "kommentarer_2011_T2.csv"
    batch = SOURCE.parse(path.read_bytes(), path.name, {})
    assert batch.rows.height == 6
    assert set(batch.rows["ar"]) == {2011} and set(batch.rows["rapport"]) == {"T2"}
    keys = SOURCE.supersession_keys(batch)
    assert keys.rows() == [("kommentarer", "142|2011|T2", 6)]


def test_sections_and_kinds_in_any_case_are_kept_in_lower_case() -> None:
    batch = parsed(
        "142;Ekonomi;;Analys;Prognosen håller.;\n142;VERKSAMHET;240;åtgärd;Följs upp.;\n"
    )
    assert batch.rows["avsnitt"].to_list() == ["ekonomi", "verksamhet"]
    assert batch.rows["typ"].to_list() == ["analys", "åtgärd"]
    assert failures("142;Ekonomi;;Analys;Prognosen håller.;\n") == []


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("142;budget;;analys;x;\n", "Avsnitt is a section of the report"),
        ("142;ekonomi;;kommentar;x;\n", "Typ is a kind of comment"),
        ("142;verksamhet;;analys;x;\n", "Referens names the activity"),
        ("142;verksamhet;999;analys;x;\n", "Referens of a verksamhet comment is an activity"),
        ("999;ekonomi;;analys;x;\n", "Nämnd"),
        ("142;personal;;analys;Samtal med 19121212-1212;\n", "no personnummer-like value"),
    ],
)
def test_a_comment_the_report_cannot_place_is_refused_by_its_rule(line: str, rule: str) -> None:
    found = failures(line)
    assert found and found[0].startswith(rule), found


def test_a_name_without_year_and_report_is_refused_after_the_content_is_read() -> None:
    with pytest.raises(ParseError) as raised:
        parsed("142;ekonomi;;analys;x;\n", name="kommentarer_2011.csv")
    assert raised.value.rule == "file-name"
    assert "kommentarer_<År>_<T1|T2|VB>.csv" in str(raised.value)

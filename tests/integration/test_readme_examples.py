"""README.md's analyst examples, read from the README's own text.

The helpers here cut the examples out of README.md (a `#### <label>. <title>` heading of
the "Analysts" section, then its first ```sql or ```sh block; the shell lines of the
other blocks); tests/integration/test_demo_run.py runs them on the demo city and
tests/integration/test_serving.py the reference ones on the 2011 reference folder. The
tests of this module need no warehouse: the README shows warehouse/examples.sql word for
word, and the demo's figures quoted beside the examples cannot depend on the ledger's
volume (the test's demo is smaller than `make run`'s).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.queries import read_queries
from demo import write_demo_city
from warehouse.examples import demo_examples, read_examples
from warehouse.settings import REPO_ROOT

pytestmark = pytest.mark.integration

README = REPO_ROOT / "README.md"
DEMO_LABELS = [f"D{n}" for n in range(1, 11)]
REFERENCE_LABELS = [str(n) for n in range(1, 11)]
# The demo block ends where the reference block (the 2011 files) begins.
REFERENCE_HEADING = "### The same questions on the 2011 reference files"


@dataclass(frozen=True)
class ReadmeExample:
    label: str  # "D1".."D10" on the demo city, "1".."10" on the reference files
    title: str
    text: str  # from the heading to the end of its code block: where figures are quoted
    language: str  # "sql" or "sh"
    code: str


def section(title: str, readme: Path = README) -> str:
    """The text of README.md's `## <title>` section, up to the next `## ` heading."""
    text = readme.read_text(encoding="utf-8")
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def readme_examples(readme: Path = README) -> list[ReadmeExample]:
    """Every `#### <label>. <title>` example of the "Analysts" section, in order."""
    found = re.finditer(
        r"^#### (D?\d+)\. (.+?)$(.*?)^```(sql|sh)\n(.*?)^```$",
        section("Analysts", readme),
        flags=re.S | re.M,
    )
    return [ReadmeExample(m[1], m[2], m[0], m[4], m[5].strip()) for m in found]


def demo_readme_examples() -> list[ReadmeExample]:
    return [e for e in readme_examples() if e.label.startswith("D")]


def code_blocks(text: str, language: str) -> list[str]:
    return [b.strip() for b in re.findall(rf"^```{language}\n(.*?)^```$", text, re.S | re.M)]


def connect_blocks() -> list[tuple[str, str]]:
    """The "Analysts" section's other examples, before its ten questions: (language, code)."""
    intro = section("Analysts").split("\n### Ten questions on the demo city\n", 1)[0]
    return [(lang, code) for lang in ("sh", "python") for code in code_blocks(intro, lang)]


def event_sourcing_block() -> str:
    """The shell example of the event-sourcing section (history, retract, build ...)."""
    title = 'Event sourcing: corrections, retractions, "as of", replay'
    [block] = code_blocks(section(title), "sh")
    return block


def test_the_readme_has_ten_questions_on_the_demo_then_the_reference_ones() -> None:
    examples = readme_examples()
    assert [e.label for e in examples] == DEMO_LABELS + REFERENCE_LABELS
    analysts = section("Analysts")
    # Every demo question comes before the block that needs the reference files, which
    # says so in its first lines.
    demo_end = analysts.index(REFERENCE_HEADING)
    assert all(analysts.index(f"#### {label}. ") < demo_end for label in DEMO_LABELS)
    assert "need the reference files" in analysts[demo_end : demo_end + 300]


def test_the_readme_shows_the_example_queries_word_for_word() -> None:
    # warehouse/examples.sql is the one source of example SQL; README.md shows the ones
    # marked `-- readme: <labels>` and may not drift from them.
    in_readme = {e.label: (e.title, e.code) for e in readme_examples() if e.language == "sql"}
    in_file = {label: (e.name, e.sql) for e in read_examples() for label in e.readme}
    assert len(in_readme) >= 18  # D6 and 6 are shell examples (--as-of), the rest SQL
    assert in_readme == in_file


def test_the_demo_and_the_benchmark_read_the_example_queries() -> None:
    examples = read_examples()
    demo = [e.name for e in demo_examples()]
    assert demo == [e.name for e in examples if e.demo] and len(demo) == 3
    timed = [(q.name, q.scope, q.sql) for q in read_queries()]
    assert timed == [(e.name, e.scope, e.sql) for e in examples if e.scope]


def test_the_readme_points_at_no_file_a_clone_lacks() -> None:
    # A plain clone has no ../shared/: the README names the shared folder in words.
    assert "../shared" not in README.read_text(encoding="utf-8")


def digests(landing: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


def test_the_demo_is_the_same_every_time_and_its_quoted_sources_whatever_the_volume(
    tmp_path: Path,
) -> None:
    # The README quotes the demo's budgets, registers, sick leave and indicators on
    # `make run`'s demo (400 rows a board-month); test_demo_run.py checks them on a demo
    # of 10. Both are the same files byte for byte: only the ledger (and the forecasts
    # drawn from what is booked) follow the volume. ~3 s: writing files, no warehouse.
    small, again, full = (tmp_path / "small", tmp_path / "again", tmp_path / "full")
    write_demo_city(small, rows_per_board_month=10)
    write_demo_city(again, rows_per_board_month=10)
    write_demo_city(full)  # the defaults: `tertial demo`, `make run`
    assert digests(small) == digests(again)
    a, b = digests(small), digests(full)
    assert a.keys() == b.keys() and len(a) == 176
    differ = {name.split("_")[0] for name in a if a[name] != b[name]}
    assert differ == {"huvudbok", "prognos"}
    same = {name.split("_")[0].removesuffix(".csv") for name in a if a[name] == b[name]}
    assert same >= {"organisation", "verksamheter", "budget", "sjukfranvaro", "lon"}
    assert same >= {"indikatorer", "medarbetarenkat", "kommentarer", "balans", "resultatfond"}
    assert same >= {"organisationsmappning", "ansvar"}

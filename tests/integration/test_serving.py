"""Every example of the README's "Analysts" section runs against the reference folder.

The examples are read from README.md itself (a `#### N. title` heading, then its first
```sql or ```sh block), so the README cannot drift from what runs. SQL runs the way
`tertial query` runs it (read-only, marts and meta on the search path); shell examples
run in bash with this environment's `tertial` on PATH.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tertial.cli import parser
from warehouse.publish import connect_published
from warehouse.settings import REPO_ROOT, Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

# Marts other branches build (issue 6 was written before they landed): an example that
# needs one that is not in the snapshot is skipped, saying which; as soon as the mart is
# merged the example runs. Anything else missing is a failure.
PENDING = {
    "rpt_budget_followup_mnkr": "finance (budget follow-up report marts)",
    "rpt_sick_leave": "hr (sick-leave report mart)",
    "rpt_indicators": "hr (indicator report mart)",
    "--as-of": "events (`tertial query --as-of`)",
}
NEEDS = {
    1: {"rpt_budget_followup_mnkr"},
    2: {"rpt_budget_followup_mnkr"},
    3: {"rpt_sick_leave"},
    4: {"rpt_indicators"},
    6: {"--as-of"},
}


Rows = list[dict]


def mnkr(kronor: Decimal) -> Decimal:
    """Half away from zero, one decimal, as the reports round."""
    return (kronor / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def by(rows: Rows, **key: object) -> dict:
    [row] = [r for r in rows if all(r[k] == v for k, v in key.items())]
    return row


# Figures typed from ../shared/reference/servicenamnden-2011/expected.md, per example.
CHECKS: dict[int, Callable[[Rows], None]] = {
    1: lambda rows: (
        [
            by(rows, verksamhet_code="240", slag="Kostnader")[c]
            for c in ("adjusted_budget", "booked_ytd", "forecast", "deviation")
        ]
        == [Decimal("42.8"), Decimal("27.2"), Decimal("42.3"), Decimal("0.5")]
    ),
    3: lambda rows: float(by(rows, period=201107)["sick_leave_pct"]) == 5.5,
    5: lambda rows: by(rows, namnd_code="1014")["successor_codes"] == ["139", "140"],
    7: lambda rows: by(rows, source_name="huvudbok")["newest_period"] == "201108",
    10: lambda rows: mnkr(by(rows, period=201108)["net_so_far"]) == Decimal("2.6"),
}


@dataclass(frozen=True)
class Example:
    number: int
    title: str
    language: str
    code: str


def readme_examples(readme: Path = REPO_ROOT / "README.md") -> list[Example]:
    text = readme.read_text(encoding="utf-8")
    section = text.split("\n## Analysts\n", 1)[1].split("\n## ", 1)[0]
    found = re.findall(
        r"^#### (\d+)\. (.+?)$.*?^```(sql|sh)\n(.*?)^```$", section, flags=re.S | re.M
    )
    return [Example(int(n), title, lang, code) for n, title, lang, code in found]


EXAMPLES = readme_examples()


def test_the_readme_has_ten_examples() -> None:
    assert [e.number for e in EXAMPLES] == list(range(1, 11))


def missing(home: Paths, needs: set[str]) -> list[str]:
    con = connect_published(home.published)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    finally:
        con.close()
    have = tables | ({"--as-of"} if has_as_of() else set())
    return sorted(needs - have)


def has_as_of() -> bool:
    """Whether `tertial query` takes --as-of (argparse exits on an unknown option)."""
    try:
        parser().parse_args(["query", "--as-of", "2011-09-15", "select 1"])
    except SystemExit:
        return False
    return True


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.number}-{e.title}" for e in EXAMPLES])
def test_readme_example_runs_and_answers(servicenamnden_2011: Paths, example: Example) -> None:
    absent = missing(servicenamnden_2011, NEEDS.get(example.number, set()))
    if absent:
        pytest.skip("needs " + ", ".join(f"{a} from {PENDING[a]}" for a in absent))
    if example.language == "sql":
        con = connect_published(servicenamnden_2011.published)
        try:
            cursor = con.execute(example.code)
            columns = [d[0] for d in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        except duckdb.Error as exc:
            pytest.fail(f"example {example.number} ({example.title}) fails: {exc}")
        finally:
            con.close()
        assert rows, f"example {example.number} ({example.title}) answers nothing"
        if example.number in CHECKS:
            assert CHECKS[example.number](rows), rows
    else:
        bin_dir = Path(sys.executable).parent
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", example.code],
            env={
                **os.environ,
                "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                "TERTIAL_HOME": str(servicenamnden_2011.home),
            },
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        [count] = re.findall(r"^\((\d+) rows?\)$", done.stdout, flags=re.M)[-1:]
        assert int(count) > 0, done.stdout
        if example.number == 6:
            # As of leverans1 of June, 240's costs lack its missing voucher: ~0,12 mnkr.
            [then] = re.findall(r"^\s*(-?\d+\.\d{2})$", done.stdout, flags=re.M)
            today_sql = example.code.splitlines()[-1].split('"')[-2]
            con = connect_published(servicenamnden_2011.published)
            try:
                [(today,)] = con.execute(today_sql).fetchall()
            finally:
                con.close()
            assert Decimal("100000") < today - Decimal(then) < Decimal("140000")

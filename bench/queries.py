"""The analyst queries the benchmark times: the examples with a scope.

They are read from `warehouse/examples.sql` (warehouse/examples.py), the one file of
example queries: `tertial demo` prints some of the same, README.md shows others. An
entry the benchmark times carries `-- scope: board` (one board's report, target p50
≤ 100 ms) or `-- scope: city` (city-wide, target p50 ≤ 1 s); `--queries` of the
`queries` step takes another file written the same way (a BI tool's real queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse.examples import EXAMPLES, SCOPES, parse_examples

QUERIES = EXAMPLES
__all__ = ["QUERIES", "SCOPES", "Query", "parse_queries", "read_queries"]


@dataclass(frozen=True)
class Query:
    name: str
    scope: str  # "board" or "city"
    sql: str


def parse_queries(text: str) -> list[Query]:
    """The queries of a queries file with a scope, in order.

    >>> [q.name for q in parse_queries("-- query: a\\n-- scope: city\\nselect 1;\\n")]
    ['a']
    """
    return [Query(e.name, e.scope, e.sql) for e in parse_examples(text) if e.scope]


def read_queries(path: Path = QUERIES) -> list[Query]:
    return parse_queries(path.read_text(encoding="utf-8"))

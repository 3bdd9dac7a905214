"""The analyst queries the benchmark times, read from `queries.sql` beside this file.

The list lives in a SQL file so that it can be swapped (for the README's examples, or a
BI tool's real queries) without touching the runner. Each query starts with two comment
lines: `-- query: <name>` and `-- scope: board` (one board's report, target p50 ≤ 100 ms)
or `-- scope: city` (city-wide, target p50 ≤ 1 s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES = Path(__file__).with_name("queries.sql")
SCOPES = ("board", "city")
_HEADER = re.compile(r"^-- query: *(?P<name>.+?)\s*\n-- scope: *(?P<scope>\w+)\s*$", re.M)


@dataclass(frozen=True)
class Query:
    name: str
    scope: str  # "board" or "city"
    sql: str


def parse_queries(text: str) -> list[Query]:
    """The queries of a queries file, in order.

    >>> [q.name for q in parse_queries("-- query: a\\n-- scope: city\\nselect 1;\\n")]
    ['a']
    """
    headers = list(_HEADER.finditer(text))
    queries = []
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        end = following.start() if following else len(text)
        sql = text[header.end() : end].strip().rstrip(";").strip()
        scope = header["scope"]
        if scope not in SCOPES:
            raise ValueError(f"query {header['name']!r}: scope must be one of {SCOPES}")
        if not sql:
            raise ValueError(f"query {header['name']!r} has no SQL")
        queries.append(Query(header["name"], scope, sql))
    return queries


def read_queries(path: Path = QUERIES) -> list[Query]:
    return parse_queries(path.read_text(encoding="utf-8"))

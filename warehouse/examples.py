"""The example queries of `examples.sql` beside this file: one list for every use.

`tertial demo` (`make run`) prints the ones marked `-- demo: yes` with their answers,
the benchmark (bench/queries.py) times the ones with a `-- scope:`, and README.md shows
the ones with `-- readme: D1` (a question on the demo city) or `-- readme: 1` (on the
2011 reference files) word for word (tests/integration/test_readme_examples.py
compares). The file's own header says how an entry is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = Path(__file__).with_name("examples.sql")
SCOPES = ("board", "city")
TAGS = ("demo", "scope", "readme")

_QUERY = re.compile(r"^-- query: *(?P<name>.+?)\s*$", re.M)
_TAG = re.compile(r"-- (?P<key>\w+): *(?P<value>.+?)\s*")
# A README example's label: D1..D10 on the demo city, 1..10 on the reference files.
_LABEL = re.compile(r"D?[1-9]\d*")


@dataclass(frozen=True)
class Example:
    name: str
    sql: str
    demo: bool = False
    scope: str | None = None  # "board" or "city": the benchmark times it
    readme: tuple[str, ...] = ()  # README.md's examples of these labels ("D7", "7")


def parse_examples(text: str) -> list[Example]:
    """The queries of an examples file, in order.

    >>> [e.name for e in parse_examples("-- query: a\\n-- scope: city\\nselect 1;\\n")]
    ['a']
    >>> parse_examples("-- query: a\\n-- demo: yes\\n-- readme: D7, 7\\nselect 1;\\n")[0]
    Example(name='a', sql='select 1', demo=True, scope=None, readme=('D7', '7'))
    """
    headers = list(_QUERY.finditer(text))
    examples = []
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        name = header["name"]
        lines = text[header.end() : following.start() if following else len(text)]
        lines = lines.lstrip("\n").split("\n")
        tags: dict[str, str] = {}
        while lines and (tag := _TAG.fullmatch(lines[0])) and tag["key"] in TAGS:
            tags[tag["key"]] = tag["value"]
            lines.pop(0)
        sql = "\n".join(lines).strip().rstrip(";").strip()
        if not sql:
            raise ValueError(f"query {name!r} has no SQL")
        scope = tags.get("scope")
        if scope is not None and scope not in SCOPES:
            raise ValueError(f"query {name!r}: scope must be one of {SCOPES}")
        if tags.get("demo", "yes") != "yes":
            raise ValueError(f"query {name!r}: `-- demo:` takes yes (or leave it out)")
        labels = tuple(label.strip() for label in tags.get("readme", "").split(",") if label)
        if not all(_LABEL.fullmatch(label) for label in labels):
            raise ValueError(
                f"query {name!r}: `-- readme:` takes the examples' labels, e.g. `D7, 7`"
            )
        examples.append(Example(name, sql, "demo" in tags, scope, labels))
    names = [e.name for e in examples]
    if len(set(names)) != len(names):
        raise ValueError(
            f"two queries of one name: {sorted(n for n in names if names.count(n) > 1)}"
        )
    labels = [label for e in examples for label in e.readme]
    if len(set(labels)) != len(labels):
        raise ValueError(
            f"two queries of one README label: {sorted(x for x in labels if labels.count(x) > 1)}"
        )
    return examples


def read_examples(path: Path = EXAMPLES) -> list[Example]:
    return parse_examples(path.read_text(encoding="utf-8"))


def demo_examples() -> list[Example]:
    """What `tertial demo` prints, in the file's order."""
    return [e for e in read_examples() if e.demo]

"""The Swedish labels and descriptions BI tools show: DuckDB comments on the published tables.

Every mart's and column's description (dbt YAML, `dbt_project/models/marts/**/_*__models.yml`)
starts with its Swedish report label as its own clause: `Nämnd. Durable surrogate key ...`,
`Justerad budget (kr): the year's ...`, `Verksamhet (kod); null on ...`. dbt writes the
descriptions into its manifest; the publish writes them as comments into the snapshot
(warehouse/publish.py) and an as-of build into its database (`described`), whole: a BI tool
shows the comment as the column's description, label first, and `label` takes the label
back out (the headers of `tertial query --format xlsx`). Not dbt's `persist_docs`: it
wrote them into the working database on every rebuilt mart, two column lookups and a
comment statement each, 1.2 s of the nightly build's Python time on the 10-year city
(py-spy, 2026-12-06), for a database no reader opens. tests/unit/test_comments.py holds every
mart column to it: a description, a label of its own within the mart.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

# A label this long is a sentence, not a column header (the longest is 41 characters:
# "Andel sjukfrånvaro 60 dagar eller mer (%)").
MAX_LABEL = 48


def normalised(text: str | None) -> str:
    """A description as one line: YAML's folded blocks end in a newline and wrap lines.

    >>> normalised("Nämnd. Durable surrogate key\\n  (md5 of the code).\\n")
    'Nämnd. Durable surrogate key (md5 of the code).'
    """
    return " ".join((text or "").split())


def label(comment: str | None) -> str:
    """The Swedish label a description starts with: its first clause.

    The clause ends at the first `.`, `:`, `;` or `,` followed by a space (or the end)
    outside parentheses; a full stop that ends an abbreviation with dots inside
    (`t.o.m.`, `e.g.`) does not end it.

    >>> label("Nämnd. Durable surrogate key (md5 of the code).")
    'Nämnd'
    >>> label("Justerad budget (kr): the year's budget decisions")
    'Justerad budget (kr)'
    >>> label("Bokfört t.o.m. (mnkr): booked from January")
    'Bokfört t.o.m. (mnkr)'
    >>> label("Verksamhet (kod); null on the is_total rows.")
    'Verksamhet (kod)'
    >>> label("Slag. Kostnader, Intäkter or Investering.")
    'Slag'
    >>> label("KF:s årsmål (tal). The parsed number")
    'KF:s årsmål (tal)'
    >>> label("Giltig från.")
    'Giltig från'
    >>> label(None)
    ''
    """
    text = normalised(comment)
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and char in ".:;," and (i + 1 == len(text) or text[i + 1] == " "):
            if char == "." and "." in text[:i].rsplit(" ", 1)[-1]:
                continue  # t.o.m., e.g.
            return text[:i]
    return text


def literal(text: str) -> str:
    """A comment as an SQL string literal: COMMENT ON takes no bind parameter.

    >>> literal("Bokslut föregående år (kr): the year's outcome")
    "'Bokslut föregående år (kr): the year''s outcome'"
    """
    return "'" + text.replace("'", "''") + "'"


def described(
    manifest: dict, tables: Iterable[tuple[str, str]]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    """The descriptions of the dbt models among `tables` ((schema, table)), from dbt's
    manifest: ([(schema, table, comment)], [(schema, table, column, comment)]), for
    `write_comments` (after `existing_columns`: YAML may document a column the model
    lacks).

    >>> manifest = {"nodes": {"model.t.dim_x": {"resource_type": "model", "schema": "marts",
    ...     "alias": "dim_x", "description": "X. The x.", "columns": {
    ...         "x_code": {"name": "x_code", "description": "X (kod). Its code."}}},
    ...     "test.t.u": {"resource_type": "test", "schema": "marts", "alias": "u"}}}
    >>> described(manifest, [("marts", "dim_x")])
    ([('marts', 'dim_x', 'X. The x.')], [('marts', 'dim_x', 'x_code', 'X (kod). Its code.')])
    """
    wanted = set(tables)
    described_tables: list[tuple[str, str, str]] = []
    described_columns: list[tuple[str, str, str, str]] = []
    for node in manifest.get("nodes", {}).values():
        key = (node.get("schema"), node.get("alias") or node.get("name"))
        if node.get("resource_type") not in ("model", "seed") or key not in wanted:
            continue
        schema, table = key
        if node.get("description"):
            described_tables.append((schema, table, node["description"]))
        for column in node.get("columns", {}).values():
            if column.get("description"):
                described_columns.append((schema, table, column["name"], column["description"]))
    return described_tables, described_columns


def existing_columns(
    con: duckdb.DuckDBPyConnection, columns: Iterable[tuple[str, str, str, str]]
) -> list[tuple[str, str, str, str]]:
    """`columns` that the connection's default database has (a YAML entry can name a
    column the model does not select: COMMENT ON would fail)."""
    present = set(
        con.execute("select schema_name, table_name, column_name from duckdb_columns()").fetchall()
    )
    return [c for c in columns if c[:3] in present]


def write_comments(
    con: duckdb.DuckDBPyConnection,
    tables: Iterable[tuple[str, str, str | None]],
    columns: Iterable[tuple[str, str, str, str | None]],
) -> None:
    """COMMENT ON each (schema, table, comment) and (schema, table, column, comment).

    Identifiers come from our own catalog or fixed lists, quoted. One transaction: 252
    comments take 0.05 s so, 0.7 s one by one (each its own commit).
    """
    con.execute("begin")
    try:
        for schema, table, comment in tables:
            if comment:
                con.execute(
                    f'comment on table "{schema}"."{table}" is {literal(normalised(comment))}'
                )
        for schema, table, column, comment in columns:
            if comment:
                con.execute(
                    f'comment on column "{schema}"."{table}"."{column}" '
                    f"is {literal(normalised(comment))}"
                )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def labels(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """{(table, column): Swedish label} of every commented column of the published schemas."""
    rows = con.execute(
        """
        select table_name, column_name, comment
        from duckdb_columns()
        where schema_name in ('marts', 'meta') and comment is not null and comment <> ''
        """
    ).fetchall()
    return {(table, column): label(comment) for table, column, comment in rows}

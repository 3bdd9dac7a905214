"""Analysts' SQL reads the published marts and nothing else.

`tertial query`, `explain` and `history` (and every other reader of the published
files) open DuckDB here. Two independent walls:

1. The connection. Read-only; what it needs is attached first (the snapshot, the
   published copy of the event log where explain and as-of need it), then
   `enable_external_access = false` (no ATTACH, COPY, EXPORT, INSTALL, file-reading
   table functions: DuckDB refuses every file or URL but the attached databases and its
   own spill folder) and `lock_configuration = true` (no SET can undo it). Python
   replacement scans and extension autoloading are switched off before the lock.
2. The statement guard (`check_statement`). Exactly one statement, parsed by DuckDB's
   own parser on a throw-away, equally locked in-memory connection: SELECT (WITH, FROM,
   VALUES, PIVOT with an IN list, DESCRIBE, SHOW, SUMMARIZE, `PRAGMA table_info`, which
   DuckDB rewrites to a SELECT) or EXPLAIN of one; table functions only from a list of
   pure ones (`range`, `unnest`, the catalog's `duckdb_*` and `pragma_*` views ...);
   everything else refused with one line that says why.

DuckDB 1.5.5, locked this way, refuses ATTACH (read-write or not), COPY TO and FROM,
EXPORT/IMPORT DATABASE, INSTALL, LOAD of an extension not already loaded, SET/RESET of
any option but the search path, and read_csv/read_text/read_blob/glob/read_parquet/
read_json/sniff_csv of any path or URL. It still runs CHECKPOINT, VACUUM, DETACH, USE,
`SET search_path`, PRAGMA enable_profiling (to stdout), CREATE TEMP TABLE/MACRO (in
memory), `query('select ...')` and `json_execute_serialized_sql`: harmless on a
read-only file, but not what an analyst's one statement is for, so the guard refuses
them.

`explain --where` takes a condition, never SQL to paste (`with_condition`): it is
parsed inside `select * from t where (...)`, the tree must be that select and nothing
else, the condition may not hold a subquery or a table function, and the query run is
rendered by DuckDB from the checked tree.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from warehouse.connection import duckdb_connect

# The search path of the published snapshot and of an as-of build.
MARTS_SEARCH_PATH = "marts,meta,main"

# What an analyst may ask for, said in every refusal.
ALLOWED = "one SELECT (WITH, FROM, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN of one"

# Table functions that read nothing but their arguments or the catalog. Everything else
# (read_csv, read_text, read_blob, glob, read_parquet, read_json*, read_duckdb,
# sniff_csv, parquet_*, query, query_table, json_execute_serialized_sql, checkpoint,
# enable_logging, ...) reads files, runs SQL given as text or changes the session.
PURE_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "unnest",
        "repeat",
        "repeat_row",
        "json_each",
        "json_tree",
        "summary",
        "histogram",
        "histogram_values",
        "icu_calendar_names",
        "pg_timezone_names",
        "duckdb_columns",
        "duckdb_constraints",
        "duckdb_databases",
        "duckdb_dependencies",
        "duckdb_functions",
        "duckdb_indexes",
        "duckdb_keywords",
        "duckdb_schemas",
        "duckdb_sequences",
        "duckdb_settings",
        "duckdb_tables",
        "duckdb_types",
        "duckdb_views",
        "pragma_table_info",
        "pragma_show",
        "pragma_version",
        "pragma_database_size",
        "pragma_storage_info",
        "pragma_metadata_info",
        "pragma_collations",
        "pragma_platform",
    }
)

# What each refused statement type is called in its one-line refusal.
REFUSED = {
    "ATTACH": "ATTACH",
    "DETACH": "DETACH",
    "COPY": "COPY",
    "COPY_DATABASE": "COPY FROM DATABASE",
    "EXPORT": "EXPORT DATABASE",
    "LOAD": "INSTALL/LOAD",
    "EXTENSION": "an extension statement",
    "SET": "SET/RESET/USE",
    "VARIABLE_SET": "SET VARIABLE",
    "PRAGMA": "PRAGMA",
    "CALL": "CALL/CHECKPOINT",
    "VACUUM": "VACUUM/ANALYZE",
    "TRANSACTION": "a transaction statement",
    "PREPARE": "PREPARE",
    "EXECUTE": "EXECUTE",
    "CREATE": "CREATE (a write)",
    "CREATE_FUNC": "CREATE FUNCTION (a write)",
    "INSERT": "INSERT (a write)",
    "UPDATE": "UPDATE (a write)",
    "DELETE": "DELETE (a write)",
    "MERGE_INTO": "MERGE (a write)",
    "DROP": "DROP/DEALLOCATE (a write)",
    "ALTER": "ALTER (a write)",
}

# `EXPLAIN [ANALYZE] ...` or `EXPLAIN (options) ...` after any leading comments.
_EXPLAIN = re.compile(
    r"\A(?:\s|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*explain\s+(?:analy[sz]e\b|\([^()]*\))?",
    re.IGNORECASE | re.DOTALL,
)
# A table name that is a path or URL (DuckDB's replacement scan would read the file).
_FILE_LIKE = re.compile(r"[/\\:]|\.(?:csv|tsv|txt|parquet|json|ndjson|jsonl|gz|zst|db)$", re.I)


class QueryRefused(ValueError):
    """An analyst's statement or condition that is not one read of the marts."""


class SnapshotUnavailable(FileNotFoundError):
    """A published file is missing or cannot be opened.

    A FileNotFoundError so that every caller which already says "run `tertial build`
    first" for a missing snapshot says it, in one line, for a broken one too.
    """


def one_line(exc: BaseException) -> str:
    """An exception's message as one line (DuckDB's carry a caret diagram below)."""
    text = str(exc.args[0]) if isinstance(exc, LookupError) and exc.args else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def lock(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No file, URL, extension or setting beyond what `con` has attached, from now on."""
    con.execute("set python_enable_replacements = false")
    con.execute("set autoinstall_known_extensions = false")
    con.execute("set autoload_known_extensions = false")
    con.execute("set allow_community_extensions = false")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def connect(
    database: Path,
    *,
    attach: Mapping[str, Path] | None = None,
    search_path: str | None = MARTS_SEARCH_PATH,
    what: str = "published snapshot",
    remedy: str = "run `tertial build` to publish it again",
) -> duckdb.DuckDBPyConnection:
    """`database` opened read-only for analysts' SQL, `attach` ({alias: file}) beside it.

    Raises SnapshotUnavailable (one line, what to do) when a file is missing or broken.
    """
    files = {what: database} | {
        f"published {alias.replace('_', ' ')}": p for alias, p in (attach or {}).items()
    }
    for name, path in files.items():
        if not path.exists():
            raise SnapshotUnavailable(
                f"no {name} at {path}: run `tertial build` (or `tertial demo`) first"
            )
    try:
        # The warehouse's settings (memory limit) first, then locked down below.
        con = duckdb_connect(database, read_only=True)
    except duckdb.Error as exc:
        raise SnapshotUnavailable(
            f"cannot open the {what} {database} ({one_line(exc)}): {remedy}"
        ) from None
    try:
        for alias, path in (attach or {}).items():
            # ATTACH takes no bind parameter: the path is our own setting, quoted as a
            # literal; the alias is one of our fixed names.
            literal = str(path).replace("'", "''")
            con.execute(f"attach if not exists '{literal}' as {alias} (read_only)")
        if search_path:
            con.execute(f"set search_path = '{search_path}'")
        lock(con)
    except duckdb.Error as exc:
        con.close()
        beside = "".join(f" with the {name}" for name in list(files)[1:])
        raise SnapshotUnavailable(
            f"cannot open the {what} {database}{beside} ({one_line(exc)}): {remedy}"
        ) from None
    return con


def sql_literal(value: str | int | dt.datetime | Sequence[int]) -> str:
    """A value as DuckDB SQL text, for the few values our read commands put in a query.

    Not a bound parameter: binding any Python value makes DuckDB's Python client import
    pandas and NumPy (0.25 s compiled, seconds on a fresh install), which `tertial
    history` and `explain` otherwise never load. Text is quoted the standard way (a
    quote doubled; DuckDB reads no backslash escapes), so it stays one literal; a
    timestamp is an aware ISO text cast to TIMESTAMPTZ; a list holds integers only.

    >>> sql_literal("142|2011'06")
    "'142|2011''06'"
    >>> sql_literal([3, 7])
    '[3, 7]::BIGINT[]'
    >>> sql_literal(dt.datetime(2011, 9, 1, tzinfo=dt.UTC))
    "'2011-09-01T00:00:00+00:00'::TIMESTAMPTZ"
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("the text holds a NUL character")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value} has no time zone")
        return f"'{value.isoformat()}'::TIMESTAMPTZ"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Sequence) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return "[" + ", ".join(str(int(v)) for v in value) + "]::BIGINT[]"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def _parser() -> duckdb.DuckDBPyConnection:
    """A locked in-memory DuckDB to parse with: parsing `IMPORT DATABASE` reads files.

    Not opened through `duckdb_connect`: it holds no data and opens no file, so the
    warehouse's settings (a memory limit) have nothing to bound; it only parses.
    """
    return lock(duckdb.connect(":memory:"))


def _statements(parser: duckdb.DuckDBPyConnection, sql: str, what: str = "") -> list[Any]:
    try:
        return parser.extract_statements(sql)
    except duckdb.PermissionException as exc:
        raise QueryRefused(
            f"refused: the statement reads files ({one_line(exc)}); tertial query is "
            f"read-only and reads the published marts only: {ALLOWED}"
        ) from None
    except duckdb.Error as exc:
        raise QueryRefused(f"{what or 'the query'} is not valid SQL: {one_line(exc)}") from None


def _literal(parser: duckdb.DuckDBPyConnection, text: str) -> str:
    """`text` as a string literal for the parser connection, read back to be sure.

    Quoted by `sql_literal` (not a bound parameter: see there). Only the locked, empty,
    in-memory parser ever sees the literal.
    """
    if "\x00" in text:
        raise QueryRefused("refused: the text holds a NUL character")
    literal = sql_literal(text)
    (echo,) = parser.execute(f"select {literal}").fetchone()  # type: ignore[misc]
    if echo != text:
        raise QueryRefused("refused: the text does not read back unchanged")
    return literal


def _tree(parser: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """DuckDB's parse tree of one SELECT (json_serialize_sql)."""
    literal = _literal(parser, sql)
    (text,) = parser.execute(f"select json_serialize_sql({literal})").fetchone()  # type: ignore[misc]
    tree = json.loads(text)
    if tree.get("error") or len(tree.get("statements", [])) != 1:
        raise QueryRefused(f"refused: {tree.get('error_message') or 'not one SELECT'}: {ALLOWED}")
    return tree["statements"][0]["node"]


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a parse tree, depth first."""
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def _impure_functions(parser: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Names of the table functions not in PURE_TABLE_FUNCTIONS (read_csv, glob, ...)."""
    rows = parser.execute(
        "select distinct lower(function_name) from duckdb_functions() "
        "where function_type in ('table', 'table_macro')"
    ).fetchall()
    return frozenset(name for (name,) in rows) - PURE_TABLE_FUNCTIONS


def _check_reads(parser: duckdb.DuckDBPyConnection, node: dict[str, Any]) -> None:
    """Refuse a tree that reads anything but tables of the attached databases."""
    impure = _impure_functions(parser)
    for item in _nodes(node):
        if item.get("type") == "TABLE_FUNCTION":
            name = str((item.get("function") or {}).get("function_name", "")).lower()
            pure = name in PURE_TABLE_FUNCTIONS
        elif item.get("class") == "FUNCTION":
            name = str(item.get("function_name", "")).lower()
            pure = name not in impure
        else:
            name, pure = "", True
        if not pure:
            raise QueryRefused(
                f"refused: {name}() reads files, runs SQL text or changes the session; "
                "tertial query reads the published marts only (fct_*, dim_*, rpt_*, meta.batches)"
            )
        if item.get("type") == "BASE_TABLE":
            name = str(item.get("table_name", ""))
            if _FILE_LIKE.search(name):
                raise QueryRefused(
                    f"refused: {name!r} is a file, not a mart; tertial query reads the "
                    "published marts only (fct_*, dim_*, rpt_*, meta.batches)"
                )


def check_statement(sql: str) -> str:
    """`sql` if it is one read of the marts; QueryRefused (one line, why) otherwise."""
    parser = _parser()
    try:
        statements = _statements(parser, sql)
        if not statements:
            raise QueryRefused(
                "empty query: give one SQL statement, e.g. "
                'tertial query "select * from fct_ledger limit 5"'
            )
        if len(statements) > 1:
            kinds = [s.type.name for s in statements]
            hint = (
                " (a PIVOT without an IN list is two: name its values, `on col in (...)`)"
                if kinds == ["CREATE", "SELECT"] and re.match(r"\s*pivot\b", sql, re.I)
                else ""
            )
            raise QueryRefused(
                f"refused: {len(statements)} statements; tertial query runs exactly one, "
                f"{ALLOWED}{hint}"
            )
        statement = statements[0]
        kind = statement.type.name
        query = statement.query
        if kind == "EXPLAIN":
            explained = _EXPLAIN.match(query)
            inner = _statements(parser, query[explained.end() :]) if explained else []
            if len(inner) != 1 or inner[0].type.name != "SELECT":
                raise QueryRefused(f"refused: EXPLAIN of anything but {ALLOWED}")
            query, kind = inner[0].query, "SELECT"
        if kind != "SELECT":
            what = REFUSED.get(kind, kind.replace("_", " "))
            raise QueryRefused(
                f"refused: {what} is not allowed; tertial query is read-only and reads the "
                f"published marts only: {ALLOWED}"
            )
        _check_reads(parser, _tree(parser, query))
    finally:
        parser.close()
    return sql


def _without_locations(tree: Any) -> Any:
    """A parse tree without source positions, to compare two trees."""
    if isinstance(tree, dict):
        return {k: _without_locations(v) for k, v in tree.items() if k != "query_location"}
    if isinstance(tree, list):
        return [_without_locations(v) for v in tree]
    return tree


def _condition(parser: duckdb.DuckDBPyConnection, where: str) -> dict[str, Any]:
    """The parse tree of `where` as the one condition of a select, checked."""
    usage = "give one condition on the mart's columns, e.g. \"namnd_code = '142'\""
    if not where.strip():
        raise QueryRefused(f"refused: --where is empty; {usage}")
    if ";" in where:
        raise QueryRefused(f"refused: --where holds a `;`; {usage}, not statements")
    template = "select * from mart where (\n{}\n)"
    statements = _statements(parser, template.format(where), "--where")
    if len(statements) != 1 or statements[0].type.name != "SELECT":
        raise QueryRefused(f"refused: --where is not one condition; {usage}")
    node = _tree(parser, template.format(where))
    skeleton = _tree(parser, template.format("true"))
    condition = node.get("where_clause")
    if condition is None or _without_locations({**node, "where_clause": None}) != (
        _without_locations({**skeleton, "where_clause": None})
    ):
        raise QueryRefused(
            f"refused: --where reaches beyond one condition (a `)` closes it early?); {usage}"
        )
    for item in _nodes(condition):
        if item.get("class") == "SUBQUERY" or item.get("type") in ("SUBQUERY", "TABLE_FUNCTION"):
            raise QueryRefused(
                "refused: --where holds a subquery; it filters the mart's own rows only: " + usage
            )
    _check_reads(parser, condition)
    return condition


def check_condition(where: str) -> str:
    """`where` if it is one condition (see `with_condition`); QueryRefused otherwise."""
    parser = _parser()
    try:
        _condition(parser, where)
    finally:
        parser.close()
    return where


def with_condition(sql: str, where: str) -> str:
    """Our own `sql` (one SELECT whose WHERE is `true`) filtered by an analyst's `where`.

    `where` is parsed as one condition (`_condition`) and the result is rendered by
    DuckDB from the checked parse tree: the analyst's text is never pasted into SQL.
    """
    parser = _parser()
    try:
        condition = _condition(parser, where)
        tree = {"error": False, "statements": [{"node": _tree(parser, sql), "named_param_map": []}]}
        node = tree["statements"][0]["node"]
        if _without_locations(node.get("where_clause")) != _without_locations(
            _tree(parser, "select * from mart where true")["where_clause"]
        ):
            raise ValueError(f"with_condition needs a select whose WHERE is `true`: {sql}")
        node["where_clause"] = condition
        (rendered,) = parser.execute(  # type: ignore[misc]
            f"select json_deserialize_sql({_literal(parser, json.dumps(tree))}::json)"
        ).fetchone()
        # What runs must mean what was checked: DuckDB renders the tree back to SQL; the
        # rendering parsed again must give the same condition.
        again = _tree(parser, rendered)
        if _without_locations(again.get("where_clause")) != _without_locations(condition):
            raise QueryRefused(
                "refused: --where cannot be rendered back to SQL unchanged; write it more "
                "plainly (comparisons, and/or, in, between, like)"
            )
    finally:
        parser.close()
    return rendered

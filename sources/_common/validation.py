"""Great Expectations, wrapped in one place: run a suite on a batch's table in DuckDB.

Each suite runs with GX's SQL execution engine on the batch's check frame, registered as
a view in a private in-memory DuckDB database (Arrow, no copy). Private, not the event
log's connection: GX and SQLAlchemy commit and roll back their connections as they see
fit, and nothing a guard does may ever touch the log. The loader appends only after
every suite passed (warehouse/ingest.py).

Two things make GX's SQL path work on DuckDB (`_buffered_execute_query`, tested in
tests/unit/test_validation.py):
- GX 1.x fetches a query's rows after it gave its connection back to the pool, and
  DuckDB's cursor is gone by then: every metric comes back empty and every expectation
  "fails" with an IndexError (upstream #10738 / #11579). The results are buffered
  (`freeze()`) while the connection is still held.
- Its regex expectations return nothing on DuckDB: a pattern is a `matches` rule, an
  `UnexpectedRowsExpectation` with DuckDB's `regexp_full_match`.

Why not pandas, as before: issue 14 asks GX to run inside DuckDB, not on a pandas copy
(building that copy and validating it took 2.3 s of a 7.1 s ingest in its profile). On
DuckDB the content suite of a 1 M-line ledger month takes 1.2 s, 0.9 s of it DuckDB's
own queries, and the ingest's peak memory fell from ~1.25 to ~1.0 GiB (bench/findings.md).
A failure still names the file's lines: every check frame carries `line_number`, GX's
`unexpected_index_column_names`.

Two passes, both GX's: every suite runs first with result format BOOLEAN_ONLY, and only
the rules that failed run again with SUMMARY (lines, values, counts), whose results take
their places in the suite's result. SUMMARY asks each rule for its unexpected values and
their lines even when there are none: 81 queries for the 40 rules of a payroll file
against 17 (0.96 s against 0.38 s on a busy hour; the 43 HR reference files ingest in
30 s instead of 46 s). A file that passes, nearly every file, pays for the first pass only.

What GX builds the same for every file is built once per process (each is still GX's,
with GX's results; tested in tests/unit/test_validation.py): the context, data source,
query asset and batch definition (`_engine`); each rule's metric graph (`_kept_graphs`);
and, during one validation, each expectation's configuration (`_kept_configuration`).
With the unexpected-rows rules no longer fetching rows nobody reads, a payroll file's
suites take 0.17-0.22 s of CPU against 0.37-0.50 s before, a budget or ledger month's
likewise (the second file of a source in one process; its first 0.23-0.28 s against
0.39-0.51 s), in paired runs on this 2-core machine.
"""

from __future__ import annotations

import contextlib
import copy
import os
import pickle
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

# Before the import: GX would otherwise try to phone home from every process.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import duckdb
import great_expectations as gx
import polars as pl
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations import Expectation
from great_expectations.validator.validation_graph import ExpectationValidationGraph
from great_expectations.validator.validator import Validator

from sources._common.arrow import arrow_chunks
from sources._common.hints import cell_hint
from sources._common.outcome import Failure, Outcome

LINE = "line_number"  # every check frame's line-of-the-file column
SAMPLE_SIZE = 20  # rows and values named per failed rule; the count is always complete
VIEW = "batch"  # the view a validation's frame is registered under (GX's {batch})


def rule(expectation: Expectation, label: str) -> Expectation:
    """Give an expectation the controller-readable name its failure is reported under."""
    expectation.meta = {**(expectation.meta or {}), "rule": label}
    return expectation


def quoted(name: str) -> str:
    """A column name as a DuckDB identifier.

    >>> quoted('Text (masked)'), quoted('a"b')
    ('"Text (masked)"', '"a""b"')
    """
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A SQL string literal (GX's query text takes no bound values)."""
    return "'" + text.replace("'", "''") + "'"


def matches(column: str, pattern: str, label: str, kind: str | None = None) -> Expectation:
    """Every filled cell of `column` matches `pattern` in full: GX's regex rule, in SQL.

    `kind`: what the cells are (a contract's kind, `money`, `date`...): a failure then
    names a known wrong form of its values with what to write (hints.cell_hint).

    GX runs the query as SQLAlchemy text, where `:x` is a bind parameter: a group's
    `(?:` becomes `(` (the same match) and any other colon the escape `\\x3A`.

    >>> query = matches("tid", "^(?:[0-9]{2}):[0-9]{2}$", "Tid").unexpected_rows_query
    >>> print(query.split(" and not ")[1])
    (regexp_full_match("tid", '^([0-9]{{2}})\\x3A[0-9]{{2}}$')) order by line_number
    """
    condition = f"regexp_full_match({{cell}}, {_literal(sql_regex(pattern))})"
    expectation = holds(column, condition, label, f"matches {pattern}")
    if kind is not None:
        expectation.meta = {**expectation.meta, "kind": kind}
    return expectation


def sql_regex(pattern: str) -> str:
    """`pattern` as a regular expression in a rule's SQL (see `matches` for why).

    >>> sql_regex("^[0-9]{4}(?:0[1-9]|1[0-2])$")
    '^[0-9]{4}(0[1-9]|1[0-2])$'
    """
    return pattern.replace("(?:", "(").replace(":", "\\x3A")


def is_date(column: str, strftime: str, label: str) -> Expectation:
    """Every filled cell of `column` is a calendar date written as `strftime` says.

    The digits must be all there (`2011081` is no `%Y%m%d`, though strptime takes it).
    """
    digits = strftime.replace("%Y", "[0-9]{4}").replace("%m", "[0-9]{2}").replace("%d", "[0-9]{2}")
    condition = (
        f"regexp_full_match({{cell}}, {_literal(digits)}) "
        f"and try_strptime({{cell}}, {_literal(strftime)}) is not null"
    )
    return holds(column, condition, label, f"is a date {strftime}")


def holds(column: str, condition: str, label: str, what: str) -> Expectation:
    """Every filled cell of `column` satisfies `condition` (DuckDB SQL, `{cell}` the cell):
    an `UnexpectedRowsExpectation` whose rows are (line, cell) in file order.

    An empty cell is the filled-rule's business, as in GX's own column rules.
    """
    cell = quoted(column)
    where = _braces(condition.replace("{cell}", cell))
    query = (
        f"select {LINE}, {cell} as value from {{batch}} where {cell} is not null and not ({where})"
    )
    return unexpected_rows(query, column, label, f"{column} {what}")


def one_of(column: str, values: Iterable[str], label: str, what: str) -> Expectation:
    """Every filled cell of `column` is one of `values`: GX's in-set rule, as a hash lookup.

    GX's `ExpectColumnValuesToBeInSet` becomes `column NOT IN ('101', '1020', ...)` in its
    one aggregate of every column rule, which DuckDB evaluates as one comparison per listed
    value per row: on the 947,274-line probe month the 279 (Nämnd / Verksamhet) pairs and
    35 boards took 0.26 s of that aggregate's 0.30 s. As `IN (select unnest([...]))` the
    list is hashed once: 0.017 s a rule (2026-12-07).

    A colon is written `chr(58)`: GX runs the query as SQLAlchemy text, where `:x` would
    be a bound parameter, and the failure report runs it as it stands.

    >>> print(one_of("kon", ["M", "K:X"], "Kön", "is K or M").unexpected_rows_query[76:])
    not ("kon" in (select unnest(['K' || chr(58) || 'X', 'M']::varchar[]))) order by line_number
    """
    listed = ", ".join(_literal(v).replace(":", "' || chr(58) || '") for v in sorted(set(values)))
    return holds(column, f"{{cell}} in (select unnest([{listed}]::varchar[]))", label, what)


def unique(columns: Sequence[str], label: str) -> Expectation:
    """One row per `columns` key (rows whose key cells are all empty aside): every row of
    a repeated key is unexpected, its key shown as a tuple. GX's compound-unique rule
    names no row on DuckDB."""
    key = ", ".join(quoted(c) for c in columns)
    query = (
        f"select {LINE}, row({key}) as value from {{batch}} "
        f"where not ({' and '.join(f'{quoted(c)} is null' for c in columns)}) "
        f"qualify count(*) over (partition by {key}) > 1"
    )
    return unexpected_rows(query, ", ".join(columns), label, f"({', '.join(columns)}) is unique")


def unexpected_rows(query: str, column: str, label: str, description: str) -> Expectation:
    """GX's `UnexpectedRowsExpectation`: `query` selects (line, value) of the rows that
    break the rule from `{batch}`; they are named in file order.

    Always unexpected rows, never a sum over a window of the whole batch in a ledger
    rule: it would cost a sort of a million rows.
    """
    expectation = gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query=f"{query} order by {LINE}", description=description
    )
    expectation = rule(expectation, label)
    expectation.meta = {**expectation.meta, "column": column}
    return expectation


def _braces(text: str) -> str:
    """GX formats the query with `str.format` ({batch}): a regex's own braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def _buffered_execute_query(self: SqlAlchemyExecutionEngine, query: Any) -> Any:
    """GX's `execute_query`, its rows buffered while the connection is held (see above)."""
    with self.get_connection() as connection:
        return self._execute_query_with_recovery(connection, query).freeze()()


SqlAlchemyExecutionEngine.execute_query = _buffered_execute_query  # type: ignore[method-assign]


# An `UnexpectedRowsExpectation` asks for two metrics: the count of its rows and the rows
# themselves (up to 200), the latter read only for result format COMPLETE. Neither pass
# here asks for COMPLETE (`_failure` runs the query itself for its 20 lines): the rows'
# query is not run, 6 of the 17 queries of a payroll file's suite.
_ROWS = "unexpected_rows_query.table"
_UnexpectedRows = gx.expectations.UnexpectedRowsExpectation
_rows_dependencies = _UnexpectedRows.get_validation_dependencies
_rows_validate = _UnexpectedRows._validate


def _dependencies_counted(
    self: Any, execution_engine: Any = None, runtime_configuration: dict | None = None
) -> Any:
    dependencies = _rows_dependencies(
        self, execution_engine=execution_engine, runtime_configuration=runtime_configuration
    )
    wanted = dependencies.result_format.get("result_format")
    if wanted != "COMPLETE" and dependencies.get_metric_configuration(_ROWS) is not None:
        dependencies.remove_metric_configuration(_ROWS)
    return dependencies


def _validate_counted(
    self: Any,
    metrics: dict,
    runtime_configuration: dict | None = None,
    execution_engine: Any = None,
) -> Any:
    # GX's `_validate` reads the rows' metric before it looks at the result format.
    return _rows_validate(self, {_ROWS: None, **metrics}, runtime_configuration, execution_engine)


_UnexpectedRows.get_validation_dependencies = _dependencies_counted  # type: ignore[method-assign]
_UnexpectedRows._validate = _validate_counted  # type: ignore[method-assign]


# GX builds an expectation's `configuration` anew (a pydantic `dict()` of every field and a
# new ExpectationConfiguration) each time it reads one of its kwargs: 2,595 times for
# the 40 rules of a payroll file, 0.34 s of its 1.3 s suite under the profiler. During a
# validation each expectation object keeps the one it built, until one of its fields is
# set (which drops it). Outside `validate` GX's own property runs as it always did.
_built_configuration = Expectation.configuration.fget  # type: ignore[attr-defined]
_kept: ContextVar[dict[int, tuple[Expectation, Any]] | None] = ContextVar(
    "kept_configurations", default=None
)


def _kept_configuration(self: Expectation) -> Any:
    kept = _kept.get()
    if kept is None:
        return _built_configuration(self)
    hit = kept.get(id(self))
    if hit is not None and hit[0] is self:  # the object itself: an id is reused after death
        return hit[1]
    configuration = _built_configuration(self)
    kept[id(self)] = (self, configuration)
    return configuration


_set_field = Expectation.__setattr__


def _set_field_forgetting(self: Expectation, name: str, value: Any) -> None:
    kept = _kept.get()
    if kept is not None:
        kept.pop(id(self), None)
    _set_field(self, name, value)


Expectation.configuration = property(_kept_configuration)  # type: ignore[assignment,method-assign]
Expectation.__setattr__ = _set_field_forgetting  # type: ignore[assignment,method-assign]


# GX then builds each expectation's metric graph (its metrics and theirs, each with an id
# that is an MD5 of its kwargs made JSON): 0.67 s of a payroll file's 1.4 s in GX under the
# profiler, and the same graph for every file of a source, since the batch's id is the one
# asset's. A graph depends on nothing but the expectation's configuration (with the batch
# id), the result format and the engine, so it is kept per process under exactly those,
# as GX built it; a rule that failed to build is built again every time (GX's error).
# Data never enters a graph: metric values live in the resolution's own dictionary.
_built_graphs = Validator._generate_metric_dependency_subgraphs_for_each_expectation_configuration
_graphs: dict[tuple[int, bytes], tuple[Any, Any, Any]] = {}
KEPT_GRAPHS = 1024  # rules' graphs kept per process: ~150 after a file of each of 5 sources,
# then 1-5 new a file (rules whose values follow the period); emptied when full


def _kept_graphs(
    self: Validator,
    expectation_configurations: list[Any],
    processed_configurations: list[Any],
    catch_exceptions: bool,
    runtime_configuration: dict | None = None,
) -> tuple[list[Any], list[Any], list[Any]]:
    if _kept.get() is None:  # GX outside `validate`: as it always ran
        return _built_graphs(
            self,
            expectation_configurations=expectation_configurations,
            processed_configurations=processed_configurations,
            catch_exceptions=catch_exceptions,
            runtime_configuration=runtime_configuration,
        )
    graphs: list[Any] = []
    results: list[Any] = []
    engine = self._execution_engine
    for configuration in expectation_configurations:
        try:
            state = pickle.dumps((configuration, runtime_configuration, self.active_batch_id))
        except Exception:  # a configuration that cannot be a key is built as GX builds it
            state = None
        key = (id(engine), state or b"")
        hit = _graphs.get(key) if state is not None else None
        if hit is None or hit[0] is not engine:
            built, failed, processed = _built_graphs(
                self,
                expectation_configurations=[configuration],
                processed_configurations=[],
                catch_exceptions=catch_exceptions,
                runtime_configuration=runtime_configuration,
            )
            results.extend(failed)
            if not built:
                continue
            hit = (engine, processed[0], built[0].graph)
            if state is not None:
                if len(_graphs) >= KEPT_GRAPHS:
                    _graphs.clear()
                _graphs[key] = hit
        _, evaluated, graph = hit
        # A configuration of its own per run (GX's results carry it); the graph is shared.
        evaluated = copy.deepcopy(evaluated)
        graphs.append(ExpectationValidationGraph(configuration=evaluated, graph=graph))
        processed_configurations.append(evaluated)
    return graphs, results, processed_configurations


Validator._generate_metric_dependency_subgraphs_for_each_expectation_configuration = _kept_graphs  # type: ignore[method-assign]


@contextlib.contextmanager
def _configurations_kept() -> Iterator[None]:
    """Expectations keep their configurations (see above) until the block ends."""
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


@dataclass
class _Engine:
    """The private DuckDB database and GX's SQL data source on it (one per process), with
    its one query asset on the view `batch` every validation registers its frame under."""

    con: duckdb.DuckDBPyConnection
    datasource: Any
    batches: Any  # the asset's batch definition: the whole view
    lock: threading.Lock


@cache
def _engine() -> _Engine:
    import duckdb_engine
    from sqlalchemy.pool import StaticPool

    con = duckdb.connect(":memory:")
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    datasource = context.data_sources.add_sql(
        "tertial",
        connection_string="duckdb:///:memory:",
        # GX's engine on our one connection (the views live in it); never reset by the
        # pool on return, which would roll back under a running validation.
        kwargs={
            "creator": lambda: duckdb_engine.ConnectionWrapper(con),
            "poolclass": StaticPool,
            "pool_reset_on_return": None,
        },
    )
    # A query asset, not a table asset: GX then takes the columns from the query, not
    # from SQLAlchemy's inspection of the PostgreSQL catalogue duckdb-engine emulates
    # (three catalogue queries, 25 ms of a small file's 80 ms suite). One asset for the
    # process, not one per validation: adding and deleting an asset makes GX write its
    # whole project configuration out as YAML each time, twice a suite (0.12 s of a
    # payroll file's 1.3 s under the profiler).
    asset = datasource.add_query_asset(VIEW, query=f"select * from {VIEW}")
    batches = asset.add_batch_definition_whole_table("whole_batch")
    return _Engine(con, datasource, batches, threading.Lock())


def validate(frame: pl.DataFrame, suite_name: str, expectations: Sequence[Expectation]) -> Outcome:
    """Run `expectations` on `frame` (with its `line_number` column) and collect failures."""
    started = time.perf_counter()
    engine = _engine()
    # One validation at a time per process: they share the view's name and GX's engine.
    with engine.lock, _configurations_kept():
        engine.con.register(VIEW, arrow_chunks(frame))
        try:
            # GX's engine caches every metric it resolves by the batch's id, which is
            # the asset's, the same for every frame: emptied before each validation, so
            # no frame ever reads another's metrics (and the cache never grows). Within
            # the validation the SUMMARY pass still reuses what BOOLEAN_ONLY resolved.
            engine.datasource.get_execution_engine()._metric_cache.clear()
            batch = engine.batches.get_batch()
            result, failures = _run(batch, engine.con, suite_name, list(expectations))
        finally:
            engine.con.unregister(VIEW)
    return Outcome(
        suite_name,
        len(result.results),
        tuple(failures),
        time.perf_counter() - started,
        result.to_json_dict(),
    )


def _run(
    batch: Any, con: duckdb.DuckDBPyConnection, suite_name: str, ordered: list[Expectation]
) -> tuple[Any, list[Failure]]:
    """The two passes (see above): GX's suite result, in report order, and its failures."""
    for expectation, place in zip(ordered, report_order(ordered), strict=True):
        expectation.meta = {**(expectation.meta or {}), "order": place}
    suite = gx.ExpectationSuite(name=suite_name, expectations=ordered)
    result = batch.validate(suite, result_format={"result_format": "BOOLEAN_ONLY"})
    failed = {_place(item) for item in result.results if not item.success}
    if failed:
        detailed = batch.validate(
            gx.ExpectationSuite(
                name=suite_name,
                expectations=[e.copy() for e in ordered if e.meta["order"] in failed],
            ),
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": SAMPLE_SIZE,
                "unexpected_index_column_names": [LINE],
            },
        )
        by_place = {_place(item): item for item in detailed.results}
        result.results = [by_place.get(_place(item), item) for item in result.results]
    result.results.sort(key=_place)
    failures = [_failure(item, con, VIEW) for item in result.results if not item.success]
    return result, failures


def _place(item: Any) -> int:
    """A result's place in the report (`report_order`, kept in its expectation's meta)."""
    return (item.expectation_config.meta or {})["order"]


def report_order(expectations: Sequence[Expectation]) -> list[int]:
    """Each rule's place among the failures: grouped by column, the columns in the order
    they first appear in the suite, and in suite order within a column.

    The first failure is the rejection's headline. That is the order GX's pandas engine
    reported in, which the suites are written for (a personnummer first: its rules come
    first; "Nämnd is a code of the register" with Nämnd's other rules), while its SQL
    engine reports in the order it resolves the metrics. Rules on no column (the table's)
    keep their own place.

    >>> E = gx.expectations
    >>> report_order([
    ...     E.ExpectColumnValuesToNotBeNull(column="namnd"),
    ...     E.ExpectColumnValuesToNotBeNull(column="datum"),
    ...     E.ExpectTableRowCountToBeBetween(min_value=1),
    ...     E.ExpectColumnValuesToBeInSet(column="namnd", value_set=["142"]),
    ... ])
    [0, 2, 3, 1]
    """
    first: dict[str, int] = {}
    keys = []
    for number, expectation in enumerate(expectations):
        column = _domain(expectation)
        keys.append((number if column is None else first.setdefault(column, number), number))
    ranked = sorted(range(len(keys)), key=keys.__getitem__)
    place = [0] * len(keys)
    for rank, number in enumerate(ranked):
        place[number] = rank
    return place


def _domain(expectation: Expectation) -> str | None:
    """The column (or columns) a rule is about; None for a rule on the whole table. A rule
    may name its own group instead (meta `reported_with`), to be reported apart from its
    column's other rules."""
    if (expectation.meta or {}).get("reported_with"):
        return expectation.meta["reported_with"]
    for attribute in ("column", "column_A", "column_list"):
        value = getattr(expectation, attribute, None)
        if value is not None:
            return value if isinstance(value, str) else ", ".join(value)
    return (expectation.meta or {}).get("column")


def _failure(item: Any, con: duckdb.DuckDBPyConnection, view: str) -> Failure:
    config = item.expectation_config
    kwargs = config.kwargs
    details = item.result or {}
    exception = _exception(item.exception_info)
    if config.type == "unexpected_rows_expectation" and exception is None:
        # GX counts the rows (SUMMARY); the lines and values come from the same query,
        # written into GX's result as its column rules report theirs, so the data docs
        # show them in their table of unexpected values.
        query = kwargs["unexpected_rows_query"].format(batch=view)
        rows = con.execute(f"select * from ({query}) limit {SAMPLE_SIZE}").fetchall()
        lines = tuple(int(r[0]) for r in rows)
        values = tuple(r[1] if len(r) > 1 else None for r in rows)
        count = int(details.get("observed_value") or len(rows))
        column = kwargs.get("column") or _query_column(config)
        details.update(
            unexpected_count=count,
            partial_unexpected_list=list(values),
            partial_unexpected_index_list=[{LINE: line} for line in lines],
            partial_unexpected_counts=[
                {"value": value, "count": values.count(value)} for value in dict.fromkeys(values)
            ],
        )
        hint = cell_hint((config.meta or {}).get("kind"), values)
        return Failure(_rule(config), config.type, column, count, lines, values, hint=hint)
    lines = tuple(_line(i) for i in details.get("partial_unexpected_index_list") or ())
    values = tuple(details.get("partial_unexpected_list") or ())
    observed = (details.get("details") or {}).get("mismatched") or details.get(
        "observed_value", exception
    )
    if config.type == "expect_table_columns_to_match_set" and exception is None:
        # The rule's label names the missing and the found headers as the file has them;
        # GX's mismatch lists the check frame's own columns (`line_number`, the masked
        # copies), which told a controller nothing. GX's result keeps it for the docs.
        observed = None
    return Failure(
        rule=_rule(config),
        expectation=config.type,
        column=kwargs.get("column") or _pair(kwargs),
        unexpected_count=int(details.get("unexpected_count") or len(lines)),
        lines=lines,
        values=values,
        observed=observed,
    )


def _exception(info: Any) -> str | None:
    """The message of an exception GX caught in a rule, if any: at the top of its
    `exception_info`, or under the metric that raised it.

    >>> _exception({"raised_exception": False, "exception_message": None}) is None
    True
    >>> _exception({"metric id": {"raised_exception": True, "exception_message": "boom"}})
    'boom'
    """
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "an error in the rule")
    nested = (_exception(v) for v in info.values() if isinstance(v, dict))
    return next((message for message in nested if message is not None), None)


def _rule(config: Any) -> str:
    return (config.meta or {}).get("rule", config.type)


def _query_column(config: Any) -> str | None:
    """The column an `unexpected_rows` rule checks."""
    return (config.meta or {}).get("column")


def _line(index: Any) -> int:
    """GX names an unexpected row by {index column: value} (or by its bare index)."""
    if isinstance(index, dict):
        index = index.get(LINE, next(iter(index.values())))
    return int(index)


def _pair(kwargs: dict[str, Any]) -> str | None:
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} / {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None

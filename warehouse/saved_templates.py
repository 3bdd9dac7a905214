"""dbt's Jinja templates compiled once per machine, not once per dbt process.

Every dbt process compiles the Jinja source of each macro it calls (the materializations,
dbt-duckdb's and dbt_utils' macros, ours) and of each node's SQL into Python code before
it renders it, and keeps that code for its own life only. A nightly `dbt run` of 26
models on the 10-year city spent 0.48 s of its 7.1 s holding the GIL in Jinja's
`Environment.compile` (py-spy, 2026-12-07); every `dbt` command of the CLI, Dagster and
the test suite pays it again for the same sources.

`install` makes Jinja's `Environment.compile` keep the code it makes (`marshal`, as
Python keeps its own bytecode in `__pycache__`) in one file per key, and take it from
there the next time. The key is everything the code depends on: the template's source,
name and file name, the environment's class and each setting that shapes parsing and
code generation, its extensions, filters and tests (Jinja runs a filter of constants
while it compiles), and the versions of Python, Jinja and dbt's packages. A different
source or setting is a different key, so a kept file is never used for another
template; an unreadable one is compiled again. Paired `dbt run`s of that nightly on copies of the
10-year home: 9.5 / 9.3 / 8.9 s without, 8.8 / 8.7 / 7.9 s with.

A cache, nothing more: with `DBT_MACRO_DEBUGGING` set (dbt then names the code after a
file of its own) nothing is kept, and a folder that cannot be written leaves each
compile as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from types import CodeType
from typing import Any

from warehouse.files import write_whole
from warehouse.settings import DBT_PROJECT_DIR

# Beside dbt's saved parse (warehouse/saved_parse.py), git-ignored with the target folder.
SAVED = DBT_PROJECT_DIR / "target" / "saved_templates"
# Kept files before the oldest half is removed: one per macro or node source (~5 KB);
# the project's dbt commands use ~300, an edit of a model adds one.
LIMIT = 4000
# Whose code can shape the code Jinja makes for dbt (the environment, its filters and tests).
PACKAGES = ("jinja2", "dbt-core", "dbt-common", "dbt-adapters", "dbt-duckdb")


def key(environment: Any, source: str, name: str | None, filename: str | None, defer: bool) -> str:
    """The file name of the code Jinja makes of `source` in `environment`."""
    env = environment
    settings = (
        sys.version,
        _qualified(type(env)),
        _qualified(env.code_generator_class),
        tuple(sorted(env.extensions)),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.autoescape if isinstance(env.autoescape, bool) else _qualified(env.autoescape),
        None if env.finalize is None else _qualified(env.finalize),
        # Jinja folds a filter or test of constants while it compiles: what runs then is
        # the installed one, named here, with the versions of the packages that ship them.
        tuple(sorted((n, _qualified(f)) for n, f in env.filters.items())),
        tuple(sorted((n, _qualified(f)) for n, f in env.tests.items())),
        _versions(),
        name,
        filename,
        defer,
    )
    digest = hashlib.sha256(repr(settings).encode())
    digest.update(b"\0")
    digest.update(source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@cache
def _versions() -> tuple[tuple[str, str], ...]:
    """The installed versions of Jinja and of the dbt packages whose filters it runs."""
    found = []
    for package in PACKAGES:
        try:
            found.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            found.append((package, "-"))
    return tuple(found)


def _qualified(thing: Any) -> str:
    return f"{getattr(thing, '__module__', '?')}.{getattr(thing, '__qualname__', repr(thing))}"


def load(path: Path) -> CodeType | None:
    """The code kept at `path`; None if there is none or it cannot be read."""
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def keep(path: Path, code: CodeType) -> None:
    """Write `code` to `path` whole; a folder that cannot be written keeps nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, marshal.dumps(code))
    except OSError:
        return


def prune(folder: Path, limit: int = LIMIT) -> int:
    """Remove the oldest half of the kept files when there are more than `limit`."""
    try:
        entries = [e for e in os.scandir(folder) if e.is_file() and not e.name.startswith(".")]
    except OSError:
        return 0
    if len(entries) <= limit:
        return 0
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    removed = 0
    for entry in entries[: len(entries) // 2]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed += 1
    return removed


def install(folder: Path = SAVED) -> None:
    """Keep Jinja's compiled templates in `folder` for the rest of this process."""
    if os.environ.get("DBT_MACRO_DEBUGGING"):
        return
    import jinja2

    compile_source = jinja2.Environment.compile
    if getattr(compile_source, "saved_in", None) is not None:
        return  # installed already
    pruned = False

    def compile(  # Jinja's own name and signature
        self: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):  # Python source asked for, or a parsed tree
            return compile_source(self, source, name, filename, raw, defer_init)
        path = folder / key(self, source, name, filename, defer_init)
        code = load(path)
        if code is None:
            nonlocal pruned
            code = compile_source(self, source, name, filename, raw, defer_init)
            if not pruned:
                pruned = True
                prune(folder)
            keep(path, code)
        return code

    compile.saved_in = folder  # type: ignore[attr-defined]
    jinja2.Environment.compile = compile  # type: ignore[method-assign]

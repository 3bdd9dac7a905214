"""The layers of the code: imports run one way and never in a circle (issue 13).

    sources/  (parsing, contracts, expectations)
       ^
    warehouse/  (event store, settings, pipeline, build, publish, as-of)
       ^                         ^
    tertial/ (the CLI)    orchestration/ (Dagster)        demo/ (on sources/ only)
                                                              ^
                               bench/ (on warehouse/ and demo/'s public API)

Every module of these packages is parsed (never imported) and every import in it is read:
at module level, inside functions, under `if`/`try`. A rule on layers counts all of them,
wherever they sit: an import inside a function still makes the lower layer depend on the
upper one.

Circles are counted over every import too, module-level and lazy (inside a function)
alike. A lazy import that closes a circle does not make the circle go away, it only hides
it from the interpreter: `tertial/demo.py` and `tertial/demo_exports.py` imported each
other that way (one of the two imports sat in a method), and it was exactly the circle this
test exists to keep out. A deferred import is still fine for what it is usually for (not
paying for `warehouse.ingest` or dbt before a command needs them), as long as it points
down the layers. Module-level circles are checked first and separately, so that a failure
says which kind it is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sources", "warehouse", "tertial", "orchestration", "demo", "bench")

# What each package must never import (its own top-level name is always allowed).
FORBIDDEN: dict[str, frozenset[str]] = {
    "sources": frozenset({"warehouse", "tertial", "orchestration", "demo", "bench"}),
    "warehouse": frozenset({"tertial", "orchestration", "demo", "bench"}),
    "demo": frozenset({"tertial", "orchestration", "bench"}),
    "tertial": frozenset({"orchestration", "bench"}),
    "orchestration": frozenset({"tertial", "bench"}),
    "bench": frozenset({"tertial", "orchestration"}),
}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    target: str  # dotted name of the imported module (or the package it comes from)
    line: int
    lazy: bool  # inside a function (runs when it is called, not when the module loads)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            modules[module_name(path)] = path
    return modules


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The module a `from ... import` reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


class _Collector(ast.NodeVisitor):
    def __init__(self, importer: str, is_package: bool, modules: dict[str, Path]) -> None:
        self.importer, self.is_package, self.modules = importer, is_package, modules
        self.depth = 0  # how many function bodies deep
        self.found: list[Import] = []

    def _add(self, target: str, node: ast.stmt) -> None:
        self.found.append(Import(self.importer, target, node.lineno, lazy=self.depth > 0))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = _absolute(node, self.importer, self.is_package)
        for alias in node.names:
            # `from demo import exports` imports the module demo.exports; `from demo.city
            # import BOARDS` imports demo.city.
            submodule = f"{source}.{alias.name}"
            self._add(submodule if submodule in self.modules else source, node)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    collector = _Collector(name, path.name == "__init__.py", modules)
    collector.visit(tree)
    return collector.found


def all_imports(modules: dict[str, Path] | None = None) -> list[Import]:
    modules = all_modules() if modules is None else modules
    return [found for name, path in modules.items() for found in imports_of(name, path, modules)]


def layer_violations(imports: list[Import]) -> list[str]:
    violations = []
    for found in imports:
        package, target = found.importer.split(".")[0], found.target.split(".")[0]
        if target in FORBIDDEN.get(package, frozenset()):
            where = found.importer.replace(".", "/")
            violations.append(f"{where} (line {found.line}) imports {found.target}")
    return list(dict.fromkeys(violations))  # `from x import a, b` is one violation


def _internal(target: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that an import names: the longest known prefix of its name."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle (`a -> b -> ... -> a`) if the graph has one, else None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def import_graph(
    imports: list[Import], modules: dict[str, Path], *, lazy: bool
) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for found in imports:
        if found.lazy and not lazy:
            continue
        target = _internal(found.target, modules)
        if target is not None and target != found.importer:
            edges[found.importer].add(target)
    return edges


@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    return all_modules()


@pytest.fixture(scope="module")
def imports(modules: dict[str, Path]) -> list[Import]:
    return all_imports(modules)


def test_every_package_is_read(modules: dict[str, Path], imports: list[Import]) -> None:
    for package in PACKAGES:
        assert package in modules, f"{package}/__init__.py is missing"
    assert len(modules) > 50
    # function-level imports are seen too: the CLI's import of the pipeline is one
    assert any(
        found.importer == "tertial.cli" and found.target == "warehouse.pipeline" and found.lazy
        for found in imports
    )


def test_no_import_runs_up_the_layers(imports: list[Import]) -> None:
    violations = layer_violations(imports)
    assert not violations, "imports against the layers:\n" + "\n".join(violations)


def test_no_import_circle_at_module_level(modules: dict[str, Path], imports: list[Import]) -> None:
    cycle = find_cycle(import_graph(imports, modules, lazy=False))
    assert cycle is None, "module-level import circle: " + " -> ".join(cycle or [])


def test_no_import_circle_counting_lazy_imports(
    modules: dict[str, Path], imports: list[Import]
) -> None:
    cycle = find_cycle(import_graph(imports, modules, lazy=True))
    assert cycle is None, "import circle through a function-level import: " + " -> ".join(
        cycle or []
    )


def test_the_checks_catch_what_they_are_for() -> None:
    """The checks themselves, on made-up imports: an upward import and a circle."""
    fake = {name: Path(name) for name in ("warehouse.a", "warehouse.b", "tertial.cli")}
    upward = [Import("warehouse.a", "tertial.cli", 3, lazy=True)]
    assert layer_violations(upward) == ["warehouse/a (line 3) imports tertial.cli"]
    circle = [
        Import("warehouse.a", "warehouse.b", 1, lazy=False),
        Import("warehouse.b", "warehouse.a.thing", 9, lazy=True),
    ]
    assert find_cycle(import_graph(circle, fake, lazy=False)) is None
    assert find_cycle(import_graph(circle, fake, lazy=True)) == [
        "warehouse.a",
        "warehouse.b",
        "warehouse.a",
    ]

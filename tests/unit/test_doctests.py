"""Every docstring example of the project runs: one walker, no hand-kept list of modules.

A module is found by its text (`>>> ` anywhere in it), imported and run through doctest,
so a new module's examples run without anyone adding it here. The minimum counts keep a
module from silently losing its examples (a docstring turned into a comment, say).
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from warehouse.settings import REPO_ROOT

pytestmark = pytest.mark.unit

PACKAGES = ("sources", "warehouse", "tertial", "demo", "orchestration", "bench")
# Counted when the walker replaced the lists (2026-12): lower only with a reason.
MINIMUM_MODULES = 21
MINIMUM_EXAMPLES = 76


def modules_with_examples() -> list[str]:
    names = []
    for package in PACKAGES:
        for file in sorted((REPO_ROOT / package).rglob("*.py")):
            if ">>> " in file.read_text(encoding="utf-8"):
                relative = file.relative_to(REPO_ROOT).with_suffix("")
                parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
                names.append(".".join(parts))
    return names


MODULES = modules_with_examples()


def examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [test for test in doctest.DocTestFinder().find(module) if test.examples]


@pytest.mark.parametrize("name", MODULES)
def test_the_modules_examples_pass(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    found = examples(name)
    assert found, f"{name} has '>>> ' in its text but no docstring example doctest can run"
    for test in found:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_no_module_lost_its_examples() -> None:
    count = sum(len(test.examples) for name in MODULES for test in examples(name))
    assert len(MODULES) >= MINIMUM_MODULES, MODULES
    assert count >= MINIMUM_EXAMPLES, count


def test_the_walker_sees_the_whole_project() -> None:
    assert all((REPO_ROOT / package / "__init__.py").exists() for package in PACKAGES)
    assert Path(__file__).name not in {f"{m.rsplit('.', 1)[-1]}.py" for m in MODULES}

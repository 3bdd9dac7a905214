"""Modules imported when first used: Great Expectations without what our suites never run.

Great Expectations imports `scipy.stats` and `altair` at module level for one expectation
we never use (`expect_column_kl_divergence_to_be_less_than`, `from scipy import stats`,
`import altair as alt`; two metrics do `from scipy import stats` too). They were 1.0 s of
its 2.1 s import on this machine (issue 14's profile; `python -X importtime`), paid by
every ingest. `jsonschema` (one JSON-schema metric, `import jsonschema`) and `boto3` (S3
data sources, `import boto3` in `great_expectations.compatibility.aws`) were another
0.15 s of a 1.95 s import (5 alternating runs each, 2026-12-07). Imported through
`importlib.util.LazyLoader`, each is a module object whose code runs on the first
attribute read: nothing of it changes if a code path ever does use them (they load then).

Only modules GX binds by name and reads later qualify: a `from X import name` runs X at
once (botocore, which `compatibility.aws` imports that way, is not deferred). Python
3.11's lazy module is not safe when two threads read it first at the same moment
(CPython gh-114763, fixed in 3.12): none of these is read by our code, and dbt, which
does use jsonschema, runs in processes of its own.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence

DEFERRED = ("scipy.stats", "altair", "jsonschema", "boto3")


class _Deferring(importlib.abc.MetaPathFinder):
    """Finds the named modules with the next finders, then hands them a lazy loader."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def defer(names: Sequence[str] = DEFERRED) -> None:
    """Import `names` lazily from now on in this process (once; a second call does nothing)."""
    if not any(isinstance(finder, _Deferring) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Deferring(names))

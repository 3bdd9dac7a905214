"""Documentation as static HTML under `$TERTIAL_HOME/docs/`: dbt docs, data docs, an index.

- `docs/dbt/index.html`: `dbt docs generate --static`, one self-contained file (the
  manifest and catalog inlined), so it opens from disk with no server.
- `docs/gx/<file>.<sha>/<suite>.html`: Great Expectations' own page renderer
  (ValidationResultsPageRenderer + DefaultJinjaPageView, what its site builder renders
  each validation with) over the results saved as JSON at ingest. Not GX's site builder
  itself: that needs a file-backed GX project with stores and checkpoints, while
  validation runs in an ephemeral context (sources/_common/validation.py).
- `docs/index.html`: written here, plain HTML without scripts: every mart with its
  description, and every saved validation, newest first, linked to its page.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sources._common.outcome import Outcome
from sources._common.personnummer import contains, mask
from warehouse.settings import Paths

Progress = Callable[[str], None]

# Pages rendered per run, newest first: a city's years of monthly files would otherwise
# make every `tertial docs` render thousands of pages (~0.1 s each); older ones stay as JSON.
MAX_VALIDATION_PAGES = 600


@dataclass(frozen=True)
class Docs:
    index: Path
    dbt_index: Path
    marts: tuple[str, ...]
    validation_pages: int


def validation_folder(root: Path, file_name: str, sha256: str) -> Path:
    """The folder of one file's saved validations (a personnummer in its name masked)."""
    return root / f"{mask(file_name)}.{sha256[:12]}"


def masked(value: Any) -> Any:
    """`value` (GX's result as JSON-ready data) with every personnummer masked.

    Walked, not masked as text: a rule's `partial_unexpected_list` can hold the value as
    a number (`-191212121212` failing "not negative"), which becomes the masked string.
    Every rule's values are masked, not only the personnummer rule's: a personnummer in
    Belopp fails the money rule too, and that rule lists the cell as delivered.
    """
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {masked(k) if isinstance(k, str) else k: masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    text = str(value)  # a number, a Decimal, a date: as json.dumps(default=str) writes it
    return mask(text) if contains(text) else value


def save_validations(
    root: Path, file_name: str, sha256: str, outcomes: Iterable[Outcome]
) -> list[Path]:
    """Write each suite's GX result of one file as JSON (written whole, then renamed)."""
    folder = validation_folder(root, file_name, sha256)
    saved = []
    validated_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for outcome in outcomes:
        if outcome.result is None:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{outcome.suite}.json"
        record = {
            "file_name": file_name,
            "sha256": sha256,
            "suite": outcome.suite,
            "validated_at": validated_at,
            "success": outcome.success,
            "evaluated": outcome.evaluated,
            "result": outcome.result,
        }
        partial = target.with_name(f".{target.name}.tmp")
        # Masked whole: every rule's values, file name and all (see `masked`).
        text = json.dumps(masked(record), ensure_ascii=False, default=str)
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
        saved.append(target)
    return saved


def saved_validations(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every saved validation, newest first (then by file and suite), personnummer masked
    (a validation saved before masking existed is masked when read)."""
    found = [(p, masked(json.loads(p.read_text(encoding="utf-8")))) for p in root.glob("*/*.json")]
    found.sort(key=lambda item: (item[1]["file_name"], item[1]["suite"]))
    found.sort(key=lambda item: item[1]["validated_at"], reverse=True)
    return found


def render_validation(record: dict[str, Any]) -> str:
    """One saved validation as GX renders it in its data docs, named by file and time."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResultSchema,
    )
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    result = dict(record["result"])
    # Validation runs without a GX checkpoint, so the page would say "Run Name __none__".
    result["meta"] = {
        **(result.get("meta") or {}),
        "run_id": {"run_name": record["file_name"], "run_time": record["validated_at"]},
    }
    loaded = ExpectationSuiteValidationResultSchema().load(result)
    return DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(loaded))


def marts_from_manifest(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The models of schema `marts`, by name, with their descriptions and columns."""
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    return sorted(marts, key=lambda node: node["name"])


def index_html(
    marts: Sequence[dict[str, Any]], validations: Sequence[tuple[str, dict[str, Any]]]
) -> str:
    """The landing page: links to the dbt docs, the marts, the data-quality pages."""
    e = html.escape
    mart_rows = "\n".join(
        f"<tr><td><a href='dbt/index.html#!/model/{e(node['unique_id'])}'>"
        f"<code>{e(node['name'])}</code></a></td><td>{e(node['description'].strip())}</td>"
        f"<td>{len(node['columns'])}</td></tr>"
        for node in marts
    )
    validation_rows = "\n".join(
        f"<tr><td>{e(record['validated_at'])}</td><td>{e(record['file_name'])}</td>"
        f"<td><a href='{e(link)}'>{e(record['suite'])}</a></td>"
        f"<td class='{'ok' if record['success'] else 'failed'}'>"
        f"{'passed' if record['success'] else 'FAILED'}</td><td>{record['evaluated']}</td></tr>"
        for link, record in validations
    )
    return f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>tertial: dokumentation</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 70em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .3em .6em; }}
.ok {{ color: #176f2c; }} .failed {{ color: #b00020; font-weight: bold; }}
</style></head>
<body>
<h1>tertial: dokumentation</h1>
<p>Generated {e(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))} by
<code>tertial docs</code>.</p>
<ul>
<li><a href="dbt/index.html">dbt docs</a>: every model, column and test, and the lineage graph</li>
<li><a href="#quality">Data quality</a>: the Great Expectations validations of delivered files</li>
</ul>
<h2 id="marts">Marts (schema <code>marts</code> of the published snapshot)</h2>
<table><tr><th>Mart</th><th>Description</th><th>Columns</th></tr>
{mart_rows}
</table>
<h2 id="quality">Data quality: validations, newest first</h2>
<table><tr><th>Validated</th><th>File</th><th>Suite</th><th>Result</th><th>Expectations</th></tr>
{validation_rows}
</table>
</body></html>
"""


def build_docs(paths: Paths, progress: Progress | None = None) -> Docs:
    """dbt docs, GX data docs and the index, under `paths.docs`."""
    from warehouse.build import run_dbt

    say = progress or (lambda _: None)
    say("dbt docs generate --static ...")
    run_dbt(paths, "docs generate", "--static")
    dbt_dir = paths.docs / "dbt"
    dbt_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.dbt_target / "static_index.html", dbt_dir / "index.html")
    for artefact in ("manifest.json", "catalog.json"):
        shutil.copyfile(paths.dbt_target / artefact, dbt_dir / artefact)
    manifest = json.loads((dbt_dir / "manifest.json").read_text(encoding="utf-8"))
    marts = marts_from_manifest(manifest)

    gx_dir = paths.docs / "gx"
    shutil.rmtree(gx_dir, ignore_errors=True)
    validations = saved_validations(paths.validations)[:MAX_VALIDATION_PAGES]
    say(f"Great Expectations data docs: {len(validations)} validation(s) ...")
    linked = []
    for source, record in validations:
        page = gx_dir / mask(source.parent.name) / f"{source.stem}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(mask(render_validation(record)), encoding="utf-8")
        linked.append((page.relative_to(paths.docs).as_posix(), record))

    index = paths.docs / "index.html"
    index.write_text(mask(index_html(marts, linked)), encoding="utf-8")
    return Docs(index, dbt_dir / "index.html", tuple(n["name"] for n in marts), len(linked))

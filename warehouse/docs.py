"""Documentation as static HTML under `$TERTIAL_HOME/docs/`: dbt docs, data docs, an index.

- `docs/dbt/index.html`: `dbt docs generate --static`, one self-contained file (the
  manifest and catalog inlined), so it opens from disk with no server.
- `docs/gx/<file>.<sha>/<suite>.html`: Great Expectations' own page renderer
  (ValidationResultsPageRenderer + DefaultJinjaPageView, what its site builder renders
  each validation with) over the results saved as JSON at ingest. Not GX's site builder
  itself: that needs a file-backed GX project with stores and checkpoints, while
  validation runs in an ephemeral context (sources/_common/validation.py).
- `docs/rejected/<file>.<sha>.html`: one page per quarantined file, with the report's
  reason and failures (masked): files rejected before the checks (empty, unreadable,
  misnamed) have no GX validation, and are in the docs through this page.
- `docs/index.html`: written here, plain HTML without scripts: every mart with its
  description, every rejected file with its reason, and every saved validation, newest
  first, linked to its page.
- `docs/static/`: what the pages load, so they render with no network (many municipal
  networks have none to the public CDNs GX's templates name): our stylesheet
  (warehouse/docs_assets/) and GX's logo and icon, which GX ships in its package. The
  CDN links of GX's pages are rewritten to these (`offline`).
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import json
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sources._common.outcome import Outcome
from sources._common.personnummer import contains, mask
from warehouse.files import write_whole
from warehouse.quarantine import NAME_MAX_BYTES
from warehouse.settings import Paths

Progress = Callable[[str], None]

# Pages rendered per run, newest first: a city's years of monthly files would otherwise
# make every `tertial docs` render thousands of pages (~0.1 s each); older ones stay as JSON.
MAX_VALIDATION_PAGES = 600
# A count while the pages render: 600 pages take ~60-90 s here, a line every 50 is one
# every ~5-8 s.
PROGRESS_EVERY = 50

ASSETS = Path(__file__).with_name("docs_assets")
STYLESHEET = "tertial-docs.css"
# What GX ships in its package (render/view/static/images) and its pages show.
GX_IMAGES = ("logo-long.png", "favicon.ico")


@dataclass(frozen=True)
class Docs:
    index: Path
    dbt_index: Path
    marts: tuple[str, ...]
    validation_pages: int
    rejected_files: int


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
        # Masked whole: every rule's values, file name and all (see `masked`). Two
        # loaders handed the same file write the same result (test_lake.py).
        write_whole(target, json.dumps(masked(record), ensure_ascii=False, default=str))
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
    """One saved validation as GX renders it in its data docs, named by file and time,
    each rule under the name the quarantine report gives it (its `meta["rule"]`)."""
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
    result["results"] = [labelled(item) for item in result.get("results") or ()]
    loaded = ExpectationSuiteValidationResultSchema().load(result)
    return DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(loaded))


def labelled(item: dict[str, Any]) -> dict[str, Any]:
    """A rule's result with its `meta["rule"]` as its description: GX's page then shows
    "no personnummer-like value in Text (person-level data must never enter)", the words
    of the quarantine report, where it would show the 250-character regex."""
    config = item.get("expectation_config") or {}
    label = (config.get("meta") or {}).get("rule")
    if not label:
        return item
    return {**item, "expectation_config": {**config, "description": label}}


# GX's page templates load Bootstrap, jQuery, Font Awesome, Vega and their plugins from
# public CDNs, and the logo from GX's S3 bucket: 14 requests a page (Chromium's net log,
# 2026-12-06), none of which an offline machine can answer.
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>\s*", re.I)
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.I)
_GX_LOGO = re.compile(r"https://great-expectations-web-assets\.[^\"']*?/logo-long\.png[^\"']*")
_GX_DARK_LOGO = re.compile(r"url\('https?://[^']*full_logo_dark\.png'\)")
_FOOTER = re.compile(r"<footer>.*?</footer>", re.S)  # GX's newsletter link
_FAVICON = re.compile(r'(<link rel="shortcut icon" href=")[^"]*(")')
_HOME = re.compile(r'href="(?:\.\./)+index\.html"')
# The suite's page (`expectations/<suite>.html`) is GX's site builder's, not written here.
_SUITE_LINK = re.compile(r'<a href="(?:\.\./)*expectations/[^"]*"\s*>(.*?)</a>', re.S)


def offline(page: str, root: str) -> str:
    """A GX page that loads only what `docs/static/` holds: every CDN link dropped, our
    stylesheet in the place of GX's first (so GX's own inline styles still come after
    it), the logo and icon from GX's package. `root` is the page's way up to `docs/`
    (`../../` from `gx/<file>/<suite>.html`)."""
    static = f"{root}static/"
    link = f'<link rel="stylesheet" href="{static}{STYLESHEET}">\n'
    inserted = []

    def ours_first(_: re.Match[str]) -> str:
        inserted.append(True)
        return link if len(inserted) == 1 else ""

    page = _REMOTE_LINK.sub(ours_first, page)
    if not inserted:
        page = page.replace("</head>", f"{link}</head>", 1)
    page = _REMOTE_SCRIPT.sub("", page)
    page = _GX_LOGO.sub(f"{static}logo-long.png", page)
    page = _GX_DARK_LOGO.sub("none", page)
    page = _FOOTER.sub("", page)
    page = _FAVICON.sub(rf"\g<1>{static}favicon.ico\g<2>", page)
    page = _HOME.sub(f'href="{root}index.html"', page)
    return _SUITE_LINK.sub(r"\1", page)


def external_references(page: str) -> list[str]:
    """Every address in `page` a browser would fetch from another machine: `src`,
    a `<link>`'s `href` and CSS `url(...)` (a plain `<a href>` is followed only on a
    click). The data docs have none: `write_data_docs` warns of any, the test asserts it."""
    found = re.findall(r"\bsrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", page, re.I)
    found += re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", page, re.I)
    found += re.findall(r"url\(\s*[\"']?((?:https?:)?//[^\"')]+)", page, re.I)
    return found


def install_assets(docs_root: Path) -> Path:
    """`docs/static/`: our stylesheet and GX's logo and icon, from its installed package."""
    static = docs_root / "static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / STYLESHEET, static / STYLESHEET)
    spec = importlib.util.find_spec("great_expectations")
    if spec is not None and spec.origin:
        images = Path(spec.origin).parent / "render" / "view" / "static" / "images"
        for name in GX_IMAGES:
            if (images / name).exists():
                shutil.copyfile(images / name, static / name)
    return static


@dataclass(frozen=True)
class Rejected:
    """A quarantined file, as its report.json says (masked there already)."""

    folder: str  # quarantine/<folder>/, named by file and content
    report: dict[str, Any]

    @property
    def file_name(self) -> str:
        return Path(str(self.report.get("file") or self.folder)).name

    @property
    def page(self) -> str:
        """`rejected/<folder>.html`, within the 255 bytes a file name may have: a folder's
        name may use them all (warehouse/quarantine.py), so a long one keeps its start and
        its `.<sha12>`."""
        name = self.folder
        if len(f"{name}.html".encode()) > NAME_MAX_BYTES:
            start, _, sha = name.rpartition(".")
            room = NAME_MAX_BYTES - len(f"~.{sha}.html".encode())
            name = f"{start.encode()[:room].decode(errors='ignore')}~.{sha}"
        return f"rejected/{name}.html"


def rejected_files(quarantine: Path) -> list[Rejected]:
    """Every quarantined file's report, newest first (a report that cannot be read is
    listed with that as its reason, never skipped)."""
    found = []
    for report_path in quarantine.glob("*/report.json"):
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            report = {"reason": f"report.json could not be read: {exc}"}
        found.append(Rejected(report_path.parent.name, masked(report)))
    return sorted(found, key=lambda r: str(r.report.get("rejected_at") or ""), reverse=True)


def rejected_page(rejected: Rejected, validation_links: Sequence[tuple[str, str]]) -> str:
    """A rejected file's page: the quarantine report as a controller reads it, and links
    to its GX pages when it was checked (`validation_links`: (suite, href from docs/))."""
    e = html.escape
    report = rejected.report
    rows = [
        ("Fil / File", report.get("file") or rejected.file_name),
        ("Källa / Source", report.get("source") or "okänd / unknown"),
        ("Avvisad / Rejected at", report.get("rejected_at") or ""),
        ("SHA-256", report.get("sha256") or ""),
        ("Skäl / Reason", report.get("reason") or ""),
    ]
    if report.get("note"):
        rows.append(("Not / Note", report["note"]))
    if report.get("kept"):
        rows.append(("I karantän / Kept", ", ".join(report["kept"])))
    table = "\n".join(
        f"<tr><th>{e(name)}</th><td class='reason'>{e(str(value))}</td></tr>"
        for name, value in rows
    )
    failures = ""
    for failure in report.get("failures") or ():
        samples = "".join(
            f"<li>line {e(str(row.get('line')))}: <code>{e(repr(row.get('value')))}</code></li>"
            for row in failure.get("rows") or ()
        )
        failures += (
            f"<tr><td>{e(str(failure.get('rule')))}</td><td>{e(str(failure.get('column') or '-'))}"
            f"</td><td>{e(str(failure.get('unexpected_count')))}</td><td><ul>{samples}</ul></td></tr>"
        )
    if failures:
        failures = (
            "<h2>Regler som inte höll / Rules that did not hold</h2>\n<table>"
            "<tr><th>Regel / Rule</th><th>Kolumn / Column</th><th>Rader / Rows</th>"
            f"<th>Exempel / Examples</th></tr>\n{failures}</table>"
        )
    if validation_links:
        checks = "".join(
            f"<li><a href='../{e(href)}'>{e(suite)}</a></li>" for suite, href in validation_links
        )
        checked = f"<h2>Great Expectations</h2><ul>{checks}</ul>"
    else:
        checked = (
            "<p>Avvisad före kontrollerna: filen lästes aldrig som en källas rader, så den har "
            "ingen Great Expectations-validering; skälet ovan är hela beskedet.<br>Rejected "
            "before the checks: the file was never read as a source's rows, so it has no Great "
            "Expectations validation; the reason above is all there is.</p>"
        )
    return f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8">
<title>Avvisad fil / Rejected file: {e(rejected.file_name)}</title>
<link rel="stylesheet" href="../static/{STYLESHEET}">
<link rel="shortcut icon" href="../static/favicon.ico" type="image/x-icon">
</head>
<body>
<nav class="navbar border-bottom">
<ol class="breadcrumb bg-light m-0"><li class="breadcrumb-item"><a href="../index.html">tertial:
dokumentation</a></li><li class="breadcrumb-item"><a href="../index.html#rejected">Avvisade filer /
Rejected files</a></li><li class="breadcrumb-item active">{e(rejected.file_name)}</li></ol>
</nav>
<main class="tertial-page">
<h1 class="rejected">Avvisad / Rejected: {e(rejected.file_name)}</h1>
<div class="alert alert-danger">Inget ur filen har kommit in i lagret. Rätta exporten och leverera
den igen.<br>Nothing of this file entered the warehouse. Fix the export and deliver it
again.</div>
<table>
{table}
</table>
{failures}
{checked}
</main>
</body></html>
"""


def marts_from_manifest(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The models of schema `marts`, by name, with their descriptions and columns."""
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    return sorted(marts, key=lambda node: node["name"])


def index_html(
    marts: Sequence[dict[str, Any]],
    validations: Sequence[tuple[str, dict[str, Any]]],
    rejected: Sequence[Rejected] = (),
    reports: Sequence[Path] = (),
) -> str:
    """The landing page: links to the dbt docs, the marts, the boards' reports, the
    rejected files and the data-quality pages. `reports`: the reports' HTML files, linked
    from `docs/` as `../reports/<file>` with their PDF and workbook beside them."""
    e = html.escape
    report_rows = "\n".join(
        f"<tr><td><a href='../reports/{e(page.name)}'>{e(page.stem)}</a></td><td>"
        + " ".join(
            f"<a href='../reports/{e(page.with_suffix(suffix).name)}'>{suffix[1:].upper()}</a>"
            for suffix in (".pdf", ".xlsx")
            if page.with_suffix(suffix).exists()
        )
        + "</td></tr>"
        for page in reports
    )
    mart_rows = "\n".join(
        f"<tr><td><a href='dbt/index.html#!/model/{e(node['unique_id'])}'>"
        f"<code>{e(node['name'])}</code></a></td><td>{e(node['description'].strip())}</td>"
        f"<td>{len(node['columns'])}</td></tr>"
        for node in marts
    )
    rejected_rows = "\n".join(
        f"<tr><td>{e(str(r.report.get('rejected_at') or ''))}</td>"
        f"<td><a href='{e(r.page)}'>{e(r.file_name)}</a></td>"
        f"<td>{e(str(r.report.get('source') or '-'))}</td>"
        f"<td class='reason'>{e(str(r.report.get('reason') or ''))}</td></tr>"
        for r in rejected
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
<link rel="stylesheet" href="static/{STYLESHEET}">
<link rel="shortcut icon" href="static/favicon.ico" type="image/x-icon">
</head>
<body><main class="tertial-page">
<h1>tertial: dokumentation</h1>
<p>Generated {e(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))} by
<code>tertial docs</code>. Every page here opens from disk, with no network.</p>
<ul>
<li><a href="dbt/index.html">dbt docs</a>: every model, column and test, and the lineage graph</li>
<li><a href="#reports">Nämndernas rapporter / Board reports</a>: {len(reports)}</li>
<li><a href="#rejected">Avvisade filer / Rejected files</a>: {len(rejected)}, with reasons</li>
<li><a href="#quality">Data quality</a>: the Great Expectations validations of delivered files</li>
</ul>
<h2 id="marts">Marts (schema <code>marts</code> of the published snapshot)</h2>
<table><tr><th>Mart</th><th>Description</th><th>Columns</th></tr>
{mart_rows}
</table>
<h2 id="reports">Nämndernas rapporter / Board reports</h2>
<p>Written by <code>tertial report</code> and after every nightly publish, from the marts.</p>
<table><tr><th>Report (HTML)</th><th>Also as</th></tr>
{report_rows}
</table>
<h2 id="rejected">Avvisade filer / Rejected files, newest first</h2>
<p>Files in <code>quarantine/</code>: nothing of them entered the warehouse. Those rejected
before the checks (empty, unreadable, misnamed) have no validation below, only their page.</p>
<table><tr><th>Rejected at</th><th>File</th><th>Source</th><th>Reason</th></tr>
{rejected_rows}
</table>
<h2 id="quality">Data quality: validations, newest first</h2>
<table><tr><th>Validated</th><th>File</th><th>Suite</th><th>Result</th><th>Expectations</th></tr>
{validation_rows}
</table>
</main></body></html>
"""


class _Steps:
    """`tertial docs`'s progress: a numbered line per step, then its time."""

    def __init__(self, say: Progress, count: int) -> None:
        self.say, self.count, self.number = say, count, 0
        self.started = self.step_started = time.perf_counter()

    def step(self, what: str) -> None:
        self.number += 1
        self.step_started = time.perf_counter()
        self.say(f"[{self.number}/{self.count}] {what}")

    def elapsed(self) -> float:
        return time.perf_counter() - self.step_started

    def done(self, what: str) -> None:
        self.say(f"      {what} ({self.elapsed():.1f} s)")


def build_docs(paths: Paths, progress: Progress | None = None) -> Docs:
    """dbt docs, GX data docs, the rejected files' pages and the index, under `paths.docs`."""
    from warehouse.build import run_dbt

    steps = _Steps(progress or (lambda _: None), 4)
    steps.step(
        "dbt docs generate --static: every model, column and test, and the lineage graph, "
        "as one page (dbt reads the catalog of the working database) ..."
    )
    run_dbt(paths, "docs generate", "--static")
    dbt_dir = paths.docs / "dbt"
    dbt_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.dbt_target / "static_index.html", dbt_dir / "index.html")
    for artefact in ("manifest.json", "catalog.json"):
        shutil.copyfile(paths.dbt_target / artefact, dbt_dir / artefact)
    manifest = json.loads((dbt_dir / "manifest.json").read_text(encoding="utf-8"))
    marts = marts_from_manifest(manifest)
    steps.done(f"{dbt_dir / 'index.html'}: {len(marts)} marts")
    return write_data_docs(paths, marts, steps)


def write_data_docs(
    paths: Paths,
    marts: Sequence[dict[str, Any]],
    steps: _Steps | None = None,
    max_pages: int = MAX_VALIDATION_PAGES,
) -> Docs:
    """Steps 2-4 of `build_docs`: the GX pages (the newest `max_pages`, and every rejected
    file's), the rejected files' pages and the index, from what `validations/` and
    `quarantine/` hold (dbt's docs as they are)."""
    steps = steps or _Steps(lambda _: None, 4)
    install_assets(paths.docs)
    gx_dir = paths.docs / "gx"
    shutil.rmtree(gx_dir, ignore_errors=True)
    rejected = rejected_files(paths.quarantine)
    rejected_shas = {mask(str(r.report.get("sha256"))) for r in rejected}
    saved = saved_validations(paths.validations)
    # The newest pages, and every rejected file's however old: its page says why.
    validations = saved[:max_pages] + [
        item for item in saved[max_pages:] if item[1]["sha256"] in rejected_shas
    ]
    steps.step(
        f"Great Expectations data docs: rendering {len(validations)} validation page(s)"
        + (f" (the newest of {len(saved)} saved)" if len(saved) > len(validations) else "")
        + " ..."
    )
    linked = []
    remote: set[str] = set()
    for number, (source, record) in enumerate(validations, start=1):
        page = gx_dir / mask(source.parent.name) / f"{source.stem}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        rendered = mask(offline(render_validation(record), "../../"))
        remote.update(external_references(rendered))
        page.write_text(rendered, encoding="utf-8")
        linked.append((page.relative_to(paths.docs).as_posix(), record))
        if number % PROGRESS_EVERY == 0 and number < len(validations):
            steps.say(f"      {number}/{len(validations)} pages ({steps.elapsed():.1f} s)")
    steps.done(f"{len(linked)} page(s) in {gx_dir}")
    if remote:
        # A GX release whose templates name a CDN `offline` does not know yet.
        steps.say(f"      warning: the pages still load from the network: {sorted(remote)}")

    steps.step(f"Rejected files: a page for each of {len(rejected)}, with its reason ...")
    rejected_dir = paths.docs / "rejected"
    shutil.rmtree(rejected_dir, ignore_errors=True)
    rejected_dir.mkdir(parents=True, exist_ok=True)
    unchecked = 0
    for item in rejected:
        sha = mask(str(item.report.get("sha256")))
        links = [(record["suite"], link) for link, record in linked if record["sha256"] == sha]
        unchecked += not links
        page = paths.docs / item.page
        page.write_text(mask(rejected_page(item, links)), encoding="utf-8")
    steps.done(f"{len(rejected)} page(s), {unchecked} of them rejected before the checks")

    steps.step("index.html: the marts, the rejected files, the validations ...")
    index = paths.docs / "index.html"
    reports = sorted(paths.reports.glob("*.html")) if paths.reports.is_dir() else []
    index.write_text(mask(index_html(marts, linked, rejected, reports)), encoding="utf-8")
    steps.done(str(index))
    return Docs(
        index,
        paths.docs / "dbt" / "index.html",
        tuple(n["name"] for n in marts),
        len(linked),
        len(rejected),
    )

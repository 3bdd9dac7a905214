"""`tertial docs`: the dbt docs and the data docs render in a real browser, offline.

Headless Chromium (Debian's `chromium`; `make chromium` installs it, `make test` depends
on it) loads each page from disk and dumps the DOM after its scripts ran; the checks
look at rendered elements, never at the script that carries the manifest. Chromium runs
with no name resolution (`--host-resolver-rules`): nothing reaches another machine, and
its net log shows what a page asked for.
"""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import polars as pl
import pytest

from sources._common.validation import matches, validate
from tertial.cli import main
from tests.conftest import SERVICENAMNDEN
from warehouse.docs import (
    external_references,
    marts_from_manifest,
    render_validation,
    save_validations,
    saved_validations,
    write_data_docs,
)
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

CHROMIUM = Path("/usr/bin/chromium")
MARTS = ["dim_konto", "dim_namnd", "dim_period", "dim_verksamhet", "fct_ledger", "meta_freshness"]


def chromium(url: str, *extra: str) -> str:
    """Run headless Chromium on `url` with the developers' guide's flags and a fresh
    profile; its stdout (the DOM with `--dump-dom`)."""
    if not CHROMIUM.exists():
        pytest.fail("headless Chromium is missing: run `make chromium` (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # No name resolves: a page that asks the internet for anything gets nothing
                # (and the net log still shows it asked).
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}",
                # dbt docs is an Angular app: give its scripts 10 s of (virtual) time to
                # build the page before the DOM is dumped. Costs nothing on plain pages.
                "--virtual-time-budget=10000",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        ).stdout


def dump_dom(url: str) -> str:
    """The page's DOM after load, scripts removed (what a reader sees, as HTML)."""
    return re.sub(r"<script\b.*?</script>", "", chromium(url, "--dump-dom"), flags=re.S)


def page_requests(net_log: Path) -> list[str]:
    """Every URL a page asked the network stack for, from Chromium's net log.

    Chromium's own services (time, updates, sign-in: "initiator": "not an origin") are
    left out: they are the browser's, not the page's, and resolve to nothing here. A page
    opened from disk asks with initiator "null"; reading its own files (file:) never
    reaches the network stack, so any URL here is one the page wanted from elsewhere.
    """
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    started = [e.get("params", {}) for e in log["events"] if e["type"] == start_job]
    return [p["url"] for p in started if "url" in p and p.get("initiator") != "not an origin"]


def screenshot(url: str, png: Path, height: int) -> list[str]:
    """A 1280-wide screenshot of `url`; the URLs the page requested (`page_requests`)."""
    net_log = png.with_suffix(".netlog.json")
    chromium(
        url,
        f"--screenshot={png}",
        f"--window-size=1280,{height}",
        "--hide-scrollbars",
        f"--log-net-log={net_log}",
    )
    # A blank page's PNG is ~5 KB, a rendered one ~100 KB.
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 30_000, png
    keep = os.environ.get("TERTIAL_DOCS_SCREENSHOTS")  # a folder to keep them in, to look at
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(keep) / png.name)
    return page_requests(net_log)


def text(dom: str) -> str:
    without_style = re.sub(r"<style\b.*?</style>", "", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", without_style)))


@pytest.fixture(scope="module")
def docs(servicenamnden_2011: Paths) -> Paths:
    assert main(["--home", str(servicenamnden_2011.home), "docs"]) == 0
    return servicenamnden_2011


def test_index_lists_every_mart_and_every_validation(docs: Paths) -> None:
    dom = dump_dom((docs.docs / "index.html").as_uri())
    rendered = set(re.findall(r"<code>(\w+)</code></a>", dom))
    assert rendered >= set(MARTS)
    assert "Aktualitet" in text(dom)  # meta_freshness's description, with its Swedish label
    # Every checked file of the reference folder has its suites on the page, all passed.
    links = re.findall(r"<a href=\"(gx/[^\"]+)\">", dom)
    assert any("huvudbok_201108.csv" in link for link in links)
    assert len(links) == len(saved_validations(docs.validations)) >= 70
    assert "FAILED" not in text(dom)
    # The reference folder's one rejected file (rejected before the checks: a misnamed
    # file) is listed with its reason and has its page.
    rejected = re.findall(r"<a href=\"(rejected/[^\"]+)\">", dom)
    assert [Path(r).name.split(".md.")[0] for r in rejected] == ["expected"]
    assert (docs.docs / rejected[0]).exists()


def test_dbt_docs_render_every_mart_with_swedish_column_labels(docs: Paths) -> None:
    dbt_index = docs.docs / "dbt" / "index.html"
    tree = dump_dom(dbt_index.as_uri())
    for mart in MARTS:
        assert re.search(rf'ng-binding">{mart}</span>', tree), f"{mart} not in the model tree"
    page = text(dump_dom(f"{dbt_index.as_uri()}#!/model/model.tertial.fct_ledger"))
    assert "Bokfört utfall" in page
    assert "Belopp (kr)" in page and "Leverans" in page


def test_every_mart_column_is_described(docs: Paths) -> None:
    manifest = json.loads((docs.docs / "dbt" / "manifest.json").read_text(encoding="utf-8"))
    marts = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts"
    ]
    assert {n["name"] for n in marts} >= set(MARTS)
    undescribed = [
        f"{n['name']}.{c}"
        for n in marts
        for c, col in n["columns"].items()
        if not col["description"]
    ]
    assert undescribed == []
    assert all(n["description"].strip() for n in marts)


def test_a_validation_page_renders_in_the_browser(docs: Paths) -> None:
    [page] = (docs.docs / "gx").glob("huvudbok_201108.csv.*/huvudbok.content.html")
    shown = text(dump_dom(page.as_uri()))
    assert "huvudbok.content" in shown and "huvudbok_201108.csv" in shown
    assert "Succeeded" in shown


def test_a_failed_validation_is_saved_and_rendered_with_its_values(tmp_path: Path) -> None:
    frame = pl.DataFrame({"line_number": [2, 3, 4], "konto": ["3410", "34X0", "4610"]})
    outcome = validate(frame, "demo.cells", [matches("konto", r"^\d{4}$", "Konto is 4 digits")])
    assert not outcome.success
    [saved] = save_validations(tmp_path, "huvudbok_209901.csv", "ab" * 32, [outcome])
    assert saved.parent.name == "huvudbok_209901.csv.abababababab"
    [(_, record)] = saved_validations(tmp_path)
    assert record["success"] is False and record["suite"] == "demo.cells"
    shown = text(render_validation(record))
    assert "Failed" in shown and "34X0" in shown


# What only tertial's stylesheet sets: its own custom property, and tables collapsed
# (a browser's default is `separate`; GX's CDN Bootstrap set it, GX's inline styles don't).
PROBE = """<script>
window.addEventListener("load", () => {
  const visible = (selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.getClientRects().length > 0).length;
  const logo = document.querySelector(".navbar-brand img");
  const root = getComputedStyle(document.documentElement);
  document.body.setAttribute("data-probe", JSON.stringify({
    stylesheet: root.getPropertyValue("--tertial-docs").trim(),
    tables: getComputedStyle(document.querySelector("table.table")).borderCollapse,
    logo_width: logo ? logo.naturalWidth : -1,
    passed_shown: visible(".fa-check-circle"),
    failed_shown: visible(".fa-times"),
  }));
});
</script>"""


def probe(page: Path, failed_only: bool) -> dict[str, object]:
    """What Chromium computed on `page` (a copy beside it, with PROBE and, if
    `failed_only`, GX's "Failed Only" filter checked)."""
    source = page.read_text(encoding="utf-8")
    if failed_only:
        source = source.replace('id="option1" autocomplete="off" checked', 'id="option1"')
        source = source.replace('id="option2" autocomplete="off"', 'id="option2" checked')
    copy = page.with_name(f"probe-{'failed' if failed_only else 'all'}-{page.name}")
    copy.write_text(source.replace("</body>", f"{PROBE}</body>"), encoding="utf-8")
    dom = chromium(copy.as_uri(), "--dump-dom")
    return json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', dom)[1]))


def broken_inbox(folder: Path) -> Path:
    """A ledger whose Text holds a personnummer (rejected by the checks), and an empty
    ledger (rejected before them: no validation)."""
    folder.mkdir()
    lines = (SERVICENAMNDEN / "huvudbok_201108.csv").read_bytes().decode("cp1252").split("\r\n")
    cells = lines[4].split(";")
    cells[10] = "Ersättning 19121212-1212"
    lines[4] = ";".join(cells)
    (folder / "huvudbok_201108_pnr.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    (folder / "huvudbok_201109.csv").write_bytes(b"")
    return folder


def test_a_rejected_file_renders_offline_in_the_words_of_its_report(
    docs: Paths, reference_copy: Paths, tmp_path: Path
) -> None:
    # The reference home with two rejected files more; its dbt docs are the `docs`
    # fixture's (copied with it), so only the data docs are written again, and only the
    # newest 6 GX pages (~2 s; all 147 take ~35 s, and `tertial docs` ~20-40 s more to
    # generate the same dbt docs again). The rejected file's 2 pages are the newest.
    home = reference_copy
    assert main(["--home", str(home.home), "ingest", str(broken_inbox(tmp_path / "in"))]) == 1
    manifest = json.loads((home.docs / "dbt" / "manifest.json").read_text(encoding="utf-8"))
    written = write_data_docs(home, marts_from_manifest(manifest), max_pages=6)
    assert written.rejected_files == 3  # the two, and the reference folder's expected.md
    assert written.validation_pages == 6

    # Nothing a page loads comes from another machine: every src, stylesheet and url().
    pages = [p for p in home.docs.rglob("*.html") if p.parent.name != "dbt"]
    assert len(pages) == written.validation_pages + written.rejected_files + 1
    assert {p.name: external_references(p.read_text(encoding="utf-8")) for p in pages} == {
        p.name: [] for p in pages
    }

    [gx_page] = home.docs.glob("gx/huvudbok_201108_pnr.csv.*/huvudbok.content.html")
    [report] = home.quarantine.glob("huvudbok_201108_pnr.csv.*/report.json")
    [failure] = json.loads(report.read_text(encoding="utf-8"))["failures"]
    assert failure["rule"].startswith("no personnummer-like value in Text")
    shown = text(dump_dom(gx_page.as_uri()))
    assert failure["rule"] in shown  # the report's words are the page's, not GX's regex
    assert "Konto is a 4-digit Kommun-Bas account" in shown
    assert "[0-9]{4}" not in shown and "(?:" not in shown
    assert "Ersättning 19121212-****" in shown and "19121212-1212" not in shown

    # The stylesheet and GX's logo loaded from docs/static; the "Failed Only" filter (a
    # jQuery script in GX, CSS here) leaves the one failed rule.
    everything, failed = probe(gx_page, failed_only=False), probe(gx_page, failed_only=True)
    assert everything["stylesheet"] == "loaded" and everything["tables"] == "collapse"
    assert everything["logo_width"] > 0
    assert everything["passed_shown"] > 20 and failed["passed_shown"] == 0
    assert failed["failed_shown"] == everything["failed_shown"] == 2  # Status, and the rule

    # The browser asked no other machine for anything; GX's own page, unchanged, asks
    # the CDNs for its 14 files (so the net log would show it if ours did).
    assert (
        screenshot(
            gx_page.with_name("probe-failed-huvudbok.content.html").as_uri(),
            tmp_path / "gx-rejected-file.png",
            1000,
        )
        == []
    )
    as_gx_renders = tmp_path / "as-gx-renders.html"
    [(_, record)] = [
        item
        for item in saved_validations(home.validations)
        if item[1]["file_name"] == "huvudbok_201108_pnr.csv"
        and item[1]["suite"] == "huvudbok.content"
    ]
    as_gx_renders.write_text(render_validation(record), encoding="utf-8")
    asked = page_requests_of(as_gx_renders.as_uri(), tmp_path / "as-gx-renders.json")
    assert any("bootstrap" in url for url in asked) and len(asked) >= 10

    # A file rejected before the checks has no validation, and a page with its reason.
    index = text(dump_dom((home.docs / "index.html").as_uri()))
    assert "huvudbok_201109.csv" in index and "huvudbok_201108_pnr.csv" in index
    [empty] = home.docs.glob("rejected/huvudbok_201109.csv.*.html")
    assert not list(home.validations.glob("huvudbok_201109.csv.*"))
    page = text(dump_dom(empty.as_uri()))
    assert "the file is empty" in page and "Rejected before the checks" in page
    assert screenshot(empty.as_uri(), tmp_path / "rejected-before-the-checks.png", 700) == []


def page_requests_of(url: str, net_log: Path) -> list[str]:
    chromium(url, "--dump-dom", f"--log-net-log={net_log}")
    return page_requests(net_log)


def test_dbt_docs_open_on_the_overview_in_swedish_and_english(docs: Paths, tmp_path: Path) -> None:
    dbt_index = docs.docs / "dbt" / "index.html"
    shown = text(dump_dom(dbt_index.as_uri()))  # no route: dbt docs opens its overview
    assert "Welcome!" not in shown
    for words in (
        "Två tider",
        "Registreringstid",
        "Two times",
        "Recorded time",
        "tertial query --as-of",
        "Rapportmarter",
        "Report marts",
    ):
        assert words in shown, words
    png = tmp_path / "dbt-overview.png"
    assert screenshot(f"{dbt_index.as_uri()}#!/overview", png, 1100) == []

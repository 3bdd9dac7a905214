"""`tertial docs`: the dbt docs and the data docs render in a real browser.

Headless Chromium (Debian's `chromium`; `make chromium` installs it, `make test` depends
on it) loads each page from disk and dumps the DOM after its scripts ran; the checks
look at rendered elements, never at the script that carries the manifest.
"""

import html
import json
import re
import subprocess
import tempfile
from pathlib import Path

import polars as pl
import pytest

from sources._common.validation import matches, validate
from tertial.cli import main
from warehouse.docs import render_validation, save_validations, saved_validations
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

CHROMIUM = Path("/usr/bin/chromium")
MARTS = ["dim_konto", "dim_namnd", "dim_period", "dim_verksamhet", "fct_ledger", "meta_freshness"]


def dump_dom(url: str) -> str:
    """The page's DOM after load, scripts removed (what a reader sees, as HTML)."""
    if not CHROMIUM.exists():
        pytest.fail("headless Chromium is missing: run `make chromium` (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
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
                f"--user-data-dir={profile}",
                # dbt docs is an Angular app: give its scripts 10 s of (virtual) time to
                # build the page before the DOM is dumped. Costs nothing on plain pages.
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        ).stdout
    return re.sub(r"<script\b.*?</script>", "", dom, flags=re.S)


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

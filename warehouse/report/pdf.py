"""The report's HTML printed to an A4 PDF by headless Chromium.

Chromium lays the HTML out as it shows it (the same file a reader opens), and prints
the running header (board and report) and the page numbers from the template's own
`@page` margin boxes, with its default header and footer (date, file URL) off.

The flags are those this machine needs (the developers' guide): without the network
ones Chromium waits for the closed network; a fresh profile per print, or a second
print waits on the first one's lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-pdf-header-footer",
)
TIMEOUT_SECONDS = 120


class PdfUnavailable(RuntimeError):
    """No Chromium to print with, or it failed: the HTML and the workbook still stand."""


def chromium() -> str | None:
    """The browser: `TERTIAL_CHROMIUM`, else `chromium` on the PATH (Debian's package)."""
    return os.environ.get("TERTIAL_CHROMIUM") or shutil.which("chromium")


def print_pdf(html_file: Path, pdf_file: Path) -> None:
    """Print `html_file` to `pdf_file` (replaced whole: written beside it, then renamed)."""
    browser = chromium()
    if browser is None:
        raise PdfUnavailable(
            "no Chromium to print the PDF with: install Debian's `chromium` (`make chromium`) "
            "or set TERTIAL_CHROMIUM; the HTML and the workbook were written"
        )
    temporary = pdf_file.with_name(f".{pdf_file.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="tertial-chromium-") as profile:
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={temporary}",
            html_file.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            temporary.unlink(missing_ok=True)
            raise PdfUnavailable(f"Chromium did not print within {TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0 or not temporary.is_file() or temporary.stat().st_size == 0:
        temporary.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfUnavailable(f"Chromium could not print the PDF (exit {done.returncode}: {last})")
    os.replace(temporary, pdf_file)

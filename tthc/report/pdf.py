"""`tthc report --format pdf`: a page of the report site printed to PDF (A4) by headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# Chromium as a printer: no sandbox when run as root, no network of its own, no first-run work.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
)


class PdfError(RuntimeError):
    """The page could not be printed; the message says why and what to do, in Vietnamese and English."""


def chromium() -> str | None:
    """The Chromium on this machine, if any."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdf(page: Path, output: Path, timeout_s: float = 120) -> Path:
    """Print `page` (an HTML file of the site) to `output`, as its print styles lay it out on A4."""
    browser = chromium()
    if browser is None:
        raise PdfError(
            "cần Chromium để in PDF: cài bằng `apt-get install chromium` (Debian, Ubuntu) / "
            "printing to PDF needs Chromium: install it with `apt-get install chromium` (Debian, Ubuntu)"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tthc-pdf-") as profile:
        done = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={output}", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout_s,
        )
    if done.returncode != 0 or not output.exists() or output.stat().st_size == 0:
        raise PdfError(f"Chromium không in được {page} / Chromium could not print {page}: {done.stderr.strip()[-300:]}")
    return output

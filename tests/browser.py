"""Headless Debian Chromium for tests that check what a person sees.

Skips, saying so, on a machine without Chromium; never under CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing under CI: .ci/run should have installed Debian's chromium")
        pytest.skip("Chromium is not installed here (apt-get install chromium); browser tests skipped")
    return path


@contextmanager
def browser_page(width: int = 1280, height: int = 1600) -> Iterator[object]:
    """A Playwright page in Debian's Chromium (Playwright downloads no browser of its own), of
    this viewport (390 × 844 is a phone's)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()

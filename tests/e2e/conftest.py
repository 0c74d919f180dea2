"""Fixtures several end-to-end modules share."""

from __future__ import annotations

from pathlib import Path

import playwright.sync_api as playwright_api
import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Headless and offline: nothing Chromium does on its own may leave the machine.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by playwright (CI installs it; no browser download)."""
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()

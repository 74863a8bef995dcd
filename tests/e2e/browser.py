"""The browser of the e2e tests: Debian's headless Chromium driven by Playwright, one page per test module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
OUT = PROJECT_ROOT / "test-output" / "e2e"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def open_page(url: str) -> Iterator[object]:
    """A page on the app at `url`, on its チャット tab (the app opens on はじめに)."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="ja-JP")
        page.goto(url)
        page.get_by_role("tab", name="チャット").wait_for(timeout=30_000)
        page.get_by_role("tab", name="チャット").click()
        yield page
        browser.close()

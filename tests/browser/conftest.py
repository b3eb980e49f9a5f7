"""Browser fixtures: one Chromium for the session, a fresh server (SQLite) for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.browser.pages import AXE, CHROMIUM, CHROMIUM_ARGS, Browsing
from tests.support.centres import make_config_file
from tests.support.databases import database_url
from tests.support.server import ServerProcess

EXPECT_TIMEOUT_MS = 8000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; sound may play without a tap (as on a set-up hall TV)."""
    for needed, how in ((CHROMIUM, "apt-get install chromium"), (AXE, "npm ci")):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: {how}")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The real server on a free port, with the test centres, on its own SQLite database."""
    with database_url("sqlite", tmp_path) as url:
        server = ServerProcess(url, tmp_path, config=make_config_file(tmp_path))
        server.start()
        yield server
        server.kill()


@pytest.fixture
def browsing(browser: Browser, live_server: ServerProcess) -> Iterator[Browsing]:
    """Opens pages of the test's server; fails the test if a page threw or broke its CSP."""
    pages = Browsing(browser, live_server.url)
    yield pages
    pages.close()
    assert not pages.errors, "errors in the pages:\n" + "\n".join(pages.errors)

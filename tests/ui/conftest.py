"""Fixtures of the browser tests: one Chromium per session, one live stack per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from uikit import CHROMIUM, CHROMIUM_ARGS, Stack, login, need_tool, start_stack


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    need_tool(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A live server and its emulator printer for one test module."""
    found = start_stack(Path(tmp_path_factory.mktemp("ui")))
    yield found
    found.stop()


@pytest.fixture(scope="module")
def admin_page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A browser page logged in as the module's admin (one login per module)."""
    context, page = login(browser, stack.url, "admin", "admin-password")
    yield page
    context.close()

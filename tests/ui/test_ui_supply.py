"""The supply page in the browser: a site linked to a live authority shows its leased block,
and a request the stopped authority could not answer with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from livekit import start_live_server
from playwright.sync_api import Page, expect
from uikit import Stack, shot

pytestmark = pytest.mark.browser
GTIN = "09506000134352"


def test_the_site_sees_its_blocks_and_why_a_request_waits(
    admin_page: Page, stack: Stack, tmp_path: Path
) -> None:
    authority = start_live_server(tmp_path)
    try:
        added = authority.cli("authority", "site", "add", "dock-7")
        assert added.returncode == 0, added.stderr
        stack.cli("lease", "link", "--authority", authority.url, "--site", "dock-7",
                  "--token", added.stdout.strip())  # fmt: skip
        stack.cli("lease", "pool", "demo-units", "--gtin", GTIN, "--block", "50",
                  "--low-water", "5")  # fmt: skip
        stack.cli("lease", "request", "demo-units")
    finally:
        authority.stop()
    asked = stack.server.cli("lease", "request", "demo-units", "--count", "10")
    assert asked.returncode != 0 and "authority-unreachable" in asked.stderr
    page = admin_page
    page.goto("/admin/supply")
    expect(page.locator("#supply-link")).to_contain_text("dock-7")
    expect(page.locator("#supply-link .state")).to_have_text("linked")
    row = page.locator("#supply-blocks tr[data-lease]")
    expect(row).to_have_count(1)
    expect(row.locator(".available")).to_have_text("50")
    expect(row.locator(".state")).to_have_text("active")
    waiting = page.locator("#supply-requests tr[data-state=pending]")
    expect(waiting.locator(".reason")).to_contain_text("authority-unreachable")
    expect(page.locator("#supply-requests tr[data-state=received]")).to_have_count(1)
    shot(page, "supply")

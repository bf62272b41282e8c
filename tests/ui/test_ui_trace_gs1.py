"""The trace page shows the AIs a supplier's scan carried beyond GTIN, serial, lot, expiry."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, expect
from uikit import GTIN, Stack, login

pytestmark = pytest.mark.browser


def test_trace_shows_weight_and_internal_field(browser: Browser, stack: Stack) -> None:
    stack.load_receipt({"reference": "ASN-AIS", "lines": [{"gtin": GTIN, "quantity": 1}]})
    unit = f"(01){GTIN}(21)W9(10)L1(17)271100(3103)001250(91)BIN-42"
    assert "expected" in stack.cli("receipts", "scan", "ASN-AIS", unit)
    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto(f"/trace/?q={quote(unit)}")
    expect(page.locator("#extra-ais")).to_have_text("(3103) 001250 · (91) BIN-42")
    context.close()

"""axe-core on every page and the states a station goes through: 0 serious or critical."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from uikit import GS, GTIN, Stack, axe_violations, login, ready, wait_idle, wedge

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.receiving import receive_untagged
from labelsvc.services.stations import save_station

pytestmark = pytest.mark.browser


def check(page: Page, state: str, found: dict[str, list[str]]) -> None:
    """Run axe-core now; remember what it found under the name of the page state."""
    problems = axe_violations(page)
    if problems:
        found[state] = problems


def test_station_pages_in_every_state(browser: Browser, stack: Stack) -> None:
    found: dict[str, list[str]] = {}
    anonymous = browser.new_context(base_url=stack.url).new_page()
    anonymous.goto("/login")
    check(anonymous, "login", found)
    anonymous.context.close()

    save_station(stack.app, SYSTEM, "axe-dock", role="receiving", printer="dock")
    context, page = login(browser, stack.url, "admin", "admin-password")
    context.add_cookies([{"name": "labelsvc_station", "value": "axe-dock", "url": stack.url}])
    stack.load_receipt({"reference": "ASN-AXE", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 12, "lot": "L1", "serials": ["AX01"]}]})  # fmt: skip
    page.goto("/station")
    check(page, "station", found)
    page.goto("/station/scanner")
    check(page, "scanner check", found)
    page.locator("#check-code").focus()
    wedge(page, f"]d201{GTIN}21Zy-9/.Q{GS}10LAYOUT1")
    expect(page.locator("#scanner-result .flash")).to_be_visible()
    check(page, "scanner check result", found)
    page.goto("/receiving/")
    page.click("#upload summary")
    check(page, "receiving index", found)
    page.goto("/receiving/ASN-AXE")
    ready(page)
    check(page, "receipt", found)
    unknown_product = "]d2010401234567890121X"
    for code in (f"]d201{GTIN}21AX01{GS}10L1", f"]d201{GTIN}21AX77{GS}10L1", unknown_product):
        wedge(page, code)  # ok, amber (not on the ASN), refused
    wait_idle(page)
    check(page, "receipt after ok, amber and refused scans", found)
    page.click("text=Close receipt")
    expect(page.locator("#close-result .flash")).to_be_visible()
    check(page, "receipt close refused", found)

    made = receive_untagged(stack.app, "ASN-AXE", 1, 10, actor=SYSTEM, printer="dock")
    page.goto("/packing/")
    ready(page)
    check(page, "packing", found)
    wedge(page, "OPEN CASE")
    for item in made.items[:3]:
        wedge(page, f"]d201{GTIN}21{item.value}")
    wait_idle(page)
    check(page, "packing an open case", found)
    page.fill("#close-reason", "end of shift")
    page.click("#close")
    expect(page.locator("#scan-results img.label-thumb")).to_be_visible()
    check(page, "packing after close", found)
    page.goto("/packing/commands")
    check(page, "command sheet", found)

    page.goto("/trace/")
    ready(page, "#q")
    check(page, "trace", found)
    wedge(page, f"]d201{GTIN}21{made.items[5].value}")
    expect(page.locator("#trace-item")).to_be_visible()
    check(page, "trace result", found)
    page.fill("#form-quarantine input[name=reason]", "check")
    page.click("#form-quarantine button:has-text('Quarantine')")
    expect(page.locator("#action-result .flash")).to_be_visible()
    check(page, "trace after hold", found)

    context.close()
    assert found == {}, found


ADMIN_PAGES = ["/admin/", "/admin/pools", "/admin/printers", "/admin/templates",
               "/admin/products", "/admin/users", "/admin/jobs", "/admin/audit",
               "/admin/webhooks", "/admin/leases", "/locations/", "/locations/admin",
               "/counts/"]  # fmt: skip


def test_admin_pages(browser: Browser, stack: Stack) -> None:
    found: dict[str, list[str]] = {}
    context, page = login(browser, stack.url, "admin", "admin-password")
    for path in ADMIN_PAGES:
        page.goto(path)
        check(page, path, found)
    context.close()
    assert found == {}, found


def test_session_ended_panel(browser: Browser, stack: Stack) -> None:
    found: dict[str, list[str]] = {}
    stack.load_receipt({"reference": "ASN-AXE-S", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 5}]})  # fmt: skip
    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/receiving/ASN-AXE-S")
    ready(page)
    context.clear_cookies(name="session")
    wedge(page, f"]d201{GTIN}21AXS1")
    expect(page.locator("#session-panel")).to_be_visible()
    check(page, "session ended", found)
    context.close()
    assert found == {}, found

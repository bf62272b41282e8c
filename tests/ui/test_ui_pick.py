"""The pick station in Chromium: an order's reference scanned, then its units as a wedge
scanner types them; refusals are red outcomes that say what to do; the order ships."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from uikit import GTIN, Stack, login, outcomes, ready, scan, wait_idle

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.order_files import order_from_mapping
from labelsvc.services.order_shipping import ship_order
from labelsvc.services.orders import create_order, get_order, pick
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import load_receipt, receive_untagged

pytestmark = pytest.mark.browser


def test_pick_an_order_by_scanning_and_ship_it(browser: Browser, stack: Stack) -> None:
    spec = receipt_from_mapping({"reference": "ASN-PICK", "lines": [
        {"gtin": GTIN, "quantity": 3, "lot": "P1"}]}, "test")  # fmt: skip
    load_receipt(stack.app, spec, actor=SYSTEM)
    units = receive_untagged(stack.app, "ASN-PICK", 1, 3, actor=SYSTEM).items
    order = {"reference": "SO-UI", "customer": "ACME", "lines": [{"gtin": GTIN, "quantity": 2}]}
    create_order(stack.app, order_from_mapping(order, "test"), actor=SYSTEM)

    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/pick/")
    ready(page)
    scan(page, "SO-UI")
    wait_idle(page)
    expect(page.locator("#current-order")).to_have_attribute("data-order", "SO-UI")
    for unit in (units[0], units[0], units[1], units[2]):
        scan(page, f"]d201{GTIN}21{unit.value}")
    wait_idle(page)
    seen = outcomes(page)
    assert [o for o, _ in seen] == ["ok", "ok", "reject", "ok", "reject"], seen
    assert "picked for SO-UI already" in seen[2][1]
    assert "has all it wants" in seen[4][1] and "put" in seen[4][1]
    expect(page.locator("#line-1")).to_have_attribute("data-picked", "2")
    expect(page.locator("#order-state")).to_have_text("complete")

    page.fill("#shipment", "TRK-UI")
    page.click("#ship")
    expect(page.locator("#scan-results .outcome").first).to_contain_text("shipped on TRK-UI")
    assert get_order(stack.app, "SO-UI", actor=SYSTEM).state == "shipped"
    context.close()


def test_the_dashboard_loads_the_flow_metrics(browser: Browser, stack: Stack) -> None:
    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto(f"/trace/?q=(01){GTIN}(21)NOT-THERE")  # a trace that finds nothing is timed too
    page.goto("/admin/")
    expect(page.locator("#trace-p95")).to_contain_text("p95")
    expect(page.locator("#flow-measures")).to_contain_text("Returns resolution")
    # each defined metric is a chart; the old packing card says what it counts
    expect(page.locator("#trace-chart svg.chart > title")).to_contain_text("Time to trace")
    expect(page.locator("#flow-metrics svg.chart")).to_have_count(3)
    expect(page.locator("#measures")).to_contain_text("Scanned vs typed entries")
    expect(page.locator("#measures")).not_to_contain_text("Scan compliance")
    context.close()


def test_the_returns_desk_checks_and_decides(browser: Browser, stack: Stack) -> None:
    spec = receipt_from_mapping({"reference": "ASN-RMA", "lines": [
        {"gtin": GTIN, "quantity": 2, "lot": "R1"}]}, "test")  # fmt: skip
    load_receipt(stack.app, spec, actor=SYSTEM)
    units = receive_untagged(stack.app, "ASN-RMA", 1, 2, actor=SYSTEM).items
    order = {"reference": "SO-RMA", "customer": "Beta", "lines": [{"gtin": GTIN, "quantity": 1}]}
    create_order(stack.app, order_from_mapping(order, "test"), actor=SYSTEM)
    pick(stack.app, "SO-RMA", f"(01){GTIN}(21){units[0].value}", actor=SYSTEM)
    ship_order(stack.app, "SO-RMA", actor=SYSTEM)

    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/returns/")
    page.fill("#rma", "RMA-UI")
    page.fill("#rma-order", "SO-RMA")
    page.click("#open-return button")
    expect(page.locator("#current-return")).to_have_attribute("data-rma", "RMA-UI")
    page.locator("#scan").focus()
    ready(page)
    for unit in units:
        scan(page, f"]d201{GTIN}21{unit.value}")
    wait_idle(page)
    seen = outcomes(page)
    assert [o for o, _ in seen[-2:]] == ["ok", "reject"], seen
    assert "left on order SO-RMA" in seen[-2][1] and "never left" in seen[-1][1]
    for row in range(2):
        page.locator("#return-panel form button").first.click()
        expect(page.locator("#return-panel form")).to_have_count(1 - row)
    expect(page.locator("#current-return .badge")).to_have_text("resolved")
    context.close()

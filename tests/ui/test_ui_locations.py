"""The putaway station in a real Chromium, scans typed as a wedge scanner types them: item
then bin, bin then several items, a container moving its contents, refusals as outcomes."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect
from uikit import GTIN, Stack, login, outcomes, ready, scan, wait_idle

from labelsvc.domain.actors import SYSTEM
from labelsvc.services import putaway

pytestmark = pytest.mark.browser
LAYOUT = """code,kind,parent,gln,extension
WH1,site,,9506000000008,
WH1-A,zone,WH1,,
WH1-A-01,bin,WH1-A,9506000000008,A01
WH1-A-02,bin,WH1-A,9506000000008,A02
"""


def test_putaway_both_ways_round_by_scan(browser: Browser, stack: Stack) -> None:
    layout = stack.server.project / "layout.csv"
    layout.write_text(LAYOUT, encoding="utf-8")
    stack.cli("locations", "load", str(layout))
    stack.load_receipt({"reference": "ASN-LOC", "lines": [{"gtin": GTIN, "quantity": 4}]})
    got = json.loads(stack.cli("receipts", "receive", "ASN-LOC", "--line", "1", "--count", "4",
                               "--json"))["items"]  # fmt: skip
    units = [f"(01){u['gtin']}(21){u['value']}" for u in got]
    case = json.loads(stack.cli("pack", "open-case", "--gtin", GTIN, "--json"))["sscc"]
    stack.cli("pack", "add", case, units[0], units[1])

    _, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/locations/")
    ready(page)
    scan(page, f"]C100{case}")  # the case first: held
    wait_idle(page)
    expect(page.locator("#putaway-panel")).to_have_attribute("data-held", "1")
    scan(page, "]C1414950600000000825" + "4A01")  # then the bin label: the case goes there
    wait_idle(page)
    expect(page.locator("#putaway-panel")).to_have_attribute("data-held", "0")
    scan(page, "WH1-A-02")  # a bin first, then several items
    wait_idle(page)
    expect(page.locator("#putaway-target")).to_have_text("WH1-A-02")
    scan(page, units[2])
    scan(page, units[3])
    scan(page, units[0])  # inside the case: refused with the reason
    scan(page, "DONE")
    wait_idle(page)
    seen = outcomes(page)
    assert [o for o, _ in seen] == ["ok"] * 5 + ["reject", "ok"], seen
    assert "now scan its location" in seen[0][1]
    assert "→ WH1-A-01 (3 item(s))" in seen[1][1]
    assert "→ WH1-A-02 (1 item(s))" in seen[3][1]
    assert "or unpack it first" in seen[5][1]
    expect(page.locator("#putaway-panel")).to_have_attribute("data-location", "")

    in_a01 = putaway.contents(stack.app, "WH1-A-01", actor=SYSTEM)
    assert sorted(v.name for v in in_a01) == sorted([f"SSCC {case}", units[0], units[1]])
    assert len(putaway.contents(stack.app, "WH1-A-02", actor=SYSTEM)) == 2

    # a touchpoint station: the bin first says where, then each scan is an event there
    page.goto("/locations/touchpoint/inspect")
    ready(page)
    scan(page, "WH1-A-02")
    scan(page, units[2])
    wait_idle(page)
    assert "inspect at WH1-A-02 (1 item(s))" in outcomes(page)[-1][1]
    page.goto("/locations/")  # the putaway station again: the bin it chose is still shown
    ready(page)
    scan(page, "DONE")
    wait_idle(page)

    page.goto(f"/trace/?q={units[0]}")
    expect(page.locator("#trace-location")).to_have_attribute("data-location", "WH1-A-01")
    expect(page.locator("#location-history")).to_contain_text("putaway")

    # the dashboard's section: 4 units x (receive, putaway, inspect) required; by hand:
    # receive and putaway scanned for all 4, inspect for one -> 9 of 12
    stack.cli("touchpoints", "require", GTIN, "receive", "putaway", "inspect")
    page.goto("/admin/")
    expect(page.locator("#touchpoint-compliance")).to_have_text("75.0 %", timeout=20_000)
    expect(page.locator("#touchpoint-metrics")).to_contain_text("9 of 12 required touchpoints")
    expect(page.locator("#touchpoint-gaps tbody tr")).to_have_count(3)
    expect(page.locator("#touchpoint-metrics svg.chart")).to_have_count(3)
    expect(page.locator("#inventory-accuracy-chart svg.chart > title")).to_contain_text(
        "Inventory accuracy"
    )

    page.goto("/locations/admin")
    form = page.locator("form[action='/locations/admin/required']")
    form.locator("input[name=gtin]").fill(GTIN)
    form.locator("input[name=touchpoints]").fill("receive putaway")
    form.locator("button").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"{GTIN} requires receive, putaway")
    expect(page.locator("#required-touchpoints")).to_contain_text("receive → putaway")

    page.goto("/locations/admin?contents=WH1-A-01")
    expect(page.locator("#contents")).to_contain_text(f"SSCC {case}")
    expect(page.locator("#locations")).to_contain_text("urn:epc:id:sgln:9506000.00000.A01")

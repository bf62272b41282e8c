"""The dock in a real browser: receive an ASN by scanning, label untagged units, pack two
cases and a pallet, trace the pallet and recall it; the printer is a Zebra emulator."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from uikit import (
    GS,
    GTIN,
    Stack,
    gs1_scan,
    login,
    outcomes,
    ready,
    scan,
    shot,
    wait_idle,
)

pytestmark = pytest.mark.browser
ASN = {
    "reference": "ASN-1001",
    "supplier": "Acme Foods",
    "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 24, "lot": "LOT7", "expiry": "271231"},
        {"line": 2, "gtin": GTIN, "quantity": 3, "lot": "LOT7",
         "serials": ["SUP0001", "SUP0002", "SUP0003"]},
    ],
}  # fmt: skip


def setup_station(page: Page, name: str, role: str) -> None:
    """Create a station profile (admin) and make it this workstation's."""
    page.goto("/station")
    form = page.locator("form[action='/station/save']")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=role]").select_option(role)
    form.locator("select[name=printer]").select_option("dock")
    form.locator("button").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"Station {name} saved")
    page.select_option("#station-choice", name)
    page.click("text=Use this station")


def test_receive_pack_trace_recall(browser: Browser, stack: Stack) -> None:
    stack.load_receipt(ASN)
    context, page = login(browser, stack.url, "admin", "admin-password")
    setup_station(page, "dock-1", "receiving")
    expect(page).to_have_url(f"{stack.url}/receiving/")
    assert [c["value"] for c in context.cookies() if c["name"] == "labelsvc_station"] == ["dock-1"]

    # -- receiving: pick the ASN by typing its number, then scan the tagged units --------
    page.fill("#reference", "ASN-1001")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("ASN-1001")
    ready(page)
    scan(page, f"]d201{GTIN}21SUP0001{GS}10LOT7")  # GS as ASCII 29, AIM prefix ]d2
    scan(page, f"]d201{GTIN}21SUP0002~10LOT7")  # GS as the configured substitute
    scan(page, f"(01){GTIN}(21)SUP0003(10)LOT7")  # typed by hand from the label text
    scan(page, f"]d201{GTIN}21SUP0001{GS}10LOT7")  # the same unit again
    scan(page, "]d2010401234567890121X1")  # a product nobody here knows
    wait_idle(page)
    seen = outcomes(page)
    assert [o for o, _ in seen] == ["ok", "ok", "ok", "reject", "reject"], seen
    assert "received on this receipt already" in seen[3][1]
    assert "not a product known here" in seen[4][1]
    expect(page.locator("#line-2 .count")).to_have_text("3")
    expect(page.locator("#announce")).to_contain_text("Refused")
    expect(page.locator("#discrepancies")).to_contain_text("scanned twice")

    # -- label the 24 untagged units of line 1: the progress bar follows the print jobs ---
    page.locator("#line-1 button[type=submit]").click()
    expect(page.locator("#label-progress .progress")).to_have_attribute(
        "data-finished", "yes", timeout=20_000
    )
    expect(page.locator("#label-progress .labels-sent")).to_have_text("24")
    expect(page.locator("#line-1 .count")).to_have_text("24")
    assert stack.emulator.wait_for_labels(24)
    unit_labels = list(stack.emulator.labels[:24])
    shot(page, "receiving")
    page.click("text=Close receipt")  # discrepancies: refused without a reason
    expect(page.locator("#close-result .flash.error")).to_be_visible()
    expect(page.locator("#receipt-state")).to_have_text("open")
    page.fill("input[name=reason]", "duplicate scan and a stray unit set aside")
    page.click("text=Close receipt")
    expect(page.locator("#receipt-state")).to_have_text("closed")

    # -- packing: scan the printed labels into two cases, the cases onto a pallet ---------
    setup_station(page, "pack-1", "packing")
    expect(page).to_have_url(f"{stack.url}/packing/")
    ready(page)
    sscc_scans = []
    for case in range(2):
        scan(page, "OPEN CASE")  # a command code, scanner-only operation
        wait_idle(page)
        for label in unit_labels[case * 12 : case * 12 + 12]:
            scan(page, gs1_scan(label))
        wait_idle(page)
        expect(page.locator("#current-count")).to_have_text("12")
        page.click("#close")
        expect(page.locator("#scan-results .outcome").first).to_contain_text("closed with 12")
        assert stack.emulator.wait_for_labels(25 + case)
        sscc_scans.append(gs1_scan(stack.emulator.labels[24 + case], key="00"))
    page.click("#open-pallet")
    expect(page.locator("#current")).to_have_attribute("data-state", "open")
    for text in sscc_scans:
        scan(page, text)
    wait_idle(page)
    expect(page.locator("#current-count")).to_have_text("2")
    shot(page, "packing", full_page=False)
    page.click("#close")
    expect(page.locator("#scan-results .outcome").first).to_contain_text("closed with 2")
    assert stack.emulator.wait_for_labels(27)
    pallet_scan = gs1_scan(stack.emulator.labels[26], key="00")
    assert all(o == "ok" for o, _ in outcomes(page)), outcomes(page)

    # -- trace the pallet, then recall it ---------------------------------------------------
    page.goto("/trace/")
    page.fill("#q", pallet_scan)
    page.keyboard.press("Enter")
    expect(page.locator("#tree li[data-level=case]")).to_have_count(2)
    expect(page.locator("#tree li[data-level=unit]")).to_have_count(24)
    expect(page.locator("#units-below")).to_have_text("24")
    expect(page.locator("#timeline")).to_contain_text("container-closed")
    shot(page, "trace")
    page.fill("#form-quarantine input[name=reason]", "supplier recall R-77")
    page.once("dialog", lambda dialog: dialog.accept())  # a recall asks first
    page.click("#recall")
    expect(page.locator("#action-result")).to_contain_text("Recalled: 27 of 27")
    page.click("text=Show the trace again")
    expect(page.locator("#trace-item")).to_have_attribute("data-hold", "recall")
    expect(page.locator("#tree .badge.bad")).to_have_count(27)

    # -- what the printer received: 24 unit labels, 2 case and 1 pallet label -------------
    assert len(stack.emulator.labels) == 27
    units = [gs1_scan(label) for label in unit_labels]
    assert len(set(units)) == 24 and all(u.startswith(f"]d201{GTIN}21") for u in units)
    assert all("10LOT7" in u for u in units)

    # -- the dashboard counts what happened ----------------------------------------------
    page.goto("/admin/")
    expect(page.locator("#labels-total")).to_have_text("27")
    expect(page.locator("#recall-count")).to_have_text("1")
    expect(page.locator("#receipt-accuracy")).to_contain_text("ASN-1001")
    assert page.locator("svg.chart").count() >= 5
    shot(page, "dashboard")
    context.close()

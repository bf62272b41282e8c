"""What a dock operator can trust: ambiguous scans refused, a held print job shown first,
the working panel in view on a tablet, discrepancies amber, command codes as barcodes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from uikit import (
    GS,
    GTIN,
    Stack,
    axe_violations,
    login,
    outcomes,
    ready,
    wait_idle,
    wait_js,
    wedge,
)

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.receiving import get_receipt, receive_untagged
from labelsvc.services.stations import save_station

pytestmark = pytest.mark.browser


def at_station(context: BrowserContext, stack: Stack, name: str, role: str) -> None:
    """Make ``name`` (created if needed) this browser's station, printing on the emulator."""
    save_station(stack.app, SYSTEM, name, role=role, printer="dock")
    context.add_cookies([{"name": "labelsvc_station", "value": name, "url": stack.url}])


@pytest.fixture
def session(browser: Browser, stack: Stack) -> Iterator[tuple[BrowserContext, Page]]:
    context, page = login(browser, stack.url, "admin", "admin-password")
    yield context, page
    context.close()


def test_scanner_without_gs_is_recorded_and_its_wrong_lot_unit_refused(
    session: tuple[BrowserContext, Page], stack: Stack
) -> None:
    context, page = session
    at_station(context, stack, "dock-nogs", "receiving")
    page.goto("/station/scanner")
    png = page.request.get("/station/scanner/check.png").body()
    [symbol] = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(png)).convert("L"), text_mode=zxingcpp.TextMode.Plain
    )
    assert symbol.symbology_identifier == "]d2" and GS in symbol.text
    page.locator("#check-code").focus()
    wedge(page, "]d2" + symbol.text.replace(GS, ""))  # the check symbol, read without GS
    expect(page.locator("#scanner-profile [data-field=gs]")).to_have_text("no")
    expect(page.locator("#scanner-result .flash")).to_contain_text("sends no GS separator")
    expect(page.locator("#scanner-profile [data-field=layout]")).to_have_text("matches")
    stack.load_receipt({"reference": "ASN-NOGS", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 10, "lot": "L2406"}]})  # fmt: skip
    page.goto("/receiving/ASN-NOGS")
    ready(page)
    wedge(page, f"]d201{GTIN}21WL000210L9999")  # 21 WL0002 + 10 L9999 with no GS between
    wait_idle(page)
    kind, text = outcomes(page)[-1]
    assert kind == "reject" and "Ambiguous" in text and "key in" in text, text
    expect(page.locator("#line-1 .count")).to_have_text("0")
    assert get_receipt(stack.app, "ASN-NOGS", actor=SYSTEM).lines[0].received == 0


def test_a_serial_that_swallowed_the_lines_lot_is_refused_on_any_scanner(
    session: tuple[BrowserContext, Page], stack: Stack
) -> None:
    _, page = session
    stack.load_receipt({"reference": "ASN-SWALLOW", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 10, "lot": "L2406"}]})  # fmt: skip
    page.goto("/receiving/ASN-SWALLOW")
    ready(page)
    wedge(page, f"]d201{GTIN}21WL000510L9999")
    wedge(page, f"]d201{GTIN}21WL0006{GS}10L2406")  # with GS: the right lot, fine
    wait_idle(page)
    seen = outcomes(page)
    assert [k for k, _ in seen] == ["reject", "ok"], seen
    assert "(21) WL0005 followed by (10)L9999" in seen[0][1]
    expect(page.locator("#line-1 .count")).to_have_text("1")


def test_a_serial_not_on_the_asn_is_amber_not_green(
    session: tuple[BrowserContext, Page], stack: Stack
) -> None:
    _, page = session
    stack.load_receipt({"reference": "ASN-AMBER", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 2, "serials": ["AM01", "AM02"]}]})  # fmt: skip
    page.goto("/receiving/ASN-AMBER")
    ready(page)
    wedge(page, f"]d201{GTIN}21AM01")
    wedge(page, f"]d201{GTIN}21AM99")  # not listed
    wait_idle(page)
    assert [k for k, _ in outcomes(page)] == ["ok", "warn"]
    newest = page.locator("#scan-results .outcome").first
    colour = newest.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(255, 241, 214)", colour  # the amber of --warn-bg
    assert page.evaluate("document.body.dataset.lastSound") == "warn"


def pack_full_case(page: Page, stack: Stack, reference: str) -> None:
    """Open a case by scanning OPEN CASE and scan 12 fresh units into it."""
    stack.load_receipt({"reference": reference, "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 12}]})  # fmt: skip
    made = receive_untagged(stack.app, reference, 1, 12, actor=SYSTEM, printer="dock")
    wedge(page, "OPEN CASE")
    for item in made.items:
        wedge(page, f"]d201{GTIN}21{item.value}")
    wait_idle(page)
    expect(page.locator("#current-count")).to_have_text("12")


def test_paper_out_is_shown_first_in_red_until_resolved(
    session: tuple[BrowserContext, Page], stack: Stack
) -> None:
    context, page = session
    at_station(context, stack, "pack-paper", "packing")
    page.goto("/packing/")
    ready(page)
    pack_full_case(page, stack, "ASN-PAPER")
    assert stack.emulator.wait_for_labels(len(stack.emulator.labels))
    stack.emulator.set_profile("paper-out")
    try:
        wedge(page, "CLOSE")
        wait_idle(page)
        alert = page.locator("#print-alert .print-alert")
        expect(alert).to_be_visible(timeout=15_000)
        expect(alert).to_contain_text("held")
        expect(alert).to_contain_text("load paper")
        assert page.evaluate("document.body.dataset.lastSound") == "alarm"
        top_alert = alert.bounding_box()
        top_outcome = page.locator("#scan-results .outcome").first.bounding_box()
        assert top_alert and top_outcome and top_alert["y"] < top_outcome["y"]
        assert top_alert["y"] + top_alert["height"] < 900  # above the fold
        border = alert.evaluate("e => getComputedStyle(e).borderTopColor")
        assert border == "rgb(164, 22, 26)", border  # --bad
        assert axe_violations(page) == []
    finally:
        stack.emulator.set_profile("ok")
    expect(page.locator("#print-alert .print-alert")).to_have_count(0, timeout=20_000)


def test_tablet_keeps_the_case_panel_in_view_after_20_scans(browser: Browser, stack: Stack) -> None:
    context, page = login(browser, stack.url, "admin", "admin-password")
    try:
        page.set_viewport_size({"width": 800, "height": 1280})
        page.goto("/packing/")
        ready(page)
        stack.load_receipt({"reference": "ASN-TABLET", "lines": [
            {"line": 1, "gtin": GTIN, "quantity": 20}]})  # fmt: skip
        made = receive_untagged(stack.app, "ASN-TABLET", 1, 20, actor=SYSTEM, printer="dock")
        wedge(page, "OPEN PALLET")  # a pallet takes the units one after another, refused
        wedge(page, "OPEN CASE")
        for item in made.items[:10]:
            wedge(page, f"]d201{GTIN}21{item.value}")
        for item in made.items[:8]:  # scanned twice: refusals add to the history too
            wedge(page, f"]d201{GTIN}21{item.value}")
        wait_idle(page)
        assert len(outcomes(page)) == 20
        for part in ("#current-count", "#close", "#scan"):
            expect(page.locator(part)).to_be_in_viewport()
        expect(page.locator("#current-count")).to_have_text("10")
        assert axe_violations(page) == []
        page.set_viewport_size({"width": 1366, "height": 768})
        for part in ("#current-count", "#close", "#scan"):
            expect(page.locator(part)).to_be_in_viewport()
    finally:
        context.close()


def test_command_codes_are_barcodes_and_a_closed_case_shows_its_label(
    session: tuple[BrowserContext, Page], stack: Stack
) -> None:
    _, page = session
    page.goto("/packing/")
    ready(page)
    for name in ("open-case", "open-pallet", "close", "undo"):
        png = page.request.get(f"/packing/command/{name}.png").body()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
        assert [r.text for r in found] == [name.replace("-", " ").upper()]
    expect(page.locator("#pack-panel .command-codes img")).to_have_count(4)
    pack_full_case(page, stack, "ASN-THUMB")
    wedge(page, "CLOSE")
    wait_idle(page)
    thumb = page.locator("#scan-results .outcome").first.locator("img.label-thumb")
    expect(thumb).to_be_visible()
    src = thumb.get_attribute("src")
    assert src and page.request.get(src).headers["content-type"] == "image/png"
    wait_js(
        page,
        "(() => { const i = document.querySelector('#scan-results .outcome img.label-thumb');"
        " return !!(i && i.complete && i.naturalWidth > 100); })()",
    )
    page.goto("/packing/commands")
    expect(page.locator(".command-codes figure")).to_have_count(4)


def test_tablet_keeps_the_receipt_lines_and_close_in_view_after_20_scans(
    browser: Browser, stack: Stack
) -> None:
    context, page = login(browser, stack.url, "admin", "admin-password")
    try:
        stack.load_receipt({"reference": "ASN-TABLET-R", "lines": [
            {"line": 1, "gtin": GTIN, "quantity": 30, "serials": [f"TR{n:02d}" for n in range(30)]},
        ]})  # fmt: skip
        for width, height in ((800, 1280), (1366, 768)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto("/receiving/ASN-TABLET-R")
            ready(page)
            for n in range(10):  # expected, then unexpected ones: discrepancies pile up
                wedge(page, f"]d201{GTIN}21TR{n + (0 if width == 800 else 10):02d}")
                wedge(page, f"]d201{GTIN}21XX{n}{width}")
            wait_idle(page)
            for part in ("#line-1 .count", "#close-receipt", "#scan"):
                expect(page.locator(part)).to_be_in_viewport()
    finally:
        context.close()


def test_the_stations_scanner_prefix_marks_a_slow_scan_as_a_scan(
    session: tuple[BrowserContext, Page], stack: Stack
) -> None:
    context, page = session
    at_station(context, stack, "pack-prefix", "packing")
    page.goto("/station/scanner")
    page.locator("#check-code").focus()
    wedge(page, f"§]d201{GTIN}21Zy-9/.Q{GS}10LAYOUT1")  # this scanner sends "§" first
    expect(page.locator("#scanner-profile [data-field=prefix]")).to_have_text("§")
    stack.load_receipt({"reference": "ASN-PREFIX", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 2}]})  # fmt: skip
    made = receive_untagged(stack.app, "ASN-PREFIX", 1, 2, actor=SYSTEM, printer="dock")
    page.goto("/packing/")
    ready(page)
    page.click("#open-case")
    expect(page.locator("#current")).to_have_attribute("data-state", "open")
    wedge(page, f"§01{GTIN}21{made.items[0].value}")  # in the scan box: the prefix is dropped
    wait_idle(page)
    page.locator("#close-reason").click()
    # A slow (Bluetooth) scanner: 60 ms a key is a person's speed, the prefix says "scan".
    wedge(page, f"§01{GTIN}21{made.items[1].value}", delay=60)
    wait_idle(page)
    seen = outcomes(page)
    assert [k for k, _ in seen[-2:]] == ["ok", "ok"], seen
    assert "2 of 12" in seen[-1][1]
    expect(page.locator("#current")).to_have_attribute("data-state", "open")

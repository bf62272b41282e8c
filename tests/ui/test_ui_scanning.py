"""The scan box as a wedge scanner uses it: bursts, slow or lost connections, lost focus."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from uikit import GS, GTIN, Stack, login, outcomes, ready, scan, wait_idle

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.trace import events_between

pytestmark = pytest.mark.browser
SERIALS = [f"B{n:04d}" for n in range(1, 41)]


@pytest.fixture(scope="module")
def receiving(browser: Browser, stack: Stack) -> Iterator[tuple[BrowserContext, Page]]:
    """An admin at the receiving page of an ASN that lists 40 serials."""
    stack.load_receipt({
        "reference": "ASN-BURST",
        "lines": [{"line": 1, "gtin": GTIN, "quantity": 40, "serials": SERIALS}],
    })  # fmt: skip
    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/receiving/ASN-BURST")
    ready(page)
    yield context, page
    context.close()


def link(latency: int) -> dict[str, object]:
    """Chromium's network conditions: a link with ``latency`` ms per request."""
    return {"offline": False, "latency": latency, "downloadThroughput": -1, "uploadThroughput": -1}


def received_order(stack: Stack) -> list[str]:
    """Serials the server recorded as received, in the order it recorded them."""
    rows = events_between(stack.app, actor=SYSTEM, types=["received"])
    return [str(e.item).split("(21)")[1] for e in rows]


def test_burst_of_20_scans_over_a_slow_link(
    receiving: tuple[BrowserContext, Page], stack: Stack
) -> None:
    context, page = receiving
    cdp = context.new_cdp_session(page)  # every request takes 300 ms: scans pile up behind it
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", link(latency=300))
    burst = "".join(f"]d201{GTIN}21{s}\n" for s in SERIALS[:20])
    page.keyboard.type(burst)  # no pause between scans
    wait_idle(page)
    cdp.send("Network.emulateNetworkConditions", link(latency=0))
    seen = outcomes(page)
    assert len(seen) == 20 and all(o == "ok" for o, _ in seen), seen
    assert [text.split("(21)")[1].split()[0] for _, text in seen] == SERIALS[:20]
    assert received_order(stack) == SERIALS[:20]  # each once, in the order scanned
    expect(page.locator("#line-1 .count")).to_have_text("20")


def test_scans_made_offline_are_kept_and_sent_once(
    receiving: tuple[BrowserContext, Page], stack: Stack
) -> None:
    context, page = receiving
    context.set_offline(True)
    for serial in SERIALS[20:23]:
        scan(page, f"]d201{GTIN}21{serial}")
    expect(page.locator("#scan-pending")).to_contain_text("connection lost")
    context.set_offline(False)
    wait_idle(page)
    assert received_order(stack)[20:] == SERIALS[20:23]
    expect(page.locator("#line-1 .count")).to_have_text("23")


def test_gs_as_ctrl_bracket_and_focus_taken_back(
    receiving: tuple[BrowserContext, Page], stack: Stack
) -> None:
    _, page = receiving
    page.locator("h1").click()  # focus leaves the scan box
    page.locator("#line-1").focus()
    page.keyboard.type(f"]d201{GTIN}21{SERIALS[23]}")
    page.keyboard.press("Control+BracketRight")  # how many scanners send GS
    page.keyboard.type("10LOTX\n")
    wait_idle(page)
    page.locator("a", has_text="Trace").focus()  # a link has the focus: the scan still lands
    scan(page, f"]d201{GTIN}21{SERIALS[24]}")
    wait_idle(page)
    last = outcomes(page)[-2:]
    assert [o for o, _ in last] == ["ok", "ok"], last
    assert received_order(stack)[-2:] == SERIALS[23:25]
    expect(page.locator("#scan")).to_be_focused()
    body = page.evaluate("document.body.getAttribute('data-last-outcome')")
    assert body == "ok"
    assert GS not in page.locator("#scan").input_value()

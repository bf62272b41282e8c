"""A scan typed while the focus is in another field goes to the station's scan handler.

Before, a scan in "reason for closing early" closed the case with 1 of 12 and printed its
label, a scan in the receipt's close reason closed it short, a scan in a trace hold reason
quarantined the item on screen, and a scan in the count field was swallowed. Every field of
every station page is tried here, with the scanner typing as fast as a wedge scanner does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from uikit import GS, GTIN, Stack, login, outcomes, ready, wait_idle, wedge

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.packing import get_container
from labelsvc.services.receiving import get_receipt, receive_untagged
from labelsvc.services.trace import trace

pytestmark = pytest.mark.browser
SERIALS = (f"F{n:04d}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def units(stack: Stack) -> Iterator[str]:
    """Units of the demo product, commissioned (labelled) and free to pack, one per call."""
    stack.load_receipt({"reference": "ASN-UNITS", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 60, "lot": "L1"}]})  # fmt: skip
    done = receive_untagged(stack.app, "ASN-UNITS", 1, 60, actor=SYSTEM)
    return iter([f"]d201{GTIN}21{i.value}{GS}10L1" for i in done.items])


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A supervisor's page in a fresh browser context."""
    context, found = login(browser, stack.url, "admin", "admin-password")
    yield found
    context.close()


def focus_field(page: Page, selector: str) -> None:
    """Put the focus in a field the way a person does: open its section, click into it."""
    field = page.locator(selector)
    details = field.locator("xpath=ancestor::details")
    if details.count():
        details.locator("summary").click()
    field.click()
    expect(field).to_be_focused()


RECEIVING_FIELDS = ["#line-1 input[name=count]", "input[name=reason]"]


@pytest.mark.parametrize("field", RECEIVING_FIELDS)
def test_receiving_scan_in_another_field_is_a_scan(page: Page, stack: Stack, field: str) -> None:
    reference = f"ASN-FOCUS-{RECEIVING_FIELDS.index(field)}"
    stack.load_receipt({"reference": reference, "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 200, "lot": "L1"}]})  # fmt: skip
    page.goto(f"/receiving/{reference}")
    ready(page)
    wedge(page, f"]d201{GTIN}21{next(SERIALS)}{GS}10L1")  # one scan first, in the scan box
    wait_idle(page)
    focus_field(page, field)
    serial = next(SERIALS)
    wedge(page, f"]d201{GTIN}21{serial}{GS}10L1")
    wait_idle(page)
    seen = outcomes(page)
    assert [o for o, _ in seen] == ["ok", "ok"], seen
    assert serial in seen[-1][1]
    expect(page.locator("#line-1 .count")).to_have_text("2")
    # nothing typed into the field: the count field shows what is left, the reason is empty
    expect(page.locator(field)).to_have_value("198" if "count" in field else "")
    assert get_receipt(stack.app, reference, actor=SYSTEM).state == "open"
    expect(page.locator("#receipt-state")).to_have_text("open")


PACKING_FIELDS = [
    "#close-reason",  # reason for closing early
    "#pack-panel form[hx-post$='/unpack'] input[name=container]",
    "#pack-panel form[hx-post$='/unpack'] input[name=reason]",
    "#pack-panel form.reprint input[name=code]",
    "#pack-panel form.reprint input[name=reason]",
]


@pytest.mark.parametrize("field", PACKING_FIELDS)
def test_packing_scan_in_another_field_packs_the_unit(
    page: Page, stack: Stack, units: Iterator[str], field: str
) -> None:
    page.goto("/packing/")
    ready(page)
    page.click("#open-case")
    expect(page.locator("#current")).to_have_attribute("data-state", "open")
    sscc = page.locator("#current").get_attribute("data-sscc")
    assert sscc
    wedge(page, next(units))
    wait_idle(page)
    expect(page.locator("#current-count")).to_have_text("1")
    focus_field(page, field)
    wedge(page, next(units))
    wait_idle(page)
    seen = outcomes(page)
    assert seen[-1][0] == "ok" and "2 of 12" in seen[-1][1], seen
    expect(page.locator("#current-count")).to_have_text("2")
    case = get_container(stack.app, sscc, actor=SYSTEM)
    assert (case.state, case.count, case.job_ids) == ("open", 2, ())  # not closed, no label


TRACE_FIELDS = [
    "#form-quarantine input[name=reason]",
    "#form-release input[name=reason]",
    "#form-reprint input[name=reason]",
    "#form-void input[name=reason]",
]


@pytest.mark.parametrize("field", TRACE_FIELDS)
def test_trace_scan_in_a_reason_field_traces_it(
    page: Page, stack: Stack, units: Iterator[str], field: str
) -> None:
    first, second = next(units), next(units)
    page.goto("/trace/")
    ready(page, "#q")
    wedge(page, first)
    expect(page.locator("#trace-item")).to_be_visible()
    expect(page.locator("#q")).to_have_value("")  # the box is clear for the next scan
    focus_field(page, field)
    wedge(page, second)
    serial = second.split("21", 2)[-1].split(GS)[0]
    expect(page.locator("#trace-item h2")).to_contain_text(serial)
    expect(page.locator("#q")).to_have_value("")
    for code in (first, second):
        item = trace(stack.app, code, actor=SYSTEM).item
        assert (item.state, item.hold) == ("commissioned", None)  # nothing held or voided


def test_people_typing_in_a_field_are_left_alone(
    page: Page, stack: Stack, units: Iterator[str]
) -> None:
    page.goto("/packing/")
    ready(page)
    page.click("#open-case")
    wedge(page, next(units))
    wait_idle(page)
    page.locator("#close-reason").click()
    page.keyboard.type("short shipment", delay=90)  # a person, not a scanner
    expect(page.locator("#close-reason")).to_have_value("short shipment")
    page.keyboard.press("Enter")  # a person's Enter submits the form they typed in
    expect(page.locator("#scan-results .outcome").first).to_contain_text("closed with 1")


def test_a_scanner_that_sends_no_enter_still_scans_from_another_field(
    page: Page, stack: Stack, units: Iterator[str]
) -> None:
    page.goto("/packing/")
    ready(page)
    page.click("#open-case")
    wedge(page, next(units))
    wait_idle(page)
    page.locator("#close-reason").click()
    page.keyboard.type(next(units), delay=2)  # no suffix: the code ends with a pause
    expect(page.locator("#current-count")).to_have_text("2", timeout=5_000)
    assert outcomes(page)[-1][0] == "ok"
    expect(page.locator("#close-reason")).to_have_value("")

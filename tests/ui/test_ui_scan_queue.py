"""The scan queue is durable and exactly-once: reloads, navigation, a server that is down,
an ended session and a lost answer neither lose a scan nor apply it twice."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Error, Page, Route, expect
from uikit import GTIN, Stack, login, outcomes, ready, wait_idle, wedge

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.receiving import receive_untagged
from labelsvc.services.trace import events_between

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """An admin's page in a fresh browser context (its own cookies and IndexedDB)."""
    context, found = login(browser, stack.url, "admin", "admin-password")
    yield found
    context.close()


def receipt(stack: Stack, reference: str) -> None:
    """An ASN with one line of 20 units of the demo product."""
    stack.load_receipt({"reference": reference, "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 20}]})  # fmt: skip


def received(stack: Stack, prefix: str) -> list[str]:
    """Serials starting with ``prefix`` that the server recorded as received, in order."""
    rows = events_between(stack.app, actor=SYSTEM, types=["received"])
    serials = [str(e.item).split("(21)")[1] for e in rows]
    return [s for s in serials if s.startswith(prefix)]


def unit(serial: str) -> str:
    return f"]d201{GTIN}21{serial}"


def _goto_after_error_page(page: Page, path: str) -> None:
    """Navigate away from the browser's own error page, which may still be reloading: a
    navigation it interrupts is made again (the browser's doing, not the service's)."""
    for _ in range(3):
        try:
            page.goto(path)
            return
        except Error as exc:
            if "interrupted by another navigation" not in str(exc):
                raise
    page.goto(path)


def test_scans_survive_navigation_and_reload_while_the_server_is_down(
    page: Page, stack: Stack
) -> None:
    receipt(stack, "ASN-DOWN")
    page.goto("/receiving/ASN-DOWN")
    ready(page)
    wedge(page, unit("DN01"))
    wait_idle(page)
    stack.server.stop()
    try:
        for serial in ("DN02", "DN03", "DN04"):
            wedge(page, unit(serial))
        expect(page.locator("#scan-pending")).to_contain_text("3 scan(s) kept")
        asked: list[str] = []
        page.once("dialog", lambda d: (asked.append(d.type), d.accept()))
        try:  # a click to another page: asked first, then the page is gone (server down)
            page.locator("header nav a", has_text="Packing").click()
            page.wait_for_load_state()
        except Error:
            pass
        assert asked == ["beforeunload"]
        with contextlib.suppress(Error):
            page.reload()  # the browser's error page: the server is still down
    finally:
        stack.restart_server()
    _goto_after_error_page(page, "/packing/")  # another station page sends what was kept
    ready(page)
    wait_idle(page)
    assert received(stack, "DN") == ["DN01", "DN02", "DN03", "DN04"]
    page.goto("/receiving/ASN-DOWN")
    ready(page)
    wait_idle(page)
    expect(page.locator("#line-1 .count")).to_have_text("4")
    assert received(stack, "DN") == ["DN01", "DN02", "DN03", "DN04"]  # once each


def test_session_ended_mid_burst_keeps_the_scans_until_login(page: Page, stack: Stack) -> None:
    receipt(stack, "ASN-SESSION")
    page.goto("/receiving/ASN-SESSION")
    ready(page)
    for serial in ("SE01", "SE02"):
        wedge(page, unit(serial))
    wait_idle(page)
    page.context.clear_cookies(name="session")  # the session ends (expired, logged out)
    for serial in ("SE03", "SE04", "SE05"):
        wedge(page, unit(serial))
    panel = page.locator("#session-panel")
    expect(panel).to_contain_text("Log in again")
    expect(panel.locator(".kept")).to_have_text("3")
    assert page.evaluate("document.body.dataset.lastSound") == "alarm"
    assert all("CSRF" not in text for _, text in outcomes(page))
    page.click("#login-again")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", "admin-password")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{stack.url}/receiving/ASN-SESSION")  # not a 405
    ready(page)
    wait_idle(page)
    assert received(stack, "SE") == ["SE01", "SE02", "SE03", "SE04", "SE05"]
    expect(page.locator("#line-1 .count")).to_have_text("5")


def test_a_scan_sent_again_after_its_answer_was_lost_counts_once(page: Page, stack: Stack) -> None:
    receipt(stack, "ASN-LOST")
    page.goto("/receiving/ASN-LOST")
    ready(page)
    dropped: list[int] = []

    def drop_first_answer(route: Route) -> None:
        answer = route.fetch()  # the server gets the scan and records it
        if not dropped:
            dropped.append(answer.status)
            route.abort("connectionreset")  # ...but its answer never reaches the page
        else:
            route.fulfill(response=answer)

    page.route("**/receiving/ASN-LOST/scan", drop_first_answer)
    wedge(page, unit("LS01"))
    wait_idle(page)
    assert dropped == [200]
    seen = outcomes(page)
    assert len(seen) == 1 and seen[0][0] == "ok", seen
    assert "answered once" in seen[0][1]
    assert received(stack, "LS") == ["LS01"]
    expect(page.locator("#line-1 .count")).to_have_text("1")


def test_a_close_sent_again_prints_one_label(page: Page, stack: Stack) -> None:
    page.goto("/packing/")
    ready(page)
    labels = len(stack.emulator.labels)
    dropped: list[int] = []

    def drop_close_answer(route: Route) -> None:
        answer = route.fetch()
        if not dropped and "CLOSE" in (route.request.post_data or ""):
            dropped.append(answer.status)
            route.abort("connectionreset")
        else:
            route.fulfill(response=answer)

    stack.load_receipt({"reference": "ASN-CASE", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 12}]})  # fmt: skip
    made = receive_untagged(stack.app, "ASN-CASE", 1, 12, actor=SYSTEM)
    assert stack.emulator.wait_for_labels(labels + 12)
    labels += 12
    wedge(page, "OPEN CASE")
    for item in made.items:
        wedge(page, unit(item.value))
    wait_idle(page)
    expect(page.locator("#current-count")).to_have_text("12")
    page.route("**/packing/scan", drop_close_answer)
    wedge(page, "CLOSE")
    wait_idle(page)
    assert dropped, "the first answer to CLOSE was dropped"
    first = outcomes(page)[-1]
    assert "answered once" in first[1], first
    assert stack.emulator.wait_for_labels(labels + 1)
    page.wait_for_timeout(1500)  # a second label would be on its way by now
    assert len(stack.emulator.labels) == labels + 1


def test_a_button_pressed_after_the_session_ended_leads_back_to_its_page(
    browser: Browser, stack: Stack
) -> None:
    context = browser.new_context(base_url=stack.url)  # no session at all
    answer = context.request.post(
        f"{stack.url}/packing/close", form={"reason": "x"}, max_redirects=0,
        headers={"HX-Request": "true", "HX-Current-URL": f"{stack.url}/packing/"},
    )  # fmt: skip
    assert answer.status == 401  # not "missing CSRF token": the session ended
    assert answer.headers["hx-redirect"] == "/login?next=/packing/"  # the page, not the POST
    context.close()


def test_packing_scans_kept_through_a_session_end_go_into_the_case_shown(
    page: Page, stack: Stack
) -> None:
    stack.load_receipt({"reference": "ASN-PACK-S", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 3}]})  # fmt: skip
    made = receive_untagged(stack.app, "ASN-PACK-S", 1, 3, actor=SYSTEM, printer="dock")
    page.goto("/packing/")
    ready(page)
    wedge(page, "OPEN CASE")
    wedge(page, unit(made.items[0].value))
    wait_idle(page)
    sscc = page.locator("#current").get_attribute("data-sscc")
    page.context.clear_cookies(name="session")
    for item in made.items[1:]:
        wedge(page, unit(item.value))
    expect(page.locator("#session-panel .kept")).to_have_text("2")
    page.click("#login-again")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", "admin-password")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{stack.url}/packing/")
    ready(page)
    wait_idle(page)
    assert [k for k, _ in outcomes(page)] == ["ok", "ok"], outcomes(page)
    expect(page.locator("#current")).to_have_attribute("data-sscc", sscc or "")
    expect(page.locator("#current-count")).to_have_text("3")

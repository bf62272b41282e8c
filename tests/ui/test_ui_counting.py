"""A blind cycle count in a real Chromium: the bin is scanned, then what is on the shelf
(one unit missing, one extra, one serial twice), CLOSE COUNT, and a supervisor resolves
each difference on the page; the record follows."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect
from uikit import GTIN, Stack, login, outcomes, ready, scan, wait_idle

from labelsvc.domain.actors import SYSTEM
from labelsvc.services import putaway
from labelsvc.services.metrics_touchpoints import inventory_accuracy

pytestmark = pytest.mark.browser
LAYOUT = "code,kind,parent\nC1,site,\nC1-Z,zone,C1\nC1-Z-01,bin,C1-Z\n"


def test_blind_count_close_and_resolve(browser: Browser, stack: Stack) -> None:
    layout = stack.server.project / "count-layout.csv"
    layout.write_text(LAYOUT, encoding="utf-8")
    stack.cli("locations", "load", str(layout))
    stack.load_receipt({"reference": "ASN-CNT", "lines": [{"gtin": GTIN, "quantity": 4}]})
    got = json.loads(stack.cli("receipts", "receive", "ASN-CNT", "--line", "1", "--count", "4",
                               "--json"))["items"]  # fmt: skip
    units = [f"(01){u['gtin']}(21){u['value']}" for u in got]
    stack.cli("move", "C1-Z-01", *units[:3])  # units[3] is on the shelf but recorded nowhere

    _, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/counts/")
    ready(page)
    scan(page, "C1-Z-01")
    scan(page, units[0])
    scan(page, units[1])
    scan(page, units[1])  # the same serial again: counted once
    scan(page, units[3])  # not expected: blind mode does not say so
    wait_idle(page)
    expect(page.locator("#count-counted")).to_have_text("3")
    expect(page.locator("#count-differences")).to_have_count(0)  # blind: no list
    scan(page, "CLOSE COUNT")
    wait_idle(page)
    seen = outcomes(page)
    assert [o for o, _ in seen] == ["ok", "ok", "ok", "reject", "ok", "ok"], seen
    assert "counted already" in seen[3][1]
    assert "Not expected" not in seen[4][1]
    assert "2 difference(s)" in seen[5][1]
    rows = page.locator("#count-differences tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("tr[data-difference=missing]")).to_contain_text(units[2])
    expect(page.locator("tr[data-difference=extra]")).to_contain_text(units[3])

    page.locator("tr[data-difference=missing] button", has_text="accept-found").click()
    expect(page.locator("tr[data-difference=missing]")).to_contain_text("accept-found")
    page.locator("tr[data-difference=extra] button", has_text="accept-found").click()
    expect(page.locator("tr[data-difference=extra]")).to_contain_text("accept-found")

    assert putaway.where_is(stack.app, units[2], actor=SYSTEM).location is None
    found = putaway.where_is(stack.app, units[3], actor=SYSTEM).location
    assert found is not None and found.code == "C1-Z-01"
    accuracy = inventory_accuracy(stack.app, actor=SYSTEM)  # by hand: 4 lines, 2 agree
    assert (accuracy.lines, accuracy.matched) == (4, 2)

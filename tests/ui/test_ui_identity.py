"""The GS1 identity page in the browser: an admin sets the site's GLN and zone, a station's
GLN extension and a partner; the CLI and the events see the same."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from uikit import Stack, login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin(browser: Browser, stack: Stack) -> Iterator[Page]:
    context, page = login(browser, stack.url, "admin", "admin-password")
    yield page
    context.close()


def test_an_admin_sets_the_gs1_identity_on_its_page(admin: Page, stack: Stack) -> None:
    page = admin
    page.goto("/admin/identity")
    form = page.locator("#site-identity")
    form.locator("[name=gln]").fill("4012345000009")
    form.locator("[name=timezone]").fill("Europe/Berlin")
    form.locator("button").click()
    expect(page.locator("#site-sgln")).to_contain_text("urn:epc:id:sgln:4012345.00000.0")
    expect(page.locator("#site-sgln")).to_contain_text("+01:00")
    partner = page.locator("#partner-form")
    partner.locator("[name=name]").fill("ACME")
    partner.locator("[name=gln]").fill("4099999000005")
    partner.locator("button").click()
    expect(page.locator("tr[data-partner=ACME]")).to_contain_text("4099999000005")
    shown = json.loads(stack.cli("identity", "show"))
    assert (shown["gln"], shown["timezone"]) == ("4012345000009", "Europe/Berlin")
    form = page.locator("#site-identity")
    form.locator("[name=gln]").fill("4012345000001")  # a wrong check digit
    form.locator("button").click()
    expect(page.locator("body")).to_contain_text("check digit")

"""The webhooks page in the browser: an admin subscribes a real partner server, copies the
secret shown once, sees a failing delivery with its error and redelivers it by hand."""

from __future__ import annotations

import pytest
from livekit import wait_until
from partnerkit import Partner
from playwright.sync_api import Page, expect
from uikit import Stack, shot

from labelsvc.domain.topics import Topic

pytestmark = pytest.mark.browser


def test_subscribe_see_the_error_and_redeliver(admin_page: Page, stack: Stack) -> None:
    partner = Partner().start()
    try:
        page = admin_page
        page.goto("/admin/webhooks")
        form = page.locator("form[action='/admin/webhooks/create']")
        form.locator("[name=name]").fill("erp")
        form.locator("[name=url]").fill(partner.url("/erp"))
        form.locator("input[value='pool.exhausted']").check()
        form.locator("button").click()
        secret = page.locator("#webhook-secret code").inner_text().strip()
        assert secret.startswith("whsec_")
        partner.path("/erp", secret=secret, status=500)
        page.goto("/admin/webhooks")
        assert secret not in page.content()  # shown once, never again

        with stack.app.store.write() as tx:
            sent = tx.outbox.add(Topic.POOL_EXHAUSTED, {"pool": "demo"})
        assert wait_until(lambda: partner.paths["/erp"].seen >= 1)
        page.goto("/admin/webhooks/erp")
        row = page.locator("#deliveries tr[data-delivery]").first
        expect(row).to_contain_text("HTTP 500")
        shot(page, "webhook-deliveries")
        partner.path("/erp", status=200)
        row.locator("text=Redeliver").click()
        expect(page.locator(".flash.ok")).to_contain_text("1 queued again")
        assert wait_until(lambda: partner.delivered_ids("/erp") == {sent})
        page.goto("/admin/webhooks")
        expect(page.locator("tr[data-webhook=erp] .count-delivered")).to_have_text("1")

        asked: list[str] = []
        page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
        page.locator("tr[data-webhook=erp] button", has_text="New secret").click()
        rotated = page.locator("#webhook-secret code").inner_text().strip()
        assert asked and "new secret" in asked[0] and rotated.startswith("whsec_")
        assert rotated != secret
    finally:
        partner.go_away()

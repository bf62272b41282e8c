"""The authority's lease page in the browser: state per site and pool, the latest leases,
and a refused report an admin resolves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from uikit import Stack, shot

from labelsvc.domain.actors import Actor
from labelsvc.domain.pools import PoolSpec
from labelsvc.domain.topics import Topic
from labelsvc.services.lease_grant import register_site, request_lease
from labelsvc.services.lease_reconcile import apply_report
from labelsvc.services.pools import save_pool

pytestmark = pytest.mark.browser
ADMIN = Actor(name="ada", kind="user", role="admin", station="test")


def _site(stack: Stack, name: str) -> Actor:
    _, token = register_site(stack.app.store, name, ADMIN)
    return Actor(name=token.name, kind="client", scopes=frozenset({"lease"}))


def test_an_admin_sees_lease_state_and_resolves_a_discrepancy(
    admin_page: Page, stack: Stack
) -> None:
    save_pool(stack.app.store, PoolSpec(name="tags", kind="custom", pattern="T{seq:05}",
                                        range_start=1, range_end=99_999), ADMIN)  # fmt: skip
    north, south = _site(stack, "north"), _site(stack, "south")
    request_lease(stack.app.store, actor=north, pool="tags", count=30, collection_id="n1")
    theirs = request_lease(stack.app.store, actor=south, pool="tags", count=10,
                           collection_id="s1")  # fmt: skip
    serial = {"lease": theirs.lease.id, "namespace": "pool:tags", "value": theirs.serials[0],
              "state": "labeled", "hold": None, "level": None, "lot": None, "expiry": None,
              "print_count": 1, "parent": None}  # fmt: skip
    envelope = {"id": "m-1", "topic": str(Topic.LEASE_USAGE),
                "data": {"site": "north", "seq": 1, "serials": [serial], "events": []}}  # fmt: skip
    assert apply_report(stack.app.store, envelope, actor=north).refused == 1

    page = admin_page
    page.goto("/admin/leases")
    row = page.locator("#lease-summary tr[data-site=north][data-pool=tags]")
    expect(row.locator(".granted")).to_have_text("30")
    expect(row.locator(".outstanding")).to_have_text("30")
    expect(page.locator("#leases tr[data-lease]")).to_have_count(2)
    refused = page.locator("#lease-discrepancies tr[data-kind=leased-elsewhere]")
    expect(refused).to_contain_text(theirs.serials[0])
    expect(refused).to_contain_text("leased to south")
    shot(page, "leases")
    refused.locator("input[name=note]").fill("a station cloned from south")
    refused.locator("button", has_text="Resolve").click()
    expect(page.locator(".flash.ok")).to_contain_text("resolved")
    expect(page.locator("#lease-discrepancies")).to_contain_text("No open discrepancies")

"""EPCIS in the browser: an admin sets the site's GLN and zone and a partner on the GS1
identity page (the CLI sees the same); a receiving station receives a captured supplier
pallet, its case and units by scanning the pallet's SSCC alone."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect
from uikit import Stack, outcomes, ready, scan, wait_idle

from labelsvc.gs1.check import make_sscc
from labelsvc.services.epcis import sgtin_uri, sscc_uri

GTIN = "09506000134352"

pytestmark = pytest.mark.browser


def test_an_admin_sets_the_gs1_identity_on_its_page(admin_page: Page, stack: Stack) -> None:
    page = admin_page
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


def test_a_station_receives_a_captured_pallet_by_its_sscc(admin_page: Page, stack: Stack) -> None:
    pallet, case = make_sscc(1, "4099999", "000000500"), make_sscc(0, "4099999", "000000501")
    units = [sgtin_uri(GTIN, f"UI-{n}", 7) for n in (1, 2)]
    at = {"eventTime": "2026-11-30T08:00:00Z", "eventTimeZoneOffset": "+00:00"}
    events = [
        {
            "type": "AggregationEvent",
            **at,
            "parentID": sscc_uri(case, 7),
            "childEPCs": units,
            "action": "ADD",
            "bizStep": "packing",
        },
        {
            "type": "AggregationEvent",
            **at,
            "parentID": sscc_uri(pallet, 7),
            "childEPCs": [sscc_uri(case, 7)],
            "action": "ADD",
            "bizStep": "packing",
        },
        {
            "type": "ObjectEvent",
            **at,
            "epcList": [sscc_uri(pallet, 7)],
            "action": "OBSERVE",
            "bizStep": "shipping",
            "bizTransactionList": [
                {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:4099999000005:ASN-UI"}
            ],
        },
    ]
    doc = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": at["eventTime"],
        "epcisBody": {"eventList": events},
    }
    path = stack.server.project / "asn-ui.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "receipts: ASN-UI" in stack.cli("epcis", "capture", str(path))
    page = admin_page
    page.goto("/receiving/ASN-UI")
    ready(page)
    scan(page, f"]C100{pallet}")
    wait_idle(page)
    assert outcomes(page)[-1][0] == "ok", outcomes(page)
    assert "3 item(s) the supplier shipped in it received" in outcomes(page)[-1][1]
    scan(page, f"]d201{GTIN}21FOREIGN-9")
    wait_idle(page)
    assert outcomes(page)[-1][0] == "reject"
    assert "not in the shipment the supplier sent" in outcomes(page)[-1][1]
    shown = json.loads(stack.cli("receipts", "show", "ASN-UI", "--json"))
    assert [ln["received"] for ln in shown["receipt"]["lines"]] == [2]

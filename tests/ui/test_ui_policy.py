"""Policy on the pages: irreversible actions ask first, a recall needs a supervisor, the
audit log names serials and SSCCs, and an ASN file can be loaded from the receiving page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, expect
from uikit import GTIN, Stack, login

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.packing import open_case
from labelsvc.services.trace import trace

pytestmark = pytest.mark.browser


def test_operators_may_hold_but_not_recall(browser: Browser, stack: Stack) -> None:
    stack.cli("users", "add", "otto", "--role", "operator", "--password", "otto-password")
    case = open_case(stack.app, actor=SYSTEM, station="test")
    context, page = login(browser, stack.url, "otto", "otto-password")
    page.goto(f"/trace/?q={case.sscc}")
    expect(page.locator("#form-quarantine button", has_text="Quarantine")).to_be_visible()
    expect(page.locator("#recall")).to_have_count(0)
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    forged = page.request.post(
        f"{stack.url}/trace/quarantine", headers={"X-CSRFToken": token, "HX-Request": "true"},
        form={"code": case.sscc, "reason": "forged", "recall": "yes"},
    )  # fmt: skip
    assert forged.status == 403 and "recall" in forged.text()
    assert trace(stack.app, case.sscc, actor=SYSTEM).item.hold is None
    page.fill("#form-quarantine input[name=reason]", "damaged on arrival")
    page.click("#form-quarantine button:has-text('Quarantine')")
    expect(page.locator("#action-result")).to_contain_text("Quarantined")
    assert trace(stack.app, case.sscc, actor=SYSTEM).item.hold == "quarantine"
    context.close()


def test_recall_void_revoke_and_disable_ask_first(browser: Browser, stack: Stack) -> None:
    stack.cli("users", "add", "vera", "--role", "operator", "--password", "vera-password")
    stack.cli("tokens", "create", "wms-policy", "--scope", "read")
    case = open_case(stack.app, actor=SYSTEM, station="test")
    context, page = login(browser, stack.url, "admin", "admin-password")
    asked: list[str] = []

    def say_no(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", say_no)
    page.goto(f"/trace/?q={case.sscc}")
    page.fill("#form-quarantine input[name=reason]", "test")
    page.click("#recall")
    page.fill("#form-void input[name=reason]", "test")
    page.click("#form-void button")
    page.goto("/admin/users")
    page.locator("tr[data-user=vera] button", has_text="Disable").click()
    page.locator("button", has_text="Revoke").first.click()
    assert [m.split("?")[0] for m in asked] == [
        "Recall this item and everything in it", "Void this serial", "Disable vera",
        "Revoke the token wms-policy",
    ]  # fmt: skip
    item = trace(stack.app, case.sscc, actor=SYSTEM).item
    assert item.hold is None and item.state != "voided"  # "no" meant nothing happened
    expect(page.locator("tr[data-user=vera]")).to_contain_text("active")
    row = next(r for r in stack.cli("tokens", "list").splitlines() if "wms-policy" in r)
    assert "revoked" not in row
    context.close()


def test_audit_entries_name_the_serial_or_sscc(browser: Browser, stack: Stack) -> None:
    case = open_case(stack.app, actor=SYSTEM, station="test")
    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/admin/audit?type=container-opened")
    expect(page.locator("#audit")).to_contain_text(f"SSCC {case.sscc}")
    expect(page.locator("#audit")).not_to_contain_text("item #")
    context.close()


def test_an_asn_file_is_loaded_from_the_receiving_page(
    browser: Browser, stack: Stack, tmp_path: Path
) -> None:
    good = tmp_path / "asn-upload.json"
    good.write_text(json.dumps({"reference": "ASN-UPLOAD", "lines": [
        {"line": 1, "gtin": GTIN, "quantity": 5, "lot": "L1"}]}))  # fmt: skip
    bad = tmp_path / "asn-bad.csv"
    bad.write_text(f"reference,line,gtin,quantity\nASN-BAD,1,{GTIN},5\nASN-OTHER,2,{GTIN},1\n")
    context, page = login(browser, stack.url, "admin", "admin-password")
    page.goto("/receiving/")
    page.click("#upload summary")
    page.set_input_files("#upload input[type=file]", str(bad))
    page.click("#upload button[type=submit]")
    expect(page.locator(".flash.error")).to_contain_text("every row must have the same reference")
    page.goto("/receiving/")
    page.click("#upload summary")
    page.set_input_files("#upload input[type=file]", str(good))
    page.click("#upload button[type=submit]")
    expect(page).to_have_url(f"{stack.url}/receiving/ASN-UPLOAD")
    expect(page.locator("#line-1")).to_contain_text("of 5 received")
    button = page.locator("#line-1 button[type=submit]")
    expect(button).to_have_text("Label 5 units")
    page.fill("#line-1 input[name=count]", "2")
    expect(button).to_have_text("Label 2 units")  # the label follows what it will do
    context.close()

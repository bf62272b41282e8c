"""Logins, CSRF and roles in the browser: what an operator sees, and what the server refuses."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from uikit import Stack, login, shot

from labelsvc.domain.actors import SYSTEM
from labelsvc.services.packing import open_case
from labelsvc.services.trace import trace

pytestmark = pytest.mark.browser


def test_login_is_required_and_wrong_passwords_are_refused(browser: Browser, stack: Stack) -> None:
    context = browser.new_context(base_url=stack.url)
    page = context.new_page()
    page.goto("/admin/pools")
    expect(page).to_have_url(f"{stack.url}/login?next=/admin/pools")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator(".flash.error")).to_have_text("Wrong user name or password.")
    shot(page, "login")
    page.fill("input[name=password]", "admin-password")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{stack.url}/admin/pools")  # back where they wanted to go
    page.click("text=Log out")
    page.goto("/admin/pools")
    expect(page.locator("h1")).to_have_text("Log in")
    context.close()


def test_forms_without_the_csrf_token_are_refused(browser: Browser, stack: Stack) -> None:
    context, page = login(browser, stack.url, "admin", "admin-password")
    form = {"name": "forged", "role": "receiving", "printer": "dock"}
    refused = page.request.post(f"{stack.url}/station/save", form=form, max_redirects=0)
    assert refused.status == 400 and "CSRF" in refused.text()
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    wrong = page.request.post(
        f"{stack.url}/station/save", form=form, headers={"X-CSRFToken": token[::-1]},
        max_redirects=0,
    )  # fmt: skip
    assert wrong.status == 400
    accepted = page.request.post(
        f"{stack.url}/station/save", form=form, headers={"X-CSRFToken": token}, max_redirects=0
    )
    assert accepted.status == 302
    context.close()


def test_operators_see_no_reprint_or_void_and_forgeries_are_refused(
    browser: Browser, stack: Stack
) -> None:
    stack.cli("users", "add", "olga", "--role", "operator", "--password", "olga-password")
    case = open_case(stack.app, actor=SYSTEM, station="test")
    context, page = login(browser, stack.url, "olga", "olga-password")
    expect(page.locator("nav")).not_to_contain_text("Users")
    page.goto(f"/trace/?q={case.sscc}")
    expect(page.locator("#trace-item")).to_be_visible()
    expect(page.locator("#form-quarantine")).to_be_visible()  # operators may quarantine
    for hidden in ("#form-reprint", "#form-void", "#form-release"):
        expect(page.locator(hidden)).to_have_count(0)
    page.goto("/packing/")
    expect(page.locator("form.reprint")).to_have_count(0)
    shot(page, "packing-operator")
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    for action in ("void", "reprint"):  # forged by hand, with a valid session and token
        forged = page.request.post(
            f"{stack.url}/trace/{action}", form={"code": case.sscc, "reason": "forged"},
            headers={"X-CSRFToken": token, "HX-Request": "true"},
        )  # fmt: skip
        assert forged.status == 403, forged.text()
        assert "may not" in forged.text()
    assert trace(stack.app, case.sscc, actor=SYSTEM).item.state != "voided"
    assert page.request.get(f"{stack.url}/admin/users").status == 403
    context.close()

"""Admin pages in the browser: pools, printers with live ~HS status, templates, products,
users and tokens, the print queue and the audit log."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from uikit import Stack, shot, wait_js

pytestmark = pytest.mark.browser


def test_pools_show_usage_and_low_water(admin_page: Page, stack: Stack) -> None:
    page = admin_page
    page.goto("/admin/pools")
    form = page.locator("form[action='/admin/pools/save']")
    for field, value in {"name": "tags", "pattern": "TAG-{seq:04}", "range_start": "1",
                         "range_end": "20", "low_water": "10"}.items():  # fmt: skip
        form.locator(f"[name={field}]").fill(value)
    form.locator("select[name=kind]").select_option("custom")
    form.locator("button").click()
    expect(page.locator("tr[data-pool=tags]")).to_be_visible()
    stack.cli("allocate", "--pool", "tags", "--count", "12")
    page.reload()
    row = page.locator("tr[data-pool=tags]")
    expect(row.locator(".low-water")).to_contain_text("8 left")
    expect(row.locator("[role=meter]")).to_have_attribute("aria-valuenow", "60.0000")
    row.locator("text=Suspend").click()
    expect(page.locator("tr[data-pool=tags]")).to_contain_text("suspended")
    shot(page, "pools")


def test_printer_status_is_live_and_test_prints_arrive(admin_page: Page, stack: Stack) -> None:
    page = admin_page
    page.goto("/admin/printers")
    row = page.locator("tr[data-printer=dock]")
    expect(row.locator(".status")).to_contain_text("ready")
    before = len(stack.emulator.labels)
    row.locator("text=Test print").click()
    expect(row.locator(".result")).to_contain_text("Test label queued")
    assert stack.emulator.wait_for_labels(before + 1)
    assert b"labelsvc test print" in stack.emulator.labels[-1]
    stack.emulator.set_profile("paper-out")
    page.reload()
    expect(page.locator("tr[data-printer=dock] .status")).to_contain_text("paper out")
    shot(page, "printers")
    row = page.locator("tr[data-printer=dock]")
    row.locator("text=Test print").click()  # held until paper is back
    page.goto("/admin/jobs?state=held")
    held = page.locator("#jobs tr[data-state=held]").first
    expect(held).to_contain_text("paper", timeout=10_000)
    held.locator("text=Cancel").click()
    expect(page.locator("#jobs tr[data-state=cancelled]")).to_have_count(1)
    stack.emulator.set_profile("ok")
    shot(page, "jobs")


def test_printers_page_shows_identity_warnings_and_history(admin_page: Page, stack: Stack) -> None:
    from labelsvc.services.printers import get_printer, poll_printer

    for profile in ("ribbon-low", "paper-near-end"):
        stack.emulator.set_profile(profile)
        poll_printer(stack.app, get_printer(stack.app, "dock"))  # what the schedule runs
    stack.emulator.set_profile("ok")
    page = admin_page
    page.goto("/admin/printers")
    row = page.locator("tr[data-printer=dock]")
    expect(row.locator(".identity")).to_contain_text("ZT411-203dpi")
    expect(row.locator(".identity")).to_contain_text("203 dpi")
    history = page.locator("tr[data-history=dock]")
    expect(history.locator("summary")).to_contain_text("paper near end")
    expect(history.locator("li").first).to_contain_text("paper near end")
    expect(history).to_contain_text("ribbon low")
    shot(page, "printers-history")


def test_a_partly_printed_job_prints_its_missing_labels_when_a_person_says(
    admin_page: Page, stack: Stack
) -> None:
    from labelsvc.domain.actors import SYSTEM
    from labelsvc.services.allocation import allocate

    serials = allocate(stack.app.store, "demo-units", 5, actor=SYSTEM).serials
    with stack.app.store.write() as tx:  # what the worker leaves when the printer counted 2
        ids = [i.id for i in tx.items.by_gtin("09506000134352", limit=100_000)
               if i.value in serials]  # fmt: skip
        ids.sort(key=lambda i: serials.index(next(x.value for x in tx.items.by_ids([i]))))
        job_id = tx.jobs.create(printer="dock", template="unit", payload=b"", item_ids=ids,
                                label_count=5, requested_by="user:olga",
                                render={"template": "unit", "reprint": False})  # fmt: skip
        tx.jobs.claim(job_id, owner="test", lease_seconds=30, actor="system:test")
        tx.jobs.set_printed(job_id, 2)
        tx.jobs.move(job_id, "partly-printed", actor="system:test", expect=("sending",),
                     error="the printer printed 2 of 5 labels")  # fmt: skip
    before = len(stack.emulator.labels)
    page = admin_page
    page.goto("/admin/jobs")
    row = page.locator(f"tr#job-{job_id}").first
    expect(row).to_contain_text("2 of 5 printed")
    row.locator("text=Print the 3 missing").click()
    # the first row of the job is in "Needs someone", the one its button swaps
    expect(page.locator(f"tr#job-{job_id}").first).to_contain_text("missing labels: job #")
    assert stack.emulator.wait_for_labels(before + 3)
    printed = b"".join(stack.emulator.labels[before:])
    assert all(s.encode() in printed for s in serials[2:])
    assert not any(s.encode() in printed for s in serials[:2])


def test_template_previews_at_each_dpi(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/templates")
    card = page.locator("section[data-template=unit]")
    for dpi in ("300", "600", "203"):
        card.locator(f"button:has-text('{dpi} dpi')").click()
        image = card.locator(f"img[data-dpi='{dpi}']")
        expect(image).to_be_visible()
        wait_js(page, "img => img.complete && img.naturalWidth > 0", image.element_handle())
    shot(page, "templates")
    page.fill("textarea[name=source]", "{# kind: unit #}\n^XA^FO10,10^FD{{ data.serial ^XZ")
    page.fill("form[hx-post='/admin/templates/save'] input[name=name]", "broken")
    page.click("text=Check and save")
    expect(page.locator("#template-message .flash.error")).to_contain_text("line")


def test_a_template_preview_names_what_it_does_not_draw(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/templates")
    expect(page.locator("section[data-template=unit] .preview-unsupported")).to_have_count(0)
    source = (
        "{# kind: unit #}\n^XA^PW406^LL203^FO20,20^GC60,3^FS{{ elements | datamatrix(12, 3) }}^XZ"
    )
    page.fill("textarea[name=source]", source)
    page.fill("form[hx-post='/admin/templates/save'] input[name=name]", "with-circle")
    page.click("text=Check and save")
    card = page.locator("section[data-template=with-circle]")
    expect(card.locator(".preview-unsupported")).to_contain_text("^GC (circle): not drawn")
    card.locator("button:has-text('300 dpi')").click()
    expect(card.locator("img[data-dpi='300']")).to_be_visible()
    expect(card.locator(".preview-unsupported")).to_contain_text("^GC (circle): not drawn")


def test_products_users_tokens_and_audit(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/products?edit=09506000134352")
    page.fill("input[name=units_per_case]", "10")
    page.click("text=Save product")
    expect(page.locator("#products")).to_contain_text("10")
    shot(page, "products")
    page.goto("/admin/users")
    add = page.locator("form[action='/admin/users/add']")
    add.locator("input[name=name]").fill("sam")
    add.locator("select[name=role]").select_option("supervisor")
    add.locator("input[name=password]").fill("sam-password")
    add.locator("button").click()
    expect(page.locator("tr[data-user=sam]")).to_contain_text("supervisor")
    page.fill("form[action='/admin/tokens/create'] input[name=name]", "wms")
    page.check("input[name=scopes][value=label]")
    page.click("text=Create token")
    expect(page.locator("#token-secret code")).to_contain_text("lsv_")
    shot(page, "users")
    page.goto("/admin/users")
    expect(page.locator("#token-secret")).to_have_count(0)  # shown once only
    page.goto("/admin/audit?type=token-created")
    expect(page.locator("#audit tbody tr")).to_have_count(1)
    expect(page.locator("#audit")).to_contain_text("client:wms")
    shot(page, "audit")

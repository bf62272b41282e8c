"""Both stores behind one interface: bounded waits, versions, caps, imports, health, rates."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from storekit import rows, scalar

from labelsvc.config import Settings, settings_from_dict
from labelsvc.domain.actors import SYSTEM, Actor
from labelsvc.domain.errors import InvalidInput
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize, load_definitions
from labelsvc.services.labeling import request_labels
from labelsvc.services.pools import get_pool, save_pool
from labelsvc.store import Store
from labelsvc.store.errors import NewerDatabase, StoreBusy
from labelsvc.web import create_app


@contextmanager
def held_pool_lock(settings: Settings, pool: str) -> Iterator[None]:
    """Another connection (another instance, as far as the store can tell) holds a write
    transaction that has locked ``pool``'s row, until the block ends."""
    other = Store(settings.storage.location(settings), busy_timeout_ms=30_000)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with other.write() as tx:
            tx.pools.get(pool)
            tx.execute("UPDATE pools SET description = description WHERE name = ?", (pool,))
            locked.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join(30)
        other.shutdown()


def _short_wait(settings: Settings) -> Settings:
    return settings_from_dict(
        {"storage": {"url": settings.storage.url, "busy_timeout_ms": 300}},
        "test",
        settings.base_dir,
    )


def test_a_writer_that_cannot_get_its_lock_gets_a_clear_busy_answer(
    app: App, operator: Actor
) -> None:
    waiting = App.open(_short_wait(app.settings))
    with held_pool_lock(app.settings, "demo-units"):
        started = time.monotonic()
        with pytest.raises(StoreBusy) as refused:
            allocate(waiting.store, "demo-units", 1, actor=operator)
        waited = time.monotonic() - started
    assert refused.value.code == "store-busy" and "nothing was changed" in refused.value.detail
    assert waited < 10  # bounded: the lock was held for as long as the test wanted
    assert allocate(waiting.store, "demo-units", 1, actor=operator).count == 1
    waiting.store.shutdown()


def test_the_api_answers_store_busy_with_retry_after(app: App) -> None:
    from labelsvc.services.users import create_token

    secret = create_token(app.store, "wms", ["label"], SYSTEM).secret
    waiting = App.open(_short_wait(app.settings))
    client = create_app(waiting.settings, waiting).test_client()
    with held_pool_lock(app.settings, "demo-units"):
        answer = client.post(
            "/api/v1/pools/demo-units/allocations", json={"count": 1},
            headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "busy-1"},
        )  # fmt: skip
    assert answer.status_code == 503 and answer.content_type == "application/problem+json"
    assert answer.json is not None and answer.json["code"] == "store-busy"
    assert answer.headers["Retry-After"] == "1"
    again = client.post(
        "/api/v1/pools/demo-units/allocations", json={"count": 1},
        headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "busy-1"},
    )  # fmt: skip
    assert again.status_code == 201  # the busy answer was not kept as the key's response
    waiting.store.shutdown()


def test_a_database_of_a_newer_labelsvc_is_refused(app: App) -> None:
    with app.store.write() as tx:
        tx.execute(
            "INSERT INTO _migrations (name, applied_at) VALUES ('9999_from_the_future', 'x')"
        )
    with pytest.raises(NewerDatabase) as refused:
        App.open(app.settings)
    assert "9999_from_the_future" in refused.value.detail and "upgrade" in refused.value.detail


def test_label_caps_are_settings_and_say_so_on_every_surface(
    app: App, operator: Actor, tmp_path: Path
) -> None:
    limits = {"max_labels_per_request": 10, "max_allocation": 50}
    capped = App.open(
        settings_from_dict(
            {"storage": {"url": app.settings.storage.url}, "limits": limits},
            "test",
            app.settings.base_dir,
        )
    )
    with pytest.raises(InvalidInput) as refused:
        request_labels(capped, count=11, actor=operator, product="DEMO-WIDGET")
    assert "limits.max_labels_per_request" in refused.value.detail
    with pytest.raises(InvalidInput, match=r"limits\.max_allocation"):
        allocate(capped.store, "demo-units", 51, actor=operator, limit=50)
    from labelsvc.services.users import create_token

    secret = create_token(app.store, "wms", ["label"], SYSTEM).secret
    client = create_app(capped.settings, capped).test_client()
    answer = client.post(
        "/api/v1/labels", json={"product": "DEMO-WIDGET", "count": 11},
        headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip
    assert answer.status_code == 400 and answer.json is not None
    assert answer.json["code"] == "count-invalid" and answer.json["limit"] == 10
    capped.store.shutdown()


def test_an_admins_change_to_a_file_defined_pool_survives_imports_and_restarts(
    app: App, admin: Actor
) -> None:
    pool = get_pool(app.store, "demo-units", admin)
    assert pool.source and pool.source.endswith("demo-units.toml")
    from dataclasses import replace

    save_pool(app.store, replace(pool.spec, low_water=4242), admin)
    report = load_definitions(app)  # what init does again, on this or another instance
    assert any(r.startswith("demo-units (kept") for r in report.pools), report.pools
    restarted = App.open(app.settings)
    initialize(restarted, demo=True)
    assert get_pool(restarted.store, "demo-units", admin).spec.low_water == 4242
    restarted.store.shutdown()


def test_health_names_the_instance_the_store_and_its_version(app: App) -> None:
    client = create_app(app.settings, app).test_client()
    body = client.get("/api/v1/health").json
    assert body is not None and body["status"] == "ok"
    assert body["store"]["kind"] == app.store.kind
    assert body["store"]["migration"] == scalar(app, "SELECT MAX(name) FROM _migrations")
    assert body["instance"]
    assert "password" not in body["store"]["location"]


def test_an_api_client_over_its_rate_gets_429_with_retry_after(app: App) -> None:
    from labelsvc.services.users import create_token

    limits = {"api_requests_per_second": 1.0, "api_burst": 3}
    limited = App.open(
        settings_from_dict(
            {"storage": {"url": app.settings.storage.url}, "limits": limits},
            "test",
            app.settings.base_dir,
        )
    )
    noisy = create_token(app.store, "noisy", ["read"], SYSTEM).secret
    calm = create_token(app.store, "calm", ["read"], SYSTEM).secret
    client = create_app(limited.settings, limited).test_client()
    codes = [
        client.get("/api/v1/pools", headers={"Authorization": f"Bearer {noisy}"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    refused = client.get("/api/v1/pools", headers={"Authorization": f"Bearer {noisy}"})
    assert refused.json is not None and refused.json["code"] == "rate-limited"
    assert int(refused.headers["Retry-After"]) >= 1
    other = client.get("/api/v1/pools", headers={"Authorization": f"Bearer {calm}"})
    assert other.status_code == 200  # one client's flood does not stall another
    limited.store.shutdown()


def test_a_large_allocation_is_written_in_chunks_and_is_all_or_nothing(
    app: App, operator: Actor
) -> None:
    seen: list[int] = []
    result = allocate(app.store, "demo-units", 23_000, actor=operator, progress=seen.append)
    assert seen == [5000, 5000, 5000, 5000, 3000]  # five transactions, each a short one
    assert len(set(result.serials)) == 23_000
    assert rows(app, "SELECT state, written FROM allocations WHERE id = ?", (result.id,)) == [
        ("complete", 23_000)
    ]
    replay = allocate(app.store, "demo-units", 1, actor=operator)
    assert not set(replay.serials) & set(result.serials)


def test_a_template_an_admin_saves_on_one_instance_prints_on_another(
    app: App, admin: Actor
) -> None:
    from labelsvc.services.templates import load_template_files, save_template

    other = App.open(app.settings)  # a second instance on the same store
    text = app.templates.source("unit").replace("{# kind: unit", "{# kind: unit\n  edited", 1)
    save_template(app, admin, "unit", text)
    assert other.templates.source("unit") == text  # no file on any disk involved
    report = load_template_files(app.store, app.settings.path("zpl"), admin)
    assert next(str(r) for r in report if r.name == "unit").startswith("unit (kept")
    assert other.templates.source("unit") == text
    other.store.shutdown()


def test_a_session_from_one_instance_is_valid_on_another(app: App) -> None:
    first = create_app(app.settings, app).test_client()
    second_app = App.open(app.settings)
    second = create_app(second_app.settings, second_app).test_client()
    login = first.get("/login")
    assert login.status_code == 200
    page = login.get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    done = first.post(
        "/login",
        data={"name": "admin", "password": "admin-password", "csrf_token": token},
    )
    assert done.status_code in (302, 303)
    cookie = first.get_cookie("session")
    assert cookie is not None
    second.set_cookie("session", cookie.value)
    answer = second.get("/station")
    assert answer.status_code == 200 and "Log in" not in answer.get_data(as_text=True)
    second_app.store.shutdown()


def test_the_receiving_page_refuses_a_count_over_the_cap_and_says_why(
    app: App, operator: Actor
) -> None:
    from labelsvc.services.receipt_files import receipt_from_mapping
    from labelsvc.services.receiving import load_receipt

    spec = receipt_from_mapping({"reference": "BIG", "lines": [
        {"gtin": "09506000134352", "quantity": 40_000}]}, "t")  # fmt: skip
    load_receipt(app, spec, actor=operator)
    client = create_app(app.settings, app).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"name": "admin", "password": "admin-password",
                                "csrf_token": token})  # fmt: skip
    page = client.get("/receiving/BIG").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(
        "/receiving/BIG/label", data={"line": "1", "count": "30000", "csrf_token": token}
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "5,000" in text and "limits.max_labels_per_request" in text
    assert scalar(app, "SELECT COUNT(*) FROM items WHERE namespace = '01:09506000134352'") == 0

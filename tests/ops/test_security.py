"""Security by default, tried against a live server: password guessing is slowed, then
locked out and audited; a copied session cookie dies with its session; responses forbid
framing and inline script; cookies are Secure behind a trusted TLS proxy only."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from opskit import LiveServer, Pages, start_live_server

from labelsvc.config import load_settings
from labelsvc.services.app import App

FAST = {"security": {"login_delay_max_seconds": 0.5}}


@pytest.fixture
def server(project: Path) -> Iterator[LiveServer]:
    found = start_live_server(project, FAST)
    yield found
    found.stop()


def _events(server: LiveServer, subject: str) -> list[str]:
    app = App.open(load_settings(server.config), create=False)
    try:
        with app.store.read() as tx:
            return [e.type for e in tx.events.for_subject(subject)]
    finally:
        app.store.close()


def _timed_login(client: Pages, name: str, password: str) -> tuple[int, float]:
    token = client.csrf()
    started = time.perf_counter()
    status, _, _ = client.request("/login", {"name": name, "password": password,
                                             "csrf_token": token})  # fmt: skip
    return status, time.perf_counter() - started


def test_guessing_is_delayed_then_locked_and_every_attempt_is_audited(server: LiveServer) -> None:
    client = Pages(server.url)
    times = []
    for _ in range(19):
        status, took = _timed_login(client, "admin", "wrong-password")
        assert status == 401
        times.append(took)
    assert times[5] >= 0.25 and times[6] >= 0.5  # the 6th and 7th answers are held back
    status, _ = _timed_login(client, "admin", "wrong-password")  # the 20th locks
    assert status == 401
    status, html = client.log_in("admin", "admin-password")  # right, but locked
    assert status == 429 and "Too many failed logins" in html
    assert Pages(server.url).log_in("admin", "admin-password")[0] == 429  # any browser
    types = Counter(_events(server, "user:admin"))
    assert types["login-failed"] == 20 and types["login-refused"] == 2
    assert "login-succeeded" not in types
    app = App.open(load_settings(server.config), create=False)
    with app.store.read() as tx:
        lock_events = list(tx.events.query(types=["login-locked"]))
    assert [e.subject for e in lock_events] == ["user:admin"]
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="milliseconds")
    with app.store.write() as tx:  # the lockout's minutes have passed
        tx.execute("UPDATE login_throttle SET locked_until = ?", (past,))
    assert Pages(server.url).log_in("admin", "admin-password")[0] == 200  # only for a while


def test_a_new_password_lifts_the_lockout(server: LiveServer) -> None:
    client = Pages(server.url)
    for _ in range(20):
        client.log_in("admin", "wrong-password")
    assert client.log_in("admin", "admin-password")[0] == 429
    done = server.cli("users", "passwd", "admin", input="fresh-password-3\nfresh-password-3\n")
    assert done.returncode == 0, done.stderr
    assert Pages(server.url).log_in("admin", "fresh-password-3")[0] == 200


def test_a_right_password_resets_the_count_and_is_audited(server: LiveServer) -> None:
    client = Pages(server.url)
    for _ in range(4):
        assert client.log_in("admin", "nope-nope")[0] == 401
    status, html = client.log_in("admin", "admin-password")
    assert status == 200 and "admin" in html
    assert _events(server, "user:admin")[-5:] == ["login-failed"] * 4 + ["login-succeeded"]


def test_one_address_trying_many_accounts_is_locked(server: LiveServer) -> None:
    client = Pages(server.url)
    for n in range(40):  # an address is locked at twice the account limit
        assert client.log_in(f"guess{n}", "whatever1")[0] == 401
    assert Pages(server.url).log_in("admin", "admin-password")[0] == 429


@pytest.mark.parametrize("change", ["logout", "passwd", "role", "disable", "idle"])
def test_a_copied_session_cookie_dies_with_its_session(server: LiveServer, change: str) -> None:
    server.cli("users", "add", "ops", "--role", "admin", "--password", "ops-password-1")
    client = Pages(server.url)
    assert client.log_in("ops", "ops-password-1")[0] == 200
    copied = client.cookies()
    assert "ops" in Pages(server.url).with_cookies(copied).request("/admin/")[1]
    if change == "logout":
        client.request("/logout", {"csrf_token": client.csrf("/admin/")})
    elif change == "passwd":
        done = server.cli("users", "passwd", "ops", input="new-password-2\nnew-password-2\n")
        assert done.returncode == 0, done.stderr
    elif change == "role":
        assert server.cli("users", "role", "ops", "operator").returncode == 0
    elif change == "disable":
        assert server.cli("users", "disable", "ops").returncode == 0
    else:
        app = App.open(load_settings(server.config), create=False)
        old = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="milliseconds")
        with app.store.write() as tx:
            tx.execute("UPDATE web_sessions SET last_seen_at = ?", (old,))
    status, html, _ = Pages(server.url).with_cookies(copied).request("/admin/")
    assert 'name="password"' in html and "Log in" in html, (status, html[:300])


def test_pages_and_api_forbid_framing_and_inline_script(server: LiveServer) -> None:
    for path in ("/login", "/api/v1/health", "/api/v1/nothing-here"):
        try:
            answer = urllib.request.urlopen(server.url + path)
        except urllib.error.HTTPError as exc:
            answer = exc
        headers = answer.headers
        assert headers["X-Frame-Options"] == "DENY"
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_secure_only_through_a_trusted_tls_proxy(project: Path) -> None:
    server = start_live_server(project, {"security": {"trusted_proxies": "127.0.0.1"}})
    try:

        def cookie(headers: dict[str, str]) -> str:
            client = Pages(server.url)
            _, _, answer = client.request("/login", headers=headers)
            return str(answer.get("Set-Cookie", ""))

        assert "Secure" in cookie({"X-Forwarded-Proto": "https"})
        assert "Secure" not in cookie({})
    finally:
        server.stop()
    untrusting = start_live_server(project)  # the same site, no trusted proxies
    try:
        client = Pages(untrusting.url)
        _, _, answer = client.request("/login", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" not in str(answer.get("Set-Cookie", ""))
    finally:
        untrusting.stop()


def test_a_lone_surrogate_in_json_is_a_400_problem(server: LiveServer) -> None:
    token = server.cli("tokens", "create", "wms", "--scope", "label").stdout.strip()
    request = urllib.request.Request(
        server.url + "/api/v1/labels", method="POST",
        data=b'{"product": "DEMO-WIDGET", "count": 1, "lot": "\\ud800"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request)
    assert err.value.code == 400
    assert err.value.headers["Content-Type"] == "application/problem+json"
    problem = json.loads(err.value.read())
    assert problem["code"] == "body-invalid-unicode"

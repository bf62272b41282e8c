"""In a real browser: another site cannot frame a logged-in admin page (clickjacking).

The framing page is served from another port of the same host: for cookies that is the same
site, so the browser does send the admin's session into the frame; only the response's
``frame-ancestors 'none'`` / ``X-Frame-Options: DENY`` stops the page from showing in it.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from uikit import Stack, login


@pytest.fixture
def attacker(stack: Stack) -> Iterator[str]:
    """A page on another port that frames the admin's user list."""
    html = f'<html><body><iframe src="{stack.url}/admin/users"></iframe></body></html>'.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_logged_in_admin_page_cannot_be_framed(
    stack: Stack, browser: Browser, attacker: str
) -> None:
    context, page = login(browser, stack.url, "admin", "admin-password")
    try:
        page.goto(attacker)
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        (child,) = [f for f in page.frames if f is not page.main_frame]
        assert child.url.startswith("chrome-error://")  # refused by the browser
        page.goto(f"{stack.url}/admin/users")  # opened directly it works
        expect(page.locator("header .who")).to_contain_text("admin (admin)")
    finally:
        context.close()


def test_the_pages_work_under_their_content_security_policy(stack: Stack, browser: Browser) -> None:
    context, page = login(browser, stack.url, "admin", "admin-password")
    try:
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text
                else None)  # fmt: skip
        polls: list[str] = []
        page.on("request", lambda r: polls.append(r.url) if "part=1" in r.url else None)
        for path in ("/receiving/", "/packing/", "/trace/", "/admin/", "/admin/templates",
                     "/admin/users", "/admin/jobs"):  # fmt: skip
            page.goto(path)
            page.wait_for_load_state("load")
        page.wait_for_timeout(3500)  # the job list refreshes itself every 3 s
        assert refused == []
        assert polls, "the live job list did not refresh"
    finally:
        context.close()

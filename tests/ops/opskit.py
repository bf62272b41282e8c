"""Helpers of the operations tests: the shared live-server helpers, a site with a Zebra
emulator as its printer, and waiting for a condition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# shared with every test folder (tests/livekit.py); re-exported for this folder's tests
from livekit import LiveServer as LiveServer
from livekit import free_port as free_port
from livekit import need_tool as need_tool
from livekit import run_cli as run_cli
from livekit import start_live_server as start_live_server
from livekit import wait_until as wait_until
from livekit import write_config as write_config

ROOT = Path(__file__).resolve().parents[2]


def add_zebra(project: Path, port: int, name: str = "zebra") -> None:
    """Define printer ``name`` as the Zebra emulator listening on ``port``."""
    (project / "printers").mkdir(exist_ok=True)
    (project / "printers" / f"{name}.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{port}"\ncheck_status = false\n',
        encoding="utf-8",
    )


class Pages:
    """A cookie-keeping HTTP client of the pages (what a browser does, minus the drawing)."""

    def __init__(self, url: str) -> None:
        import http.cookiejar
        import urllib.request

        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, Any]:  # fmt: skip
        """GET (or POST the form ``data``); returns status, body text and headers."""
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.url + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as answer:
                return answer.status, answer.read().decode(), answer.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token of this session, read from a page's form."""
        import re

        _, html, _ = self.request(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found, html[:500]
        return found.group(1)

    def log_in(self, name: str, password: str) -> tuple[int, str]:
        """Submit the login form; returns the status and page after redirects."""
        token = self.csrf()
        status, html, _ = self.request(
            "/login", {"name": name, "password": password, "csrf_token": token}
        )
        return status, html

    def cookies(self) -> dict[str, str]:
        """The cookies this client holds, by name."""
        return {c.name: c.value or "" for c in self.jar}

    def with_cookies(self, cookies: dict[str, str]) -> Pages:
        """A new client that sends exactly these cookies (a replayed, copied session)."""
        other = Pages(self.url)
        import http.cookiejar
        from urllib.parse import urlsplit

        host = urlsplit(self.url).hostname or "127.0.0.1"
        for name, value in cookies.items():
            other.jar.set_cookie(http.cookiejar.Cookie(
                0, name, value, None, False, host, False, False, "/", True, False, None, False,
                None, None, {},
            ))  # fmt: skip
        return other

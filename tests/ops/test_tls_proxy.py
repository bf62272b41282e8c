"""The README's TLS set-up, for real: Debian's nginx terminates TLS in front of a live
``labelsvc serve`` that trusts it. Over HTTPS the cookie is Secure, HSTS is sent, and the
login throttle and audit log see the browser's address, not the proxy's."""

from __future__ import annotations

import http.client
import re
import shutil
import ssl
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from opskit import LiveServer, free_port, need_tool, start_live_server, wait_until

from labelsvc.config import load_settings
from labelsvc.services.app import App

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name labels.example.com;
        ssl_certificate     {dir}/labels.pem;
        ssl_certificate_key {dir}/labels.key;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""
BROWSER = ("127.0.0.5", 0)  # the client's own loopback address, unlike nginx's 127.0.0.1


@pytest.fixture
def proxied(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, int]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    need_tool(Path(nginx).exists() and bool(shutil.which("openssl")),
              "nginx and openssl are missing: apt-get install -y nginx openssl")  # fmt: skip
    server = start_live_server(project, {"security": {"trusted_proxies": "127.0.0.1"}})
    folder = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=labels.example.com", "-keyout", str(folder / "labels.key"),
         "-out", str(folder / "labels.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, port=port, upstream=server.url.rsplit(":", 1)[1]))
    proxy = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                             stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert wait_until(lambda: _connects(port), 20), (folder / "error.log").read_text()
        yield server, port
    finally:
        proxy.terminate()
        proxy.wait(10)
        server.stop()


def _connects(port: int) -> bool:
    try:
        _https(port).request("GET", "/api/v1/health")
        return True
    except OSError:
        return False


def _https(port: int) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30,
                                       source_address=BROWSER)  # fmt: skip


def test_login_over_tls_sets_a_secure_cookie_and_records_the_browser_address(
    proxied: tuple[LiveServer, int],
) -> None:
    server, port = proxied
    conn = _https(port)
    conn.request("GET", "/login")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie") or ""
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    form = urllib.parse.urlencode({"name": "admin", "password": "admin-password",
                                   "csrf_token": token.group(1)})  # fmt: skip
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";")[0]}
    conn.request("POST", "/login", body=form, headers=headers)
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 302 and "Secure" in (answer.getheader("Set-Cookie") or "")
    app = App.open(load_settings(server.config), create=False)
    time.sleep(0.1)
    with app.store.read() as tx:
        (event,) = tx.events.query(types=["login-succeeded"])
    assert event.details["address"] == "127.0.0.5"

"""A site killed with SIGKILL while its lease request is answered leases once: the stored
collection id is sent again after the restart and the authority answers the same lease.

Between the site and the live authority stands a real HTTP forwarder that passes the
request on, keeps the authority's answer and never sends it back (a lost answer), so the
site process is killed mid-request with the lease already granted (both stores)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from livekit import LiveServer, wait_until
from storekit import rows
from test_lease_site import ADMIN, GTIN, POOL, authority, make_site

from labelsvc.services.lease_site import link_authority, refill_leases
from labelsvc.store.lease_site import LeaseSiteRepo

__all__ = ["authority"]  # the live authority fixture, shared with test_lease_site


class Swallower:
    """Forwards every request to ``target``; the answers to POST /leases it keeps."""

    def __init__(self, target: str) -> None:
        self.target = urlsplit(target)
        self.kept: list[dict[str, Any]] = []
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.forward(self, "GET")

            def do_POST(self) -> None:
                owner.forward(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def forward(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        conn = HTTPConnection(self.target.hostname or "", self.target.port, timeout=30)
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "host"}
        conn.request(method, handler.path, body or None, headers)
        answer = conn.getresponse()
        data = answer.read()
        if method == "POST" and handler.path == "/api/v1/leases":
            self.kept.append(json.loads(data))
            self.release.wait(60)  # the answer is lost: the caller dies waiting
            return
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.getheader("Content-Type") or "")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()


def test_a_site_killed_mid_request_leases_once_after_restart(
    tmp_path: Path, authority: LiveServer
) -> None:
    site = make_site(tmp_path / "site", authority)
    swallower = Swallower(authority.url)
    try:
        with site.app.store.read() as tx:
            token = LeaseSiteRepo(tx).subscription_secret("authority")
        assert token is not None
        link_authority(site.app, url=swallower.url, site=site.name, token=token, actor=ADMIN)
        asking = subprocess.Popen(
            [sys.executable, "-m", "labelsvc", "--config", str(site.config), "lease", "request",
             POOL, "--gtin", GTIN], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=site.config.parent,
        )  # fmt: skip
        assert wait_until(lambda: len(swallower.kept) == 1)  # granted at the authority
        asking.send_signal(signal.SIGKILL)
        asking.wait(10)
        assert rows(site.app, "SELECT COUNT(*) FROM supply_blocks") == [(0,)]
        [(state, sent_id)] = rows(site.app, "SELECT state, collection_id FROM lease_requests")
        assert state == "pending" and sent_id == swallower.kept[0]["collection_id"]

        link_authority(site.app, url=authority.url, site=site.name, token=token, actor=ADMIN)
        assert refill_leases(site.app) == 1
        granted = swallower.kept[0]
        assert rows(site.app, "SELECT reference, count FROM supply_blocks") == [
            (str(granted["id"]), granted["granted"])
        ]
        leases = json.loads(authority.cli("authority", "leases", "--site", site.name,
                                          "--json").stdout)  # fmt: skip
        assert [lease["id"] for lease in leases] == [granted["id"]]
    finally:
        swallower.stop()
        site.app.store.shutdown()

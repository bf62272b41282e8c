"""Leased serials: one allocation from a site's local lease beside the same allocation from
the authority over HTTP, and lease grants at the authority with 8 sites asking at once
beside plain allocations of the same size by 8 clients.

The authority is a live ``labelsvc serve`` (waitress), on SQLite and then on PostgreSQL (a
private cluster, fsync on; or ``LABELSVC_BENCH_POSTGRES``); the site is an App on its own
SQLite file holding a leased block of demo-units. Rounds are interleaved and repeated: each
figure is printed beside its reference measured in the same run.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

from bench_stores import new_database, postgres
from common import fresh_app, p50_p99

from labelsvc.config import load_settings
from labelsvc.domain.actors import SYSTEM
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.lease_grant import register_site
from labelsvc.services.lease_site import link_authority, mirror_pool, request_block
from labelsvc.services.users import create_token

GTIN = "09506000134352"
POOL = "demo-units"
SITES = 8
ROUNDS = 3
SINGLES = 200  # single allocations per round and kind
GRANTS = 10  # lease requests per site per round
BLOCK = 1000  # serials per lease (and per reference allocation)


def _start(folder: Path, store_url: str) -> tuple[subprocess.Popen[bytes], int, Path]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = folder / "config.toml"
    config.write_text(f"[server]\nport = {port}\nthreads = 8\n[limits]\n"
                      f"api_requests_per_second = 0\n[storage]\nurl = {json.dumps(store_url)}\n",
                      encoding="utf-8")  # fmt: skip
    subprocess.run([sys.executable, "-m", "labelsvc", "--config", str(config), "init",
                    "--admin-password", "bench-password"], check=True, capture_output=True,
                   cwd=folder)  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "labelsvc", "--config", str(config),
                               "serve"], cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port, config
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("labelsvc serve did not start")


def _post(conn: HTTPConnection, path: str, body: dict[str, object], token: str) -> object:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request("POST", "/api/v1" + path, json.dumps(body), headers)
    response = conn.getresponse()
    data = response.read()
    if response.status not in (200, 201):
        raise RuntimeError(f"{path}: HTTP {response.status} {data[:200]!r}")
    return json.loads(data)


def _singles(site: App, conn: HTTPConnection, label: str) -> tuple[list[float], list[float]]:
    local, remote = [], []
    for _ in range(SINGLES):
        started = time.perf_counter()
        allocate(site.store, POOL, 1, actor=SYSTEM, gtin=GTIN)
        local.append(time.perf_counter() - started)
        started = time.perf_counter()
        _post(conn, f"/pools/{POOL}/allocations", {"count": 1, "gtin": GTIN}, label)
        remote.append(time.perf_counter() - started)
    return local, remote


def _burst(port: int, tokens: list[str], lease: bool) -> float:
    """Seconds for every client to make GRANTS requests of BLOCK serials, all at once."""

    def one(token: str) -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(GRANTS):
            if lease:
                body = {"pool": POOL, "count": BLOCK, "gtin": GTIN,
                        "collection_id": uuid.uuid4().hex}  # fmt: skip
                _post(conn, "/leases", body, token)
            else:
                _post(conn, f"/pools/{POOL}/allocations", {"count": BLOCK, "gtin": GTIN}, token)
        conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(one, tokens))
    return time.perf_counter() - started


def run() -> list[tuple[str, str]]:
    """The figures with the authority on SQLite, then on PostgreSQL (fsync on)."""
    rows = _measure("", "authority on SQLite")
    with postgres() as admin_url:
        rows += _measure(new_database(admin_url), "authority on PostgreSQL")
    return rows


def _measure(store_url: str, title: str) -> list[tuple[str, str]]:
    """Start the authority, lease a block to a site, and measure interleaved rounds."""
    folder = Path(tempfile.mkdtemp(prefix="labelsvc-bench-leases-"))
    server, port, config = _start(folder, store_url)
    authority = App.open(load_settings(config))
    site = fresh_app()
    try:
        sites = [register_site(authority.store, f"s{n}", SYSTEM)[1].secret for n in range(SITES)]
        label = create_token(authority.store, "bench-label", ["label"], SYSTEM).secret
        wms = [create_token(authority.store, f"bench-wms-{n}", ["label"], SYSTEM).secret
               for n in range(SITES)]  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        link_authority(site, url=url, site="s0", token=sites[0], actor=SYSTEM)
        mirror_pool(site, POOL, actor=SYSTEM, block=ROUNDS * SINGLES + 100, low_water=0,
                    gtin=GTIN)  # fmt: skip
        request_block(site, POOL, actor=SYSTEM, gtin=GTIN)
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        local: list[float] = []
        remote: list[float] = []
        leases = allocations = 0.0
        for _ in range(ROUNDS):
            mine, theirs = _singles(site, conn, label)
            local += mine
            remote += theirs
            leases += _burst(port, sites, lease=True)
            allocations += _burst(port, wms, lease=False)
        conn.close()
        asked = ROUNDS * SITES * GRANTS
        return [
            (title, ""),
            ("  single allocation, local lease (site, SQLite)", p50_p99(local)),
            ("  single allocation, authority over HTTP (reference)", p50_p99(remote)),
            (f"  lease grants of {BLOCK:,}, {SITES} sites at once",
             f"{asked / leases:,.1f} leases/s ({asked * BLOCK / leases:,.0f} serials/s)"),
            (f"  allocations of {BLOCK:,}, {SITES} clients at once (reference)",
             f"{asked / allocations:,.1f} /s ({asked * BLOCK / allocations:,.0f} serials/s)"),
        ]  # fmt: skip
    finally:
        server.terminate()
        server.wait(20)
        authority.store.shutdown()
        site.store.shutdown()
        shutil.rmtree(folder, ignore_errors=True)

"""``/metrics`` in the Prometheus text format and ``/api/v1/health`` with its checks, read
from a live server the way a site's monitoring reads them."""

from __future__ import annotations

import json
import re
import urllib.request

from opskit import LiveServer

LINE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>[0-9.e+-]+)$")


def _scrape(server: LiveServer) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(server.url + "/metrics") as answer:
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = answer.read().decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        found = LINE.match(line)
        assert found, f"not Prometheus text: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', found["labels"] or ""))
        samples[(found["name"], labels)] = float(found["value"])
    return samples


def test_metrics_count_requests_latency_queue_jobs_and_pools(live_server: LiveServer) -> None:
    for _ in range(3):
        urllib.request.urlopen(live_server.url + "/login").close()
    queued = live_server.cli("printers", "test", "demo-emulator", "--no-wait")
    assert queued.returncode == 0, queued.stderr
    live_server.cli("allocate", "--pool", "demo-sscc", "--count", "7")
    samples = _scrape(live_server)
    login = frozenset({("method", "GET"), ("route", "/login"), ("status", "200")})
    assert samples[("labelsvc_requests_total", login)] >= 3
    route = frozenset({("route", "/login")})
    count = samples[("labelsvc_request_duration_seconds_count", route)]
    inf = samples[("labelsvc_request_duration_seconds_bucket", route | {("le", "+Inf")})]
    assert inf == count >= 3
    bucket = "labelsvc_request_duration_seconds_bucket"
    mine = [(dict(k[1]), v) for k, v in samples.items() if k[0] == bucket]
    buckets = sorted((float(lb["le"]), v) for lb, v in mine
                     if lb["route"] == "/login" and lb["le"] != "+Inf")  # fmt: skip
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)  # cumulative
    depth = samples[("labelsvc_print_queue_depth", frozenset({("printer", "demo-emulator")}))]
    assert depth >= 1
    assert samples[("labelsvc_print_jobs", frozenset({("state", "needs-confirmation")}))] == 0
    remaining = samples[("labelsvc_pool_remaining", frozenset({("pool", "demo-sscc")}))]
    assert remaining == 999_999_999 - 7


def test_health_names_each_background_part(live_server: LiveServer) -> None:
    with urllib.request.urlopen(live_server.url + "/api/v1/health") as answer:
        body = json.loads(answer.read())
    assert body["status"] == "ok"
    assert body["checks"] == {"store": "ok", "checkpoint": "ok", "housekeeping": "ok",
                              "print-workers": "ok", "webhooks": "ok", "site-worker": "ok",
                              "disk": "ok"}  # fmt: skip

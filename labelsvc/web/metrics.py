"""``/metrics``: the service in the Prometheus text format, for the site's monitoring.

Requests (by method, route and status) and their latency histogram are counted in this
process; queue depth per printer, jobs by state and what every pool has left are read from
the store at each scrape. Public like ``/api/v1/health``: it names printers and pools, no
serials, users or tokens.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from flask import Blueprint, Flask, Response, g, request

from labelsvc.services.health import WAITING, gauges
from labelsvc.store.jobs import STATES as JOB_STATES
from labelsvc.web.context import service

bp = Blueprint("metrics", __name__)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STATES = JOB_STATES


class Requests:
    """Request counts and latency histograms, per (method, route, status) / route."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count: dict[tuple[str, str, int], int] = defaultdict(int)
        self.buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sum: dict[str, float] = defaultdict(float)
        self.total: dict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self.lock:
            self.count[(method, route, status)] += 1
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self.buckets[route][i] += 1
            self.sum[route] += seconds
            self.total[route] += 1


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _requests_text(r: Requests) -> list[str]:
    out = ["# HELP labelsvc_requests_total HTTP requests answered.",
           "# TYPE labelsvc_requests_total counter"]  # fmt: skip
    with r.lock:
        for (method, route, status), n in sorted(r.count.items()):
            out.append(f'labelsvc_requests_total{{method="{method}",route="{_label(route)}",'
                       f'status="{status}"}} {n}')  # fmt: skip
        out += ["# HELP labelsvc_request_duration_seconds Time to answer a request.",
                "# TYPE labelsvc_request_duration_seconds histogram"]  # fmt: skip
        for route in sorted(r.total):
            name = f'labelsvc_request_duration_seconds_bucket{{route="{_label(route)}"'
            for bound, n in zip(BUCKETS, r.buckets[route], strict=True):
                out.append(f'{name},le="{bound}"}} {n}')
            out.append(f'{name},le="+Inf"}} {r.total[route]}')
            out.append(f'labelsvc_request_duration_seconds_sum{{route="{_label(route)}"}} '
                       f"{r.sum[route]:.6f}")  # fmt: skip
            out.append(f'labelsvc_request_duration_seconds_count{{route="{_label(route)}"}} '
                       f"{r.total[route]}")  # fmt: skip
    return out


def _store_text() -> list[str]:
    found = gauges(service())
    depth: dict[str, int] = defaultdict(int)
    by_state: dict[str, int] = dict.fromkeys(STATES, 0)
    for printer, state, n in found.jobs:
        by_state[state] = by_state.get(state, 0) + n
        if state in WAITING:
            depth[printer] += n
    out = ["# HELP labelsvc_print_queue_depth Jobs queued, held or sending, per printer.",
           "# TYPE labelsvc_print_queue_depth gauge"]  # fmt: skip
    out += [f'labelsvc_print_queue_depth{{printer="{_label(p)}"}} {n}'
            for p, n in sorted(depth.items())]  # fmt: skip
    out += ["# HELP labelsvc_print_jobs Print jobs by state.", "# TYPE labelsvc_print_jobs gauge"]
    out += [f'labelsvc_print_jobs{{state="{s}"}} {n}' for s, n in by_state.items()]
    out += ["# HELP labelsvc_pool_remaining Values a serial pool can still issue.",
            "# TYPE labelsvc_pool_remaining gauge"]  # fmt: skip
    out += [f'labelsvc_pool_remaining{{pool="{_label(p)}"}} {n}'
            for p, n in sorted(found.pool_remaining.items())]  # fmt: skip
    return out


@bp.get("/metrics")
def metrics() -> Response:
    """Everything above, in the Prometheus text exposition format 0.0.4."""
    from flask import current_app

    lines = _requests_text(current_app.extensions["labelsvc.requests"]) + _store_text()
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def install_metrics(app: Flask) -> None:
    """Count every request once it is answered."""
    found = app.extensions["labelsvc.requests"] = Requests()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            found.observe(request.method, route, response.status_code,
                          time.perf_counter() - started)  # fmt: skip
        return response

"""Logging of a running service: one line per request, as text or as JSON lines.

A site's log collector wants one record per request with what identifies it (a request id
that is also sent back as ``X-Request-Id``, the actor and the station), and machine-readable
lines (``server.log_format = "json"``). Set-up happens once, in ``labelsvc serve``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

log = logging.getLogger("labelsvc.requests")
REQUEST_ID = "X-Request-Id"
_FIELDS = ("request_id", "method", "path", "status", "ms", "actor", "station")


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                body[name] = getattr(record, name)
        if record.exc_info:
            body["error"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


def configure_logging(log_format: str, level: str) -> None:
    """Send the service's records to standard error in the chosen format (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())


def install_request_log(app: Flask) -> None:
    """Give every request an id and log it when it is answered."""

    @app.before_request
    def _start() -> None:
        sent = request.headers.get(REQUEST_ID, "")
        g.request_id = sent if 0 < len(sent) <= 64 and sent.isprintable() else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:
            return response
        elapsed = (time.perf_counter() - started) * 1000
        response.headers[REQUEST_ID] = g.request_id
        actor = g.get("api_actor") or g.get("actor")  # set by the API or the pages
        fields = {
            "request_id": g.request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "ms": round(elapsed, 1),
            "actor": actor.label if actor is not None else None,
            "station": (actor.station if actor is not None else None)
            or request.cookies.get("labelsvc_station")
            or None,
        }
        log.info(
            "%s %s %s %.1f ms", request.method, request.path, response.status_code, elapsed,
            extra=fields,
        )  # fmt: skip
        return response

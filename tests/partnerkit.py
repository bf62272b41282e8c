"""A partner stand-in: a real HTTP server that receives webhooks and EPCIS captures.

It checks each delivery's signature with the subscription's secret, can refuse the first N
deliveries of a path (503), hang a path, go away (its port closed) and come back on the same
port, and records every request it answered, so tests count what was delivered.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from labelsvc.domain.webhooks import HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, verify


@dataclass
class Received:
    """One request that reached the partner."""

    path: str
    headers: dict[str, str]
    body: bytes
    signed: bool  # the signature matched the secret of the path
    status: int  # what the partner answered

    @property
    def message_id(self) -> str:
        return self.headers.get(HEADER_ID.lower(), "")

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Path:
    """How the partner treats one path."""

    secret: str = ""
    fail_first: int = 0
    hang_seconds: float = 0.0
    status: int = 200
    seen: int = 0


@dataclass
class Partner:
    """The server; ``url(path)`` is where a subscription points."""

    port: int = 0
    paths: dict[str, Path] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    arrivals: list[str] = field(default_factory=list)  # message ids as requests came in
    overlaps: int = 0  # the same message in flight twice at once (must stay 0)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: set[tuple[str, str]] = field(default_factory=set)

    def start(self) -> Partner:
        """Listen (on the same port as before, after :meth:`go_away`)."""
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                partner._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def go_away(self) -> None:
        """Stop listening: connections are refused until :meth:`start` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def path(self, path: str, **how: Any) -> Path:
        """Declare (or change) how a path is answered."""
        found = self.paths.setdefault(path, Path())
        for key, value in how.items():
            setattr(found, key, value)
        return found

    def ok(self, path: str | None = None) -> list[Received]:
        """The requests answered 2xx (of one path)."""
        with self._lock:
            return [r for r in self.received
                    if 200 <= r.status < 300 and (path is None or r.path == path)]  # fmt: skip

    def delivered_ids(self, path: str) -> set[str]:
        return {r.message_id for r in self.ok(path)}

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        how = self.paths.get(handler.path, Path())
        key = (handler.path, headers.get(HEADER_ID.lower(), ""))
        with self._lock:
            how.seen += 1
            attempt = how.seen
            self.arrivals.append(key[1])
            if key in self._in_flight:
                self.overlaps += 1
            self._in_flight.add(key)
        try:
            if how.hang_seconds:
                time.sleep(how.hang_seconds)
            signed = bool(how.secret) and verify(
                how.secret, headers.get(HEADER_TIMESTAMP.lower(), ""), body,
                headers.get(HEADER_SIGNATURE.lower(), ""),
            )  # fmt: skip
            status = 401 if not signed else 503 if attempt <= how.fail_first else how.status
            with self._lock:
                self.received.append(Received(handler.path, headers, body, signed, status))
            handler.send_response(status)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        except OSError:
            pass
        finally:
            with self._lock:
                self._in_flight.discard(key)

"""A stand-in serial issuer: a real HTTP server speaking the issuer protocol of the README.

It issues consecutive serials ``PREFIX-nnnnnn``, remembers each collection id's block (a
retried collection id gets the same block, never a new one), answers in pages of ``page``
serials with a continuation, checks the bearer token, and can drop the first N connections
*after* computing the block (the answer is lost on the way back).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Issuer:
    """The server; ``url`` is what a pool's issuer points at."""

    prefix: str = "ISS"
    page: int = 1_000
    token: str = "issuer-token"
    drop_first: int = 0  # connections closed without an answer, after computing the block
    blocks: dict[str, list[str]] = field(default_factory=dict)  # collection id -> block
    requests: list[dict[str, Any]] = field(default_factory=list)
    issued: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Issuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                issuer._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/serials"

    def _block(self, collection: str, count: int) -> list[str]:
        with self._lock:
            if collection not in self.blocks:
                first = self.issued
                self.issued += count
                numbers = range(first, self.issued)
                self.blocks[collection] = [f"{self.prefix}-{n:06}" for n in numbers]
            return self.blocks[collection]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        body = json.loads(handler.rfile.read(int(handler.headers.get("Content-Length") or 0)))
        with self._lock:
            self.requests.append(body)
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            self._send(handler, 401, {"detail": "wrong token"})
            return
        block = self._block(body["collection_id"], int(body["count"]))
        with self._lock:
            drop = self.drop_first > 0
            self.drop_first -= int(drop)
        if drop:  # computed, then the answer is lost
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        start = int(body.get("continuation") or 0)
        end = min(start + self.page, len(block))
        self._send(handler, 200, {
            "collection_id": body["collection_id"], "serials": block[start:end],
            "continuation": end if end < len(block) else None,
            "sha256": hashlib.sha256("".join(f"{s}\n" for s in block).encode()).hexdigest(),
        })  # fmt: skip

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

"""``Idempotency-Key``: a retried POST gets the first response and changes nothing again.

Records live in the database (table ``idempotency``, keyed by client and key), so the rule
holds across waitress threads and across processes on one database:

- the first request INSERTs a ``running`` record and runs; when it finishes with a status
  below 500 its status and body are stored (``done``); after a 5xx or a crash the record
  is deleted, so a retry runs it again;
- a retry with the same key and the same request (method, path, query, body) gets the
  stored response back with ``Idempotent-Replayed: true``;
- the same key with a different request is refused (409 ``idempotency-key-reused``);
- a retry while the first still runs waits up to :data:`WAIT_SECONDS` for it, then gets
  409 ``idempotency-in-progress`` with ``Retry-After``;
- a ``running`` record whose owner process is gone (or older than :data:`STALE_SECONDS`
  from another host) is taken over by the retry.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import secrets
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flask import Response

from labelsvc.domain.errors import Conflict, InvalidInput
from labelsvc.services.app import App
from labelsvc.store.idempotency import IdempotencyRecord

HEADER = "Idempotency-Key"
WAIT_SECONDS = 3.0
POLL_SECONDS = 0.05
STALE_SECONDS = 600.0
KEEP_HOURS = 24
MAX_KEY = 255
OWNER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
_claims = itertools.count()


class InProgress(Conflict):
    """The first request with this key is still running; retry after ``retry_after``."""

    retry_after = 1


def check_key(key: str) -> str:
    """A usable key: 1 to 255 visible ASCII characters."""
    if not 1 <= len(key) <= MAX_KEY or not all(33 <= ord(c) <= 126 for c in key):
        raise InvalidInput(
            "idempotency-key-invalid",
            f"{HEADER} must be 1 to {MAX_KEY} visible ASCII characters, e.g. a UUID.",
            field=HEADER,
        )
    return key


def request_hash(method: str, path: str, query: dict[str, Any], body: dict[str, Any]) -> str:
    """What makes two requests the same request."""
    canonical = json.dumps([method, path, query, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _owner_gone(record: IdempotencyRecord) -> bool:
    """True when the process that ran this record's request cannot still be running it."""
    host, _, rest = (record.owner or "").partition(":")
    pid_text, _, _token = rest.partition(":")
    if record.owner == OWNER:
        return False
    if host != socket.gethostname() or not pid_text.isdigit():
        age = datetime.now(UTC) - datetime.fromisoformat(record.created_at)
        return age > timedelta(seconds=STALE_SECONDS)
    if int(pid_text) == os.getpid():
        return True  # this pid, but an earlier process (another token)
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _decode(record: IdempotencyRecord) -> Response:
    stored = json.loads(record.response or "{}")
    raw = stored["body"]
    body = base64.b64decode(raw) if stored.get("base64") else raw.encode("utf-8")
    response = Response(body, status=record.status or 200, content_type=stored["content_type"])
    for name, value in stored.get("headers", {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _encode(response: Response) -> str:
    data = response.get_data()
    keep = {k: v for k, v in response.headers.items() if k in ("Location", "Content-Disposition")}
    try:
        body, b64 = data.decode("utf-8"), False
    except UnicodeDecodeError:
        body, b64 = base64.b64encode(data).decode("ascii"), True
    return json.dumps(
        {"content_type": response.content_type, "body": body, "base64": b64, "headers": keep}
    )


class Idempotent:
    """One request under an idempotency key: begin, then finish or abandon."""

    def __init__(self, app: App, client: str, key: str, fingerprint: str) -> None:
        self.app = app
        self.client = client
        self.key = check_key(key)
        self.fingerprint = fingerprint

    def begin(self) -> Response | None:
        """None when this request is to run; the first response when it ran before."""
        deadline = time.monotonic() + WAIT_SECONDS
        if next(_claims) % 500 == 0:
            self._purge()
        while True:
            outcome = self._try_claim()
            if outcome == "run":
                return None
            if isinstance(outcome, Response):
                return outcome
            self._wait_for_change(deadline)

    def _wait_for_change(self, deadline: float) -> None:
        """Poll (reading only) until the running record finished, vanished or was orphaned."""
        while True:
            if time.monotonic() >= deadline:
                raise InProgress(
                    "idempotency-in-progress",
                    f"A request with {HEADER} {self.key!r} is still running; retry it shortly "
                    "with the same key to get its response.",
                    key=self.key,
                )
            time.sleep(POLL_SECONDS)
            with self.app.store.read() as tx:
                record = tx.idempotency.get(self.client, self.key)
            if record is None or record.state == "done" or _owner_gone(record):
                return

    def _try_claim(self) -> Response | Literal["run", "wait"]:
        """``run``: this request runs; a Response: replay; ``wait``: running elsewhere."""
        with self.app.store.write() as tx:
            repo = tx.idempotency
            if repo.claim(self.client, self.key, self.fingerprint, OWNER):
                return "run"
            record = repo.get(self.client, self.key)
            if record is None:
                return "wait"  # released in between: claim again on the next round
            if record.request_hash != self.fingerprint:
                raise Conflict(
                    "idempotency-key-reused",
                    f"{HEADER} {self.key!r} was already used for a different request; use a "
                    "new key for a new request.",
                    key=self.key,
                )
            if record.state == "done":
                return _decode(record)
            if _owner_gone(record) and repo.take_over(
                self.client, self.key, old_owner=record.owner, owner=OWNER
            ):
                return "run"
            return "wait"

    def finish(self, response: Response) -> None:
        """Remember a response below 500; forget the key after a server error."""
        if response.status_code >= 500:
            self.abandon()
            return
        with self.app.store.write() as tx:
            tx.idempotency.finish(
                self.client, self.key, owner=OWNER, status=response.status_code,
                response=_encode(response),
            )  # fmt: skip

    def abandon(self) -> None:
        """Forget the running record so a retry runs the request again."""
        with self.app.store.write() as tx:
            tx.idempotency.release(self.client, self.key, owner=OWNER)

    def _purge(self) -> None:
        before = (datetime.now(UTC) - timedelta(hours=KEEP_HOURS)).isoformat(
            timespec="milliseconds"
        )
        with self.app.store.write() as tx:
            tx.idempotency.purge(before)

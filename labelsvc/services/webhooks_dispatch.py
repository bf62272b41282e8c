"""The webhook dispatcher: deliver due deliveries as signed HTTP POSTs, at least once.

It runs in ``labelsvc serve`` (``webhooks.start_dispatcher``); any number of instances may
run one on a store. Each round reads the oldest due delivery of every active subscription,
claims it with a conditional update (a row lock on PostgreSQL) and hands it to a bounded
thread pool; a subscription has at most one delivery in flight per instance, so a partner
that hangs holds one thread until its timeout and never the others. Sending happens outside
any transaction. A claim carries a lease: an instance killed mid-delivery leaves a
``sending`` row that another instance (or the next start, at once on the same host) sends
again, with the same message id.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import urlsplit

from labelsvc import __version__
from labelsvc.domain.actors import SYSTEM
from labelsvc.domain.errors import LabelsvcError
from labelsvc.domain.webhooks import (
    HEADER_ATTEMPT,
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    HEADER_TOPIC,
    DeliveryState,
    SubscriptionKind,
    backoff_seconds,
    signature,
)
from labelsvc.services.app import App
from labelsvc.services.epcis import export_epcis
from labelsvc.services.owners import LIVE_TOKENS, new_owner, owner_is_gone
from labelsvc.store.errors import StoreUnavailable
from labelsvc.store.jobs import later
from labelsvc.store.webhooks import CHANNEL, Claimed

log = logging.getLogger(__name__)
READ_LIMIT = 4096  # bytes of a partner's answer that are read (the status is what counts)
WHOLE_REQUEST = 3  # timeouts one exchange may take in all (connect, send, answer)
PURGE_EVERY = 3600.0  # seconds between purges of old delivered records


def message_body(claimed: Claimed) -> bytes:
    """The JSON a webhook receives: the same bytes on every attempt."""
    envelope = {"id": claimed.message_id, "topic": claimed.topic, "subject": claimed.subject,
                "created_at": claimed.created_at, "data": claimed.payload}  # fmt: skip
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


def epcis_body(app: App, claimed: Claimed) -> bytes:
    """The EPCIS 2.0 document of a shipment's root with everything in it."""
    code = str(claimed.payload["root"]["code"])
    return json.dumps(export_epcis(app, actor=SYSTEM, container=code)).encode()


def request_for(app: App, claimed: Claimed) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt, signed over ``<timestamp>.<body>``."""
    epcis = claimed.kind == SubscriptionKind.EPCIS
    body = epcis_body(app, claimed) if epcis else message_body(claimed)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/ld+json" if epcis else "application/json",
        "User-Agent": f"labelsvc/{__version__}",
        HEADER_ID: claimed.message_id,
        HEADER_TOPIC: claimed.topic,
        HEADER_TIMESTAMP: stamp,
        HEADER_SIGNATURE: signature(claimed.secret, stamp, body),
        HEADER_ATTEMPT: str(claimed.attempts),
    }
    if epcis:
        headers.update({"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"})
    if claimed.kind == SubscriptionKind.AUTHORITY:  # the site's token at its authority
        headers["Authorization"] = f"Bearer {claimed.secret}"
    return body, headers


def _never_dead(claimed: Claimed) -> bool:
    """A site's reports to its authority are retried until delivered (capped backoff):
    losing one would leave serials unaccounted for."""
    return claimed.kind == SubscriptionKind.AUTHORITY


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST once, without following redirects; (status, error text: empty on 2xx).

    ``timeout`` bounds each wait (connect, send, each read); a watchdog cuts the whole
    exchange at :data:`WHOLE_REQUEST` timeouts, so a partner trickling its answer a byte at
    a time cannot hold a claim past its lease.
    """
    parts = urlsplit(url)
    cls = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    cut = threading.Event()
    watchdog = threading.Timer(timeout * WHOLE_REQUEST, _cut, (conn, cut))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", path, body=body, headers=headers)
        answer = conn.getresponse()
        answer.read(READ_LIMIT)
        if 200 <= answer.status < 300:
            return answer.status, ""
        return answer.status, f"HTTP {answer.status} {answer.reason}".strip()
    except (OSError, HTTPException) as exc:
        if cut.is_set():
            return None, f"no complete answer within {timeout * WHOLE_REQUEST:g} s"
        return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    finally:
        watchdog.cancel()
        conn.close()


def _cut(conn: HTTPConnection, cut: threading.Event) -> None:
    """Wake a read blocked on a partner that is too slow (shutdown, unlike close, does)."""
    cut.set()
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class Dispatcher:
    """Claims due deliveries and sends them from a bounded pool of threads."""

    def __init__(self, app: App, *, seed: int | None = None) -> None:
        self.app = app
        self.cfg = app.settings.webhooks
        self.owner = new_owner()
        self.lease_seconds = self.cfg.timeout_seconds * WHOLE_REQUEST + 10
        self.last_error: str | None = None
        self._rng = random.Random(seed)
        self._busy: set[int] = set()  # subscriptions with a delivery in flight here
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max(1, self.cfg.concurrency), "webhook")
        self._thread: threading.Thread | None = None

    def start(self) -> Dispatcher:
        """Hand back what dead instances of this host held, then run (daemon threads)."""
        LIVE_TOKENS.add(self.owner)
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()
        if self.app.store.kind == "postgresql":  # woken by each commit that queued a delivery
            threading.Thread(
                target=self.app.store.listen, args=(CHANNEL, self._woken, self._stop),
                name="webhooks-listener", daemon=True,
            ).start()  # fmt: skip
        return self

    def _woken(self, payload: str) -> None:
        self._wake.set()

    def problem(self) -> str | None:
        """What is wrong (None when the last round worked), for health."""
        if self._thread is None or not self._thread.is_alive():
            return "the webhook dispatcher is not running"
        return self.last_error

    def recover(self) -> int:
        """Deliveries claimed by processes of this host that are gone go back to pending."""
        with self.app.store.write() as tx:
            gone = [o for o in tx.webhooks.sending_owners()
                    if owner_is_gone(o, own_process_tokens=LIVE_TOKENS)]  # fmt: skip
            return sum(tx.webhooks.release(o) for o in gone)

    def round(self) -> int:
        """Claim what is due (one per subscription not in flight here); return how many."""
        with self._lock:
            free = self.cfg.concurrency - len(self._busy)
            busy = set(self._busy)
        if free <= 0:
            return 0
        with self.app.store.read() as tx:
            due = tx.webhooks.due(free + len(busy))
        started = 0
        for delivery_id, sub_id in due:
            if sub_id in busy or started >= free:
                continue
            with self.app.store.write() as tx:
                claimed = tx.webhooks.claim(
                    delivery_id, owner=self.owner, lease_seconds=self.lease_seconds
                )
            if claimed is None:  # another instance took it
                continue
            with self._lock:
                self._busy.add(sub_id)
            self._pool.submit(self._deliver, claimed)
            started += 1
        return started

    def _deliver(self, claimed: Claimed) -> None:
        try:
            try:
                body, headers = request_for(self.app, claimed)
                status, error = post(claimed.url, body, headers, self.cfg.timeout_seconds)
            except LabelsvcError as exc:  # the EPCIS document cannot be built (yet)
                status, error = None, f"{exc.code}: {exc.detail}"
            self._settle(claimed, status, error)
        except Exception as exc:
            if isinstance(exc, StoreUnavailable) and self._stop.is_set():
                # Stopping: the store closed under a send in flight. Its claim lapses and
                # the next dispatcher sends it again (at least once, same message id).
                log.info("webhook delivery %s left to its lease at stop: %s", claimed.id, exc)
            else:
                log.exception("webhook delivery %s failed unexpectedly", claimed.id)
        finally:
            with self._lock:
                self._busy.discard(claimed.subscription_id)
            self._wake.set()

    def _settle(self, claimed: Claimed, status: int | None, error: str) -> None:
        if not error:
            state, retry_in = DeliveryState.DELIVERED, 0.0
        elif claimed.attempts >= self.cfg.max_attempts and not _never_dead(claimed):
            state, retry_in = DeliveryState.DEAD, 0.0
            log.warning(
                "webhook %s: message %s is dead after %d attempts: %s",
                claimed.subscription,
                claimed.message_id,
                claimed.attempts,
                error,
            )
        else:
            state = DeliveryState.PENDING
            retry_in = backoff_seconds(claimed.attempts, self.cfg.retry_base_seconds,
                                       self.cfg.retry_max_seconds, self._rng)  # fmt: skip
        with self.app.store.write() as tx:
            kept = tx.webhooks.settle(claimed.id, owner=self.owner, state=state, status=status,
                                      error=error or None, retry_in=retry_in)  # fmt: skip
        if not kept:
            log.warning("webhook delivery %s: claim lost (its lease lapsed)", claimed.id)

    def purge(self) -> int:
        """Drop the records of deliveries delivered ``keep_delivered_days`` ago (dead and
        pending ones stay until someone acts on them)."""
        days = self.cfg.keep_delivered_days
        if days <= 0:
            return 0
        with self.app.store.write() as tx:
            return tx.webhooks.purge_delivered(later(-days * 86400.0))

    def _run(self) -> None:
        next_purge = 0.0
        try:
            self._guarded(self.recover)
            while not self._stop.is_set():
                self._wake.clear()
                if time.monotonic() >= next_purge:
                    self._guarded(self.purge)
                    next_purge = time.monotonic() + PURGE_EVERY
                started = self._guarded(self.round)
                if not started:
                    self._wake.wait(self.cfg.poll_seconds)
        finally:
            self.app.store.close()

    def _guarded(self, step: Callable[[], int]) -> int:
        try:
            done = int(step())
        except Exception as exc:  # a busy or unreachable store: say so, try next round
            if self.last_error is None:
                log.warning("webhook dispatcher: %s (trying again)", exc)
            self.last_error = f"{type(exc).__name__}: {exc}"
            return 0
        self.last_error = None
        return done

    def run_forever(self) -> None:
        """Run in the foreground until Ctrl-C (``labelsvc webhooks run``)."""
        self.start()
        try:
            while not self._stop.wait(3600):
                pass
        except KeyboardInterrupt:
            log.info("stopping the webhook dispatcher")
        finally:
            self.stop()

    def stop(self, wait: float = 5.0) -> None:
        """Stop claiming; let sends in progress finish (their claims lapse if they cannot)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(wait)
        self._pool.shutdown(wait=False, cancel_futures=True)
        LIVE_TOKENS.discard(self.owner)

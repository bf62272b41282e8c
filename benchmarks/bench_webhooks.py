"""Webhook delivery lag under 50 events/s, beside a bare HTTP POST to the same receiver.

The receiver (a partner stand-in) runs in its own process and prints the arrival time of
each request. Lag is from the commit of the transaction that published a message to its
arrival at the receiver: the dispatcher's poll, claim, signing, POST and settle. The
reference: the same receiver, the same rate, each event a bare ``http.client`` POST sent at
once by the publisher (no store, no claim, no signature), i.e. the network-and-server floor.
Rounds are interleaved and repeated; the dispatcher as ``labelsvc serve`` runs it, on SQLite
(it polls: at the shipped interval, 0.1 s, and at 0.5 s) and on PostgreSQL (a private
cluster, fsync on; each commit that queues a delivery wakes it with a NOTIFY).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.client import HTTPConnection

from bench_stores import new_database, postgres
from common import fresh_app, ms, percentile

from labelsvc.domain.actors import SYSTEM
from labelsvc.domain.topics import Topic
from labelsvc.services import webhooks
from labelsvc.services.webhooks_dispatch import Dispatcher

RATE = 50  # events per second
EVENTS = 250  # per round (5 s)
ROUNDS = 3

RECEIVER = (
    "import sys, time\n"
    "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n"
    "class H(BaseHTTPRequestHandler):\n"
    "    def do_POST(self):\n"
    "        self.rfile.read(int(self.headers.get('Content-Length') or 0))\n"
    "        at = time.time()\n"
    "        self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()\n"
    "        mid = self.headers['Labelsvc-Message-Id']\n"
    "        sys.stdout.write(f'{mid} {at}\\n'); sys.stdout.flush()\n"
    "    def log_message(self, *a): pass\n"
    "s = ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
    "print(s.server_address[1], flush=True)\n"
    "s.serve_forever()\n"
)


class Receiver:
    """The receiver subprocess and the arrival time of each message id."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE,
                                     text=True)  # fmt: skip
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.arrived: dict[str, float] = {}
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            mid, at = line.split()
            with self._cond:
                self.arrived[mid] = float(at)
                self._cond.notify_all()

    def wait(self, ids: set[str]) -> None:
        with self._cond:
            self._cond.wait_for(lambda: ids <= set(self.arrived), timeout=120)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _paced() -> Iterator[int]:
    start = time.perf_counter()
    for n in range(EVENTS):
        time.sleep(max(0.0, start + n / RATE - time.perf_counter()))
        yield n


def _webhook_round(receiver: Receiver, poll: float, url: str = "") -> list[float]:
    app = fresh_app({"webhooks": {"poll_seconds": poll}, "storage": {"url": url}})
    webhooks.create_subscription(app, "bench", f"http://127.0.0.1:{receiver.port}/in",
                                 topics=[Topic.JOB_PRINTED], actor=SYSTEM)  # fmt: skip
    dispatcher = Dispatcher(app).start()
    committed: dict[str, float] = {}
    try:
        for n in _paced():
            with app.store.write() as tx:
                mid = tx.outbox.add(Topic.JOB_PRINTED, {"n": n})
            committed[mid] = time.time()
        receiver.wait(set(committed))
    finally:
        dispatcher.stop()
        app.store.shutdown()
    return [receiver.arrived[m] - t for m, t in committed.items() if m in receiver.arrived]


def _bare_round(receiver: Receiver) -> list[float]:
    sent: dict[str, float] = {}
    for _ in _paced():
        mid = str(uuid.uuid4())
        sent[mid] = time.time()
        conn = HTTPConnection("127.0.0.1", receiver.port, timeout=10)
        conn.request(
            "POST",
            "/ref",
            body=b'{"n":1}',
            headers={"Labelsvc-Message-Id": mid, "Content-Type": "application/json"},
        )
        conn.getresponse().read()
        conn.close()
    receiver.wait(set(sent))
    return [receiver.arrived[m] - t for m, t in sent.items()]


def run() -> list[tuple[str, str]]:
    receiver = Receiver()
    lags: dict[str, list[float]] = {"0.1": [], "0.5": [], "pg": [], "bare": []}
    try:
        with postgres() as admin_url:
            for _ in range(ROUNDS):
                lags["0.1"] += _webhook_round(receiver, 0.1)
                lags["bare"] += _bare_round(receiver)
                lags["pg"] += _webhook_round(receiver, 0.1, new_database(admin_url))
                lags["0.5"] += _webhook_round(receiver, 0.5)
    finally:
        receiver.stop()
    total = ROUNDS * EVENTS
    rows = []
    for key, label in (("0.1", "webhook lag, SQLite, poll 0.1 s (default)"),
                       ("0.5", "webhook lag, SQLite, poll 0.5 s"),
                       ("pg", "webhook lag, PostgreSQL, NOTIFY + poll 0.1 s"),
                       ("bare", "reference: bare HTTP POST at publish")):  # fmt: skip
        got = lags[key]
        rows.append((f"{label}: p50 / p99 ({RATE}/s)",
                     f"{ms(percentile(got, 50))} / {ms(percentile(got, 99))}"
                     f"  ({len(got)}/{total} arrived)"))  # fmt: skip
    return rows

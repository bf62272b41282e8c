"""Two ``labelsvc serve`` instances on one PostgreSQL, one killed mid-run and restarted.

Eight API clients request labels and pack-scan the units into cases, spread over both
instances; a request whose instance dies is retried with the same Idempotency-Key on the
other one. Afterwards: no serial twice, every acknowledged request stored, every label
printed exactly once or its job waiting for a person's confirmation, never printed twice.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from livekit import start_live_server, wait_until

from labelsvc.config import load_settings
from labelsvc.domain.actors import SYSTEM
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services.app import App
from labelsvc.services.users import create_token

ROOT = Path(__file__).resolve().parents[2]
GTIN = "09506000134352"
CLIENTS, ROUNDS, PER_REQUEST = 8, 10, 4


def _site(base: Path, emulator_port: int) -> Path:
    for folder in ("serial_pools", "zpl"):
        shutil.copytree(ROOT / folder, base / folder, dirs_exist_ok=True)
    (base / "printers").mkdir(parents=True, exist_ok=True)
    (base / "printers" / "dock.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator_port}"\ndpi = 203\n',
        encoding="utf-8",
    )
    return base


def _start(base: Path, url: str) -> Any:
    return start_live_server(base, {"printing": {"default_printer": "dock"}}, store_url=url)


class Client(threading.Thread):
    """One WMS client: label requests and pack scans, retried on the other instance."""

    def __init__(self, n: int, servers: list[Any], token: str) -> None:
        super().__init__(name=f"client-{n}", daemon=True)
        self.n, self.servers, self.token = n, servers, token
        self.acknowledged: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.retried_elsewhere = 0
        self.errors: list[str] = []

    def send(self, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        """POST until some instance answers; a dead one's request moves to the other."""
        turn, moved = hash(key) % 2, False
        for attempt in range(120):
            server = self.servers[(turn + attempt) % 2]
            request = urllib.request.Request(
                server.url + "/api/v1" + path, data=json.dumps(body).encode(), method="POST",
                headers={"Content-Type": "application/json", "Idempotency-Key": key,
                         "Authorization": f"Bearer {self.token}"},
            )  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    result: dict[str, Any] = json.loads(answer.read())
                    self.retried_elsewhere += moved
                    return result
            except urllib.error.HTTPError as exc:
                text = exc.read().decode()
                if moved and exc.code == 409 and "already-in-container" in text:
                    # the dead instance had packed it and died before it could answer: the
                    # retry finds it done, once (the final check counts every unit packed)
                    self.retried_elsewhere += 1
                    return {}
                if exc.code == 429:  # a well-behaved client waits as long as it is told
                    time.sleep(float(exc.headers.get("Retry-After", "1")))
                    continue
                if (exc.code in (409, 503) and "in-progress" in text) or exc.code == 503:
                    time.sleep(0.2)
                    continue
                raise AssertionError(f"{path} {body} -> {exc.code} {text}") from exc
            except OSError:
                moved = True  # that instance is down: the next attempt goes to the other one
                time.sleep(0.1)
        raise AssertionError(f"no instance answered {path} {key}")

    def run(self) -> None:
        try:
            for r in range(ROUNDS):
                key = f"c{self.n}-r{r}"
                body = {"product": GTIN, "count": PER_REQUEST}
                labels = self.send("/labels", body, f"{key}-labels")
                self.acknowledged.append((f"{key}-labels", body, labels))
                case = self.send("/containers", {"level": "case", "gtin": GTIN}, f"{key}-case")
                for item in labels["items"]:
                    scan = f"(01){GTIN}(21){item['serial']}"
                    self.send(f"/containers/{case['sscc']}/items", {"item": scan},
                              f"{key}-add-{item['serial']}")  # fmt: skip
        except AssertionError as exc:
            self.errors.append(str(exc))


def test_two_instances_one_killed_lose_nothing_and_print_nothing_twice(
    postgres_url: str, tmp_path: Path
) -> None:
    emulator = PrinterEmulator().start()
    a = _start(_site(tmp_path / "a", emulator.port), postgres_url)
    b = _start(_site(tmp_path / "b", emulator.port), postgres_url)
    app = App.open(load_settings(a.config))
    token = create_token(app.store, "wms", ["label", "pack", "read"], SYSTEM).secret
    servers = [a, b]
    clients = [Client(n, servers, token) for n in range(CLIENTS)]
    try:
        for c in clients:
            c.start()
        progress = wait_until(lambda: sum(len(c.acknowledged) for c in clients) >= CLIENTS * 3, 120)
        assert progress, "the clients made no progress before the kill"
        a.process.send_signal(signal.SIGKILL)  # mid-run: requests and sends in flight
        a.process.wait(10)
        time.sleep(1.0)
        servers[0] = _start(tmp_path / "a", postgres_url)
        for c in clients:
            c.join(300)
        assert not [e for c in clients for e in c.errors]
        assert sum(c.retried_elsewhere for c in clients) >= 1  # the kill cut requests off
        health = json.loads(urllib.request.urlopen(b.url + "/api/v1/health").read())
        assert health["store"]["kind"] == "postgresql" and len(health["instances"]) >= 2

        with app.store.read() as tx:
            twice = tx.execute(
                "SELECT namespace, value FROM items GROUP BY namespace, value HAVING COUNT(*) > 1"
            ).fetchall()
        assert twice == []
        acknowledged = [item["serial"] for c in clients for _, _, got in c.acknowledged
                        for item in got["items"]]  # fmt: skip
        assert len(acknowledged) == len(set(acknowledged)) == CLIENTS * ROUNDS * PER_REQUEST
        with app.store.read() as tx:
            stored = {r[0] for r in tx.execute(
                "SELECT value FROM items WHERE namespace = ?", (f"01:{GTIN}",))}  # fmt: skip
            packed = tx.execute(
                "SELECT COUNT(*) FROM items WHERE namespace = ? AND parent_id IS NOT NULL",
                (f"01:{GTIN}",),
            ).fetchone()[0]
        assert set(acknowledged) <= stored
        assert packed == len(acknowledged)  # every acknowledged pack scan is in its case

        # the print queue drains on the surviving instances
        def open_jobs() -> int:
            with app.store.read() as tx:
                return int(tx.execute(
                    "SELECT COUNT(*) FROM print_jobs WHERE state IN ('queued', 'held', 'sending')"
                ).fetchone()[0])  # fmt: skip

        assert wait_until(lambda: open_jobs() == 0, 120), open_jobs()
        printed = Counter(
            token for label in emulator.labels
            for token in set(re.findall(rb"[0-9A-Z]{12}", label)) if token.decode() in stored
        )  # fmt: skip
        assert max(printed.values()) == 1  # no label printed twice on its own
        with app.store.read() as tx:
            jobs = tx.jobs.query(limit=10_000)
            items = {i.id: i.value for i in tx.items.by_gtin(GTIN, limit=100_000)}
        for job in jobs:
            serials = [items[i] for i in job.item_ids if i in items]
            seen = [printed[s.encode()] for s in serials]
            if job.state in ("printed", "sent"):
                assert seen == [1] * len(serials), job
            else:
                assert job.state == "needs-confirmation", job
        # a request repeated later on the other instance gets the first answer back
        key, body, first = clients[0].acknowledged[0]
        replay = clients[0].send("/labels", body, key)
        assert [i["serial"] for i in replay["items"]] == [i["serial"] for i in first["items"]]
    finally:
        for server in servers:
            server.stop()
        emulator.stop()
        app.store.shutdown()


def test_a_job_queued_on_one_instance_wakes_the_workers_of_another(
    postgres_url: str, tmp_path: Path
) -> None:
    from labelsvc.config import settings_from_dict
    from labelsvc.services.bootstrap import initialize
    from labelsvc.services.labeling import request_labels
    from labelsvc.services.print_queue import WorkerSet

    emulator = PrinterEmulator().start()
    base = _site(tmp_path / "site", emulator.port)
    settings = settings_from_dict(
        {"storage": {"url": postgres_url}, "printing": {"default_printer": "dock"}}, "t", base
    )
    printer_host = App.open(settings)
    initialize(printer_host, demo=True, admin_password="admin-password")
    # polling so slow that only a notification can wake these workers within the test
    workers = WorkerSet(printer_host, poll_seconds=3600, lease_seconds=3600).start()
    requester = App.open(settings)  # another instance: its own process state, no workers
    try:
        time.sleep(1.0)  # the listener is connected
        request_labels(requester, count=3, actor=SYSTEM, product=GTIN)
        assert emulator.wait_for_labels(3, timeout=30)
    finally:
        workers.stop()
        emulator.stop()
        printer_host.store.shutdown()
        requester.store.shutdown()

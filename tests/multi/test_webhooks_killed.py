"""A ``labelsvc serve`` killed with SIGKILL in the middle of webhook deliveries loses none:
the next start sends the message it was sending again, with the same id; both stores."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from livekit import run_cli, start_live_server, wait_until, write_config
from partnerkit import Partner

from labelsvc.config import load_settings
from labelsvc.domain.topics import Topic
from labelsvc.services.app import App

HOOKS = {"webhooks": {"timeout_seconds": 5.0, "poll_seconds": 0.05, "retry_base_seconds": 0.05,
                      "retry_max_seconds": 0.2, "max_attempts": 100}}  # fmt: skip


def test_sigkill_mid_delivery_loses_nothing(project: Path, store_url: str) -> None:
    partner = Partner().start()
    server = start_live_server(project, HOOKS, store_url)
    app = App.open(load_settings(server.config))
    try:
        added = server.cli(
            "webhooks",
            "add",
            "partner",
            partner.url("/in"),
            "--topic",
            "job.printed",
            "--topic",
            "printer.status-changed",
        )
        assert added.returncode == 0, added.stderr
        partner.path("/in", secret=added.stdout.strip(), hang_seconds=2.0)
        sent = []
        for n in range(12):
            with app.store.write() as tx:
                topic = Topic.JOB_PRINTED if n % 2 else Topic.PRINTER_STATUS_CHANGED
                sent.append(tx.outbox.add(topic, {"n": n}))
        assert wait_until(lambda: partner.paths["/in"].seen >= 1)  # a POST is in flight
        server.process.kill()  # SIGKILL: no drain, its claim stays behind
        server.process.wait(10)
        with app.store.read() as tx:
            sending = tx.webhooks.deliveries(tx.webhooks.all()[0].id, state="sending", after=0,
                                             limit=10)  # fmt: skip
        assert len(sending) == 1
        killed = sending[0].message_id

        partner.path("/in", hang_seconds=0.0)
        server = start_live_server(project, HOOKS, store_url)
        assert wait_until(lambda: partner.delivered_ids("/in") >= set(sent), timeout=60)
        listed = server.cli("webhooks", "deliveries", "partner", "--json")
        assert listed.returncode == 0, listed.stderr
    finally:
        server.stop()
        partner.go_away()
        app.store.shutdown()
    assert killed in partner.delivered_ids("/in")
    assert partner.arrivals.count(killed) >= 2  # the killed attempt, and the one sent again
    assert all(r.signed for r in partner.received)
    assert '"state": "delivered"' in listed.stdout and '"state": "pending"' not in listed.stdout


def test_the_dispatcher_runs_in_its_own_process(project: Path, store_url: str) -> None:
    partner = Partner().start()
    cfg = write_config(project, {"storage": {"url": store_url}, **HOOKS})
    assert run_cli(cfg, "init", "--admin-password", "admin-password").returncode == 0
    added = run_cli(cfg, "webhooks", "add", "p", partner.url("/p"), "--topic", "pool.low")
    partner.path("/p", secret=added.stdout.strip())
    process = subprocess.Popen([sys.executable, "-m", "labelsvc", "--config", str(cfg),
                                "webhooks", "run"], cwd=project)  # fmt: skip
    app = App.open(load_settings(cfg))
    try:
        with app.store.write() as tx:
            sent = tx.outbox.add(Topic.POOL_LOW, {"pool": "p"})
        assert wait_until(lambda: partner.delivered_ids("/p") == {sent})
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(20) == 0
        partner.go_away()
        app.store.shutdown()

"""Webhooks from the outbox: every state change of interest is published in its own
transaction, and the dispatcher delivers it signed, at least once, to a real HTTP partner
that fails, goes away, hangs or never answers 2xx; both stores."""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flows_support import GTIN, epcis_errors, hri
from livekit import wait_until
from partnerkit import Partner

from labelsvc.config import Settings, settings_from_dict
from labelsvc.domain.actors import SYSTEM, Actor
from labelsvc.domain.errors import Conflict
from labelsvc.domain.pools import PoolSpec
from labelsvc.domain.topics import ALL_TOPICS, Topic
from labelsvc.domain.webhooks import HEADER_ATTEMPT, HEADER_TOPIC, backoff_seconds
from labelsvc.services import packing, shipping, trace, webhooks
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize
from labelsvc.services.epcis import sscc_uri
from labelsvc.services.flow_views import ItemView
from labelsvc.services.pools import save_pool
from labelsvc.services.printers import sync_printers
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import close_receipt, load_receipt, receive_untagged
from labelsvc.services.webhooks_dispatch import Dispatcher
from labelsvc.store.jobs import later

FAST = {"retry_base_seconds": 0.05, "retry_max_seconds": 0.3, "timeout_seconds": 1.0,
        "poll_seconds": 0.05, "max_attempts": 100, "concurrency": 4}  # fmt: skip


def _settings(project: Path, store_url: str, **webhooks: object) -> Settings:
    return settings_from_dict(
        {"storage": {"url": store_url}, "webhooks": {**FAST, **webhooks}}, "test", project
    )


@pytest.fixture
def hooks(project: Path, store_url: str) -> Iterator[App]:
    """The demo service with fast webhook retries and its printers loaded."""
    app = App.open(_settings(project, store_url))
    initialize(app, demo=True, admin_password="admin-password")
    sync_printers(app)
    yield app
    app.store.shutdown()


@pytest.fixture
def partner() -> Iterator[Partner]:
    found = Partner().start()
    yield found
    found.go_away()


def _subscribe(app: App, partner: Partner, name: str, topics: list[str], **how: object) -> str:
    path = f"/hooks/{name}"
    made = webhooks.create_subscription(app, name, partner.url(path), topics=topics,
                                        actor=SYSTEM)  # fmt: skip
    partner.path(path, secret=made.secret, **how)
    return path


def _publish(app: App, count: int, topic: Topic = Topic.JOB_PRINTED) -> list[str]:
    ids = []
    for n in range(count):
        with app.store.write() as tx:
            ids.append(tx.outbox.add(topic, {"n": n}, subject=f"test:{n}"))
    return ids


def _units(app: App, actor: Actor, count: int, ref: str) -> list[ItemView]:
    spec = receipt_from_mapping(
        {"reference": ref, "lines": [{"gtin": GTIN, "quantity": count, "lot": "L1"}]}, "test"
    )
    load_receipt(app, spec, actor=actor)
    return list(receive_untagged(app, ref, 1, count, actor=actor).items)


def _pallet(app: App, actor: Actor) -> tuple[str, list[str], list[ItemView]]:
    units = _units(app, actor, 24, "ASN-W")
    cases = []
    for part in (units[:12], units[12:]):
        case = packing.open_case(app, actor=actor, gtin=GTIN)
        for u in part:
            packing.add_to_container(app, case.sscc, hri(u), actor=actor)
        cases.append(packing.close_container(app, case.sscc, actor=actor).sscc)
    pallet = packing.open_pallet(app, actor=actor)
    for c in cases:
        packing.add_to_container(app, pallet.sscc, c, actor=actor)
    packing.close_container(app, pallet.sscc, actor=actor)
    return pallet.sscc, cases, units


def test_each_state_change_publishes_one_message_with_its_change(
    hooks: App, operator: Actor, supervisor: Actor
) -> None:
    _subscribe(hooks, Partner(), "all", sorted(ALL_TOPICS))
    save_pool(hooks.store, PoolSpec("tiny", "custom", pattern="T-{seq}", range_start=1,
                                    range_end=3, low_water=1), SYSTEM)  # fmt: skip
    allocate(hooks.store, "tiny", 2, actor=operator)
    allocate(hooks.store, "tiny", 1, actor=operator)
    units = _units(hooks, operator, 3, "ASN-1")
    close_receipt(hooks, "ASN-1", actor=supervisor, reason="short is fine")  # clean: nothing open
    case = packing.open_case(hooks, actor=operator, gtin=GTIN)
    packing.add_to_container(hooks, case.sscc, hri(units[0]), actor=operator)
    packing.close_container(hooks, case.sscc, actor=operator, reason="end of lot")
    trace.quarantine(hooks, hri(units[1]), actor=operator, reason="damaged")
    trace.quarantine(hooks, hri(units[2]), actor=supervisor, reason="supplier", recall=True)
    with pytest.raises(Conflict):  # a refused change publishes nothing
        shipping.ship(hooks, hri(units[1]), reference="SO-0", actor=operator)
    shipping.ship(hooks, case.sscc, reference="SO-1", actor=operator)

    with hooks.store.read() as tx:
        messages = tx.outbox.after(0)
    by_topic = {m.topic: m for m in messages}
    assert [m.topic for m in messages] == [
        "pool.low", "pool.exhausted", "receipt.closed", "container.closed",
        "items.quarantined", "items.recalled", "shipment.shipped",
    ]  # fmt: skip
    assert by_topic["pool.low"].payload["remaining"] == 1
    assert by_topic["receipt.closed"].payload["reference"] == "ASN-1"
    closed = by_topic["container.closed"].payload
    assert closed["container"]["sscc"] == case.sscc and closed["reason"] == "end of lot"
    assert by_topic["items.recalled"].payload["items"][0]["serial"] == units[2].value
    shipped = by_topic["shipment.shipped"].payload
    assert shipped["reference"] == "SO-1" and shipped["count"] == 2
    sub = webhooks.get_subscription(hooks, "all", actor=SYSTEM)
    assert sub.counts["pending"] == len(messages)  # one delivery per message, same commit


def test_receipt_closed_with_discrepancies_says_what_was_wrong(
    hooks: App, operator: Actor, supervisor: Actor
) -> None:
    spec = receipt_from_mapping({"reference": "ASN-2", "lines": [{"gtin": GTIN, "quantity": 5}]},
                                "test")  # fmt: skip
    load_receipt(hooks, spec, actor=operator)
    receive_untagged(hooks, "ASN-2", 1, 2, actor=operator)
    close_receipt(hooks, "ASN-2", actor=supervisor, reason="rest next week")
    with hooks.store.read() as tx:
        (message,) = tx.outbox.by_topic(Topic.RECEIPT_CLOSED)
    assert message.payload["clean"] is False
    assert [d["kind"] for d in message.payload["discrepancies"]] == ["short"]
    assert message.payload["reason"] == "rest next week"


def test_signed_retried_through_an_outage_nothing_lost(hooks: App, partner: Partner) -> None:
    flaky = _subscribe(hooks, partner, "flaky", ["job.printed"], fail_first=5)
    steady = _subscribe(hooks, partner, "steady", ["job.printed", "pool.low"])
    sent = _publish(hooks, 20)
    dispatcher = Dispatcher(hooks, seed=1).start()
    try:
        assert wait_until(lambda: len(partner.ok(steady)) >= 5)
        partner.go_away()  # the partner is down for a while: connections refused
        more = _publish(hooks, 10) + _publish(hooks, 3, Topic.POOL_LOW)
        wait_until(lambda: False, timeout=0.5)
        partner.start()
        assert wait_until(lambda: partner.delivered_ids(steady) == set(sent + more))
        assert wait_until(lambda: partner.delivered_ids(flaky) == set(sent + more[:10]))
    finally:
        dispatcher.stop()
    assert all(r.signed for r in partner.received)
    refused = [r for r in partner.received if r.status == 503]
    assert len(refused) == 5
    assert {r.message_id for r in refused} <= partner.delivered_ids(flaky)  # same ids again
    again = [r for r in partner.ok(flaky) if r.message_id in {x.message_id for x in refused}]
    assert all(int(r.headers[HEADER_ATTEMPT.lower()]) >= 2 for r in again)
    assert {r.headers[HEADER_TOPIC.lower()] for r in partner.ok(steady)} == {
        "job.printed",
        "pool.low",
    }
    assert {r.json["id"] for r in partner.ok(steady)} == set(sent + more)
    assert partner.overlaps == 0
    counts = webhooks.get_subscription(hooks, "flaky", actor=SYSTEM).counts
    assert counts["delivered"] == 30 and counts["pending"] == counts["dead"] == 0


def test_dead_after_n_attempts_then_redelivered_with_the_same_id(
    project: Path, store_url: str, partner: Partner
) -> None:
    app = App.open(_settings(project, store_url, max_attempts=3))
    try:
        path = _subscribe(app, partner, "down", ["job.failed"], status=500)
        (sent,) = _publish(app, 1, Topic.JOB_FAILED)
        dispatcher = Dispatcher(app, seed=2).start()
        try:
            assert wait_until(lambda: webhooks.get_subscription(
                app, "down", actor=SYSTEM).counts["dead"] == 1)  # fmt: skip
            assert len(partner.received) == 3
            (dead,) = webhooks.list_deliveries(app, "down", actor=SYSTEM, state="dead")
            assert dead.attempts == 3 and dead.last_status == 500 and dead.message_id == sent
            partner.path(path, status=200)
            assert webhooks.redeliver(app, "down", actor=SYSTEM, dead=True) == 1
            assert wait_until(lambda: partner.delivered_ids(path) == {sent})
            assert wait_until(lambda: webhooks.list_deliveries(  # settled after the answer
                app, "down", actor=SYSTEM)[0].state == "delivered")  # fmt: skip
        finally:
            dispatcher.stop()
        (done,) = webhooks.list_deliveries(app, "down", actor=SYSTEM)
        assert done.state == "delivered" and done.attempts == 1
    finally:
        app.store.shutdown()


def test_a_hanging_partner_does_not_stall_the_others(hooks: App, partner: Partner) -> None:
    hanging = _subscribe(hooks, partner, "hangs", ["job.held"], hang_seconds=3)
    fine = _subscribe(hooks, partner, "fine", ["job.held"])
    sent = _publish(hooks, 15, Topic.JOB_HELD)
    dispatcher = Dispatcher(hooks, seed=3).start()
    try:
        assert wait_until(lambda: partner.delivered_ids(fine) == set(sent), timeout=10)
        assert not partner.ok(hanging)  # its first attempt is still hanging (or timed out)
    finally:
        dispatcher.stop()
    hung = webhooks.list_deliveries(hooks, "hangs", actor=SYSTEM)
    assert all(d.state != "delivered" for d in hung)


def test_two_dispatchers_on_one_store_never_send_one_message_twice_at_once(
    hooks: App, project: Path, store_url: str, partner: Partner
) -> None:
    path = _subscribe(hooks, partner, "shared", ["job.printed"], hang_seconds=0.02)
    _subscribe(hooks, partner, "second", ["job.printed"])
    sent = _publish(hooks, 40)
    other = App.open(_settings(project, store_url))  # a second instance: its own store handle
    first, second = Dispatcher(hooks, seed=4).start(), Dispatcher(other, seed=5).start()
    try:
        assert wait_until(lambda: partner.delivered_ids(path) == set(sent))
        assert wait_until(lambda: partner.delivered_ids("/hooks/second") == set(sent))
    finally:
        first.stop()
        second.stop()
        other.store.shutdown()
    assert partner.overlaps == 0
    assert len(partner.ok(path)) == len(sent)  # nothing failed, so each exactly once


def test_an_epcis_subscription_pushes_each_shipment_with_its_aggregation(
    hooks: App, partner: Partner, operator: Actor
) -> None:
    made = webhooks.create_subscription(hooks, "customer", partner.url("/epcis/capture"),
                                        kind="epcis", actor=SYSTEM)  # fmt: skip
    assert made.subscription.topics == ("shipment.shipped",)
    partner.path("/epcis/capture", secret=made.secret, status=202)
    pallet, cases, units = _pallet(hooks, operator)
    shipping.ship(hooks, pallet, reference="SO-9", actor=operator)
    dispatcher = Dispatcher(hooks, seed=6).start()
    try:
        assert wait_until(lambda: len(partner.ok("/epcis/capture")) == 1)
    finally:
        dispatcher.stop()
    (capture,) = partner.ok("/epcis/capture")
    assert capture.headers["content-type"] == "application/ld+json"
    document = capture.json
    assert epcis_errors(document) == []
    events = document["epcisBody"]["eventList"]
    children: dict[str, set[str]] = {}
    for e in events:
        if e["type"] == "AggregationEvent" and e["action"] == "ADD":
            children.setdefault(e["parentID"], set()).update(e["childEPCs"])
    assert children[sscc_uri(pallet, 7)] == {sscc_uri(c, 7) for c in cases}
    units_packed = set().union(*(children[sscc_uri(c, 7)] for c in cases))
    assert len(units_packed) == 24 and all(u.value in " ".join(units_packed) for u in units)
    shipped = [e for e in events if e.get("bizStep", "").endswith("shipping")]
    assert shipped and sscc_uri(pallet, 7) in shipped[0]["epcList"]


def test_the_command_line_manages_subscriptions(hooks: App, partner: Partner) -> None:
    from click.testing import CliRunner

    from labelsvc.cli import main

    base = hooks.settings.base_dir
    (base / "config.toml").write_text(
        f"[storage]\nurl = {json.dumps(hooks.settings.storage.url)}\n", encoding="utf-8"
    )

    def run(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(main, ["--config", str(base / "config.toml"), *args])
        assert (result.exit_code == 0) == ok, result.output
        return result.stdout if ok else result.output

    secret = run("webhooks", "add", "tms", partner.url("/tms"), "--topic", "shipment.shipped",
                 "--topic", "container.closed").strip().splitlines()[0]  # fmt: skip
    assert secret.startswith("whsec_")
    assert run("webhooks", "add", "cust", partner.url("/cap"), "--epcis").startswith("whsec_")
    listed = run("webhooks", "list")
    assert [line.split()[:2] for line in listed.splitlines() if line.startswith("cust")] == [
        ["cust", "epcis"]]  # fmt: skip
    assert "tms" in listed and secret not in listed and "container.closed" in listed
    assert "already" in run("webhooks", "add", "tms", partner.url("/x"), "--topic",
                            "pool.low", ok=False)  # fmt: skip
    (sent,) = _publish(hooks, 1, Topic.CONTAINER_CLOSED)
    assert "tms paused" in run("webhooks", "pause", "tms")
    rows = json.loads(run("webhooks", "deliveries", "tms", "--json"))
    assert [(r["message_id"], r["state"]) for r in rows] == [(sent, "pending")]
    assert "1 delivery(ies) of tms queued again" in run(
        "webhooks", "redeliver", "tms", "--delivery", str(rows[0]["id"]))  # fmt: skip
    assert "tms resumed" in run("webhooks", "resume", "tms")
    rotated = run("webhooks", "rotate", "tms").strip()
    assert rotated.startswith("whsec_") and rotated != secret
    assert "tms removed" in run("webhooks", "remove", "tms")
    assert "tms" not in run("webhooks", "list")


def test_a_partner_trickling_its_answer_is_cut_off(hooks: App) -> None:
    """Each byte comes within the timeout, the whole answer never: the attempt still ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        with contextlib.suppress(OSError):
            while not stop.wait(0.2):
                conn.sendall(b"H")
        conn.close()

    threading.Thread(target=trickle, daemon=True).start()
    port = listener.getsockname()[1]
    made = webhooks.create_subscription(hooks, "slow", f"http://127.0.0.1:{port}/",
                                        topics=["pool.low"], actor=SYSTEM)  # fmt: skip
    assert made.secret
    _publish(hooks, 1, Topic.POOL_LOW)
    dispatcher = Dispatcher(hooks, seed=7).start()  # timeout 1 s: cut after 3 s
    try:
        assert wait_until(lambda: bool(webhooks.list_deliveries(hooks, "slow", actor=SYSTEM)[0]
                                       .last_error), timeout=20)  # fmt: skip
    finally:
        stop.set()
        dispatcher.stop()
        listener.close()
    (delivery,) = webhooks.list_deliveries(hooks, "slow", actor=SYSTEM)
    assert delivery.state == "pending" and "no complete answer within 3 s" in (
        delivery.last_error or "")  # fmt: skip


def test_the_readme_recipe_verifies_a_real_delivery(hooks: App, partner: Partner) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Webhooks and EPCIS push to partners", 1)[1]
    recipe = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(recipe, namespace)  # the receiver's code, exactly as documented
    path = _subscribe(hooks, partner, "doc", ["pool.low"])
    secret = partner.paths[path].secret
    _publish(hooks, 1, Topic.POOL_LOW)
    dispatcher = Dispatcher(hooks, seed=8).start()
    try:
        assert wait_until(lambda: len(partner.ok(path)) == 1)
    finally:
        dispatcher.stop()
    (got,) = partner.ok(path)
    headers = {name: got.headers[name.lower()] for name in
               ("Labelsvc-Timestamp", "Labelsvc-Signature", "Labelsvc-Message-Id")}  # fmt: skip
    assert namespace["verify"](secret, headers, got.body)
    assert not namespace["verify"](secret, headers, got.body + b" ")
    assert not namespace["verify"]("whsec_other", headers, got.body)


def test_old_delivered_records_are_dropped_and_nothing_else(hooks: App, partner: Partner) -> None:
    _subscribe(hooks, partner, "done", ["pool.low"])
    _subscribe(hooks, partner, "held", ["pool.low"])
    webhooks.set_active(hooks, "held", False, actor=SYSTEM)
    _publish(hooks, 3, Topic.POOL_LOW)
    dispatcher = Dispatcher(hooks, seed=9).start()
    try:
        assert wait_until(lambda: len(partner.ok("/hooks/done")) == 3)
        assert wait_until(lambda: webhooks.get_subscription(
            hooks, "done", actor=SYSTEM).counts["delivered"] == 3)  # fmt: skip
        assert dispatcher.purge() == 0  # delivered just now: kept for 30 days
    finally:
        dispatcher.stop()
    with hooks.store.write() as tx:
        assert tx.webhooks.purge_delivered(later(1.0)) == 3  # as if 30 days had passed
    assert webhooks.get_subscription(hooks, "done", actor=SYSTEM).counts["delivered"] == 0
    assert webhooks.get_subscription(hooks, "held", actor=SYSTEM).counts["pending"] == 3
    with hooks.store.read() as tx:
        assert len(tx.outbox.after(0)) == 3  # the messages themselves stay


def test_a_paused_subscription_keeps_its_messages_and_sends_them_on_resume(
    hooks: App, partner: Partner
) -> None:
    path = _subscribe(hooks, partner, "later", ["job.printed"])
    webhooks.set_active(hooks, "later", False, actor=SYSTEM)
    sent = _publish(hooks, 5)
    dispatcher = Dispatcher(hooks, seed=10).start()
    try:
        wait_until(lambda: False, timeout=0.5)  # several rounds of the dispatcher
        assert partner.received == []
        webhooks.set_active(hooks, "later", True, actor=SYSTEM)
        assert wait_until(lambda: partner.delivered_ids(path) == set(sent))
    finally:
        dispatcher.stop()


def test_backoff_doubles_with_jitter_up_to_its_cap() -> None:
    rng = random.Random(0)
    for attempts, ceiling in ((1, 2.0), (2, 4.0), (3, 8.0), (9, 60.0), (40, 60.0)):
        delays = [backoff_seconds(attempts, 2.0, 60.0, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # spread, so retries do not bunch up

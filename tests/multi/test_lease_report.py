"""The site's reporter (both stores): several instances on one store report every leased
serial, in batches of ``leases.report_batch`` with increasing ``seq``, and nothing twice;
serials of issued lists are reported to their issuer per block."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

from leasekit import ADMIN, GTIN, POOL, units
from livekit import wait_until, write_config
from storekit import scalar

from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.domain.leases import BlockOrigin
from labelsvc.domain.pools import PoolSpec
from labelsvc.domain.topics import Topic
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize
from labelsvc.services.labeling import void
from labelsvc.services.lease_report import report_usage
from labelsvc.services.pools import save_pool
from labelsvc.services.supply import receive_block


def _leased(app: App, count: int) -> list[str]:
    """The site's mirror of the leased pool, holding lease 7 of ``count`` serials."""
    save_pool(app.store, units("lease"), ADMIN)
    values = [f"L{n:07}" for n in range(1, count + 1)]
    with app.store.write() as tx:
        receive_block(tx, pool=POOL, gtin=GTIN, origin=BlockOrigin.LEASE, reference="7",
                      values=values, actor=ADMIN)  # fmt: skip
    return values


def _messages(app: App, topic: Topic) -> list[dict[str, object]]:
    with app.store.read() as tx:
        return [m.payload for m in tx.outbox.by_topic(topic, limit=1000)]


def test_two_instances_report_every_leased_serial_once_in_batches(
    app: App, operator: Actor
) -> None:
    _leased(app, 300)
    issued = [v for _ in range(5) for v in allocate(app.store, POOL, 50, actor=operator).serials]
    for value in issued[:3]:
        void(app, f"01{GTIN}21{value}", reason="torn", actor=ADMIN)
    small = replace(app.settings, leases=replace(app.settings.leases, report_batch=40))
    instances = [App.open(small) for _ in range(2)]
    counted: list[int] = []
    threads = [threading.Thread(target=lambda a=a: counted.append(report_usage(a, "north")))
               for a in instances]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for a in instances:
        a.store.shutdown()
    reports = _messages(app, Topic.LEASE_USAGE)
    assert [r["seq"] for r in reports] == list(range(1, len(reports) + 1))
    assert all(len(r["serials"]) <= 40 for r in reports)  # type: ignore[arg-type]
    entries = [s for r in reports for s in r["serials"]]  # type: ignore[attr-defined]
    assert sum(counted) == len(entries)
    assert {s["value"] for s in entries} == set(issued)
    assert len(entries) <= len(issued) + 3  # a voided one may come again, with its event
    last = {s["value"]: s["state"] for s in entries}
    assert [last[v] for v in issued[:4]] == ["voided", "voided", "voided", "allocated"]
    assert {s["lease"] for s in entries} == {7} and {r["site"] for r in reports} == {"north"}
    voids = [e for r in reports for e in r["events"] if e["type"] == "voided"]  # type: ignore[attr-defined]
    assert sorted(e["item"]["value"] for e in voids) == sorted(issued[:3])
    assert report_usage(app) == 0
    assert scalar(app, "SELECT seq FROM lease_report_cursors WHERE name = 'lease'") == len(reports)


def test_serials_of_an_issued_list_are_reported_to_their_issuer_per_block(
    app: App, operator: Actor
) -> None:
    save_pool(app.store, PoolSpec(name="issued", kind="custom", supply="list"), ADMIN)
    with app.store.write() as tx:
        receive_block(tx, pool="issued", gtin=None, origin=BlockOrigin.ISSUER,
                      reference="col-1", values=["X1", "X2", "X3"], actor=ADMIN)  # fmt: skip
        receive_block(tx, pool="issued", gtin=None, origin=BlockOrigin.FILE,
                      reference="file.csv", values=["F1", "F2"], actor=ADMIN)  # fmt: skip
    allocate(app.store, "issued", 5, actor=operator)
    assert report_usage(app) == 5
    assert _messages(app, Topic.LIST_USAGE) == [{
        "pool": "issued", "issuer_reference": "col-1",
        "serials": [{"value": v, "gtin": None, "state": "allocated"} for v in ("X1", "X2", "X3")],
    }]  # fmt: skip
    assert _messages(app, Topic.LEASE_USAGE) == []


def test_an_item_committed_after_a_later_one_is_still_reported(
    project: Path, postgres_url: str, operator: Actor
) -> None:
    """PostgreSQL takes ids before commit: the reporter waits for writers in flight instead
    of moving its cursor past an id whose row is not committed yet (and losing it)."""
    app = App.open(settings_from_dict({"storage": {"url": postgres_url}}, "test", project))
    initialize(app, demo=True, admin_password="admin-password")
    _leased(app, 10)
    inserted, finish = threading.Event(), threading.Event()

    with app.store.write() as tx:  # an allocation that took its value, items not written
        record = tx.pools.add_allocation(
            pool=POOL, gtin=GTIN, count=1, idempotency_key=None, actor="user:olga",
            station=None, source="supply",
        )  # fmt: skip
        tx.supply.take(POOL, GTIN, 1, record.id)
        values = tx.supply.values_of_allocation(record.id, 0, 1)

    def slow_allocation() -> None:  # takes its item id first, commits last
        with app.store.write() as tx:
            tx.items.insert_allocated(values, namespace=f"01:{GTIN}", kind="unit", gtin=GTIN,
                                      pool=POOL, allocation_id=record.id)  # fmt: skip
            inserted.set()
            finish.wait(30)

    slow = threading.Thread(target=slow_allocation)
    slow.start()
    try:
        assert inserted.wait(30)
        later = allocate(app.store, POOL, 1, actor=operator).serials  # a higher id, committed
        reporting = threading.Thread(target=report_usage, args=(app, "north"))
        reporting.start()
        reporting.join(1.0)
        assert reporting.is_alive()  # waits for the allocation in flight
        finish.set()
        reporting.join(30)
        report_usage(app, "north")
    finally:
        finish.set()
        slow.join(30)
    reported = [s["value"] for r in _messages(app, Topic.LEASE_USAGE) for s in r["serials"]]  # type: ignore[attr-defined]
    app.store.shutdown()
    assert sorted(reported) == sorted(["L0000001", *later])


KILLED_REPORTER = """
import sys
from labelsvc.config import load_settings
from labelsvc.services.app import App
from labelsvc.services.lease_report import report_usage
report_usage(App.open(load_settings(sys.argv[1])), "north")
"""


def test_a_reporter_killed_mid_way_loses_and_doubles_nothing(
    app: App, operator: Actor, project: Path, store_url: str
) -> None:
    values = _leased(app, 30_000)
    allocate(app.store, POOL, 30_000, actor=operator, limit=30_000)
    config = write_config(project, {"storage": {"url": store_url},
                                    "leases": {"report_batch": 200}})  # fmt: skip
    reporter = subprocess.Popen([sys.executable, "-c", KILLED_REPORTER, str(config)])

    def reported() -> int:
        return int(scalar(app, "SELECT COUNT(*) FROM outbox WHERE topic = 'lease.usage'"))

    assert wait_until(lambda: reported() >= 5 or reporter.poll() is not None)
    reporter.send_signal(signal.SIGKILL)
    reporter.wait(10)
    assert 0 < reported() < 150  # killed in the middle
    report_usage(app, "north")
    reports = _messages(app, Topic.LEASE_USAGE)
    assert [r["seq"] for r in reports] == list(range(1, len(reports) + 1))
    entries = [s["value"] for r in reports for s in r["serials"]]  # type: ignore[attr-defined]
    assert sorted(entries) == values  # each once: none lost, none twice

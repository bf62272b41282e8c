"""Reconciliation: sites on their own SQLite files report what they did with leased serials
to a live authority (both stores), which applies each report once, imports the sites'
events into its trace, refuses what cannot be right, and takes back unused serials."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from leasekit import (
    ADMIN,
    GTIN,
    POOL,
    Authority,
    Site,
    authority_store,
    code,
    deliver,
    lease,
    open_site,
)
from livekit import LiveServer, free_port, run_cli, wait_until, write_config
from storekit import rows, scalar

from labelsvc.config import LeaseSettings
from labelsvc.domain.topics import Topic
from labelsvc.services.epcis import export_epcis
from labelsvc.services.labeling import request_labels, void
from labelsvc.services.lease_report import report_usage
from labelsvc.services.trace import trace
from labelsvc.services.webhooks_dispatch import Dispatcher


@pytest.fixture
def authority(live_server: LiveServer) -> Iterator[Authority]:
    made = Authority(live_server, authority_store(live_server.config))
    yield made
    made.app.store.shutdown()


@pytest.fixture
def north(authority: Authority, tmp_path: Path) -> Iterator[Site]:
    site = open_site(authority.app, authority.url, tmp_path / "north", "north")
    yield site
    site.close()


def _print(site: Site, count: int) -> list[str]:
    """Label ``count`` leased serials at the site; wait until the printer took them."""
    done = request_labels(site.app, count=count, actor=ADMIN, pool=POOL, printer="demo-file")
    ids = [i.id for i in done.items]
    marks = ",".join("?" * len(ids))
    assert wait_until(lambda: scalar(
        site.app, f"SELECT COUNT(*) FROM items WHERE state = 'labeled' AND id IN ({marks})", ids,
    ) == count)  # fmt: skip
    return [i.value for i in done.items]


def _usage_envelopes(site: Site) -> list[dict[str, object]]:
    with site.app.store.read() as tx:
        found = tx.outbox.by_topic(Topic.LEASE_USAGE)
    return [{"id": m.message_id, "topic": m.topic, "subject": m.subject,
             "created_at": m.created_at, "data": m.payload} for m in found]  # fmt: skip


def test_a_site_reports_what_it_printed_and_the_authority_traces_its_events(
    authority: Authority, north: Site
) -> None:
    granted = lease(authority, north, 20, "north-1")
    printed = _print(north, 5)
    void(north.app, code(printed[0]), reason="label torn", actor=ADMIN)
    assert report_usage(north.app) == 5
    assert report_usage(north.app) == 0  # nothing new since
    deliver(north)

    at = authority.app
    states = dict(rows(at, f"SELECT value, state FROM items WHERE pool = '{POOL}'"))
    assert [states[v] for v in printed] == ["voided", "labeled", "labeled", "labeled", "labeled"]
    assert sum(1 for s in states.values() if s == "allocated") == 15
    lease_row = rows(at, "SELECT used, voided, returned FROM leases WHERE id = ?",
                     (granted.lease.id,))  # fmt: skip
    assert lease_row == [(5, 1, 0)]
    seen = trace(at, code(printed[0]), actor=ADMIN)
    kinds = [(e.type, e.station) for e in seen.timeline]
    assert ("printed", "north/test") in kinds and ("voided", "north/test") in kinds
    status, answer = authority.api("GET", f"/serials/{code(printed[1])}/events",
                                   authority.admin_token)  # fmt: skip
    assert status == 200
    assert [e["type"] for e in answer["items"]].count("printed") == 1
    shown = authority.server.cli("trace", code(printed[1]))
    assert shown.returncode == 0, shown.stderr
    assert "north/test" in shown.stdout and "printed" in shown.stdout
    epcis = json.dumps(export_epcis(at, actor=ADMIN, since="2000-01-01T00:00:00+00:00"))
    assert printed[1] in epcis and "north/test" not in epcis  # GS1 where, not the station

    status, summary = authority.api("GET", "/leases/summary", authority.admin_token)
    assert status == 200
    assert summary["items"] == [{"site": "north", "pool": POOL, "leases": 1, "granted": 20,
                                 "used": 5, "returned": 0, "voided": 1, "expired": 0,
                                 "outstanding": 15}]  # fmt: skip


def test_a_redelivered_report_is_applied_once(authority: Authority, north: Site) -> None:
    lease(authority, north, 10, "north-1")
    _print(north, 3)
    report_usage(north.app)
    [envelope] = _usage_envelopes(north)
    first = authority.api("POST", "/leases/reports", north.token, envelope)
    events = scalar(authority.app, "SELECT COUNT(*) FROM events WHERE origin = 'north'")
    again = authority.api("POST", "/leases/reports", north.token, envelope)
    assert first == (200, {"applied": 3, "refused": 0, "duplicate": False})
    assert again == (200, {"applied": 0, "refused": 0, "duplicate": True})
    assert events == 6  # each was commissioned by its first label, and printed
    assert scalar(authority.app, "SELECT COUNT(*) FROM events WHERE origin = 'north'") == events
    assert scalar(authority.app, "SELECT used FROM leases") == 3


def test_a_report_of_another_sites_serial_is_refused_and_shown(
    authority: Authority, north: Site, tmp_path: Path
) -> None:
    south = open_site(authority.app, authority.url, tmp_path / "south", "south")
    try:
        lease(authority, north, 5, "north-1")
        theirs = lease(authority, south, 5, "south-1")
        _print(north, 2)
        report_usage(north.app)
        [envelope] = _usage_envelopes(north)
        data = envelope["data"]
        assert isinstance(data, dict)
        stolen = {**data["serials"][0], "value": theirs.serials[0]}
        data["serials"].append(stolen)
        data["serials"].append({**stolen, "value": "L9999999"})  # never leased to anyone
        status, answer = authority.api("POST", "/leases/reports", north.token, envelope)
        assert (status, answer) == (200, {"applied": 2, "refused": 2, "duplicate": False})
        token = authority.admin_token
        status, listed = authority.api("GET", "/leases/discrepancies", token)
        assert status == 200
        kinds = {d["value"]: (d["kind"], d["site"], d["state"]) for d in listed["items"]}
        assert kinds == {theirs.serials[0]: ("leased-elsewhere", "north", "open"),
                         "L9999999": ("never-leased", "north", "open")}  # fmt: skip
        assert scalar(authority.app, "SELECT state FROM items WHERE value = ?",
                      (theirs.serials[0],)) == "allocated"  # south's serial untouched  # fmt: skip
        status, mine = authority.api("GET", "/leases/discrepancies", south.token)
        assert status == 200 and mine["items"] == []  # a site sees its own only
        listed_cli = authority.server.cli("reconcile", "discrepancies")
        assert theirs.serials[0] in listed_cli.stdout and "leased-elsewhere" in listed_cli.stdout
        first = min(d["id"] for d in listed["items"])
        status, resolved = authority.api("POST", f"/leases/discrepancies/{first}/resolve",
                                         token, {"note": "cloned station"})  # fmt: skip
        assert status == 200 and resolved["state"] == "resolved"
        status, problem = authority.api("POST", f"/leases/discrepancies/{first}/resolve",
                                        north.token, {})  # fmt: skip
        assert status == 403 and problem["code"] == "forbidden"
    finally:
        south.close()


def test_a_printed_serial_is_never_taken_back_and_an_unused_one_is_leased_again(
    authority: Authority, north: Site
) -> None:
    granted = lease(authority, north, 10, "north-1")
    printed = _print(north, 2)
    report_usage(north.app)
    deliver(north)
    unused = [s for s in granted.serials if s not in printed][:4]
    with north.app.store.write() as tx:  # the site gives them up first (lease return)
        block = tx.supply.block_by_reference("lease", str(granted.lease.id))
        assert block is not None and tx.supply.return_values(block.id, unused) == 4
    status, answer = authority.api("POST", f"/leases/{granted.lease.id}/returns", north.token,
                                   {"serials": [printed[0], *unused]})  # fmt: skip
    assert (status, answer) == (200, {"applied": 4, "refused": 1, "duplicate": False})
    status, listed = authority.api("GET", "/leases/discrepancies", authority.admin_token)
    assert [(d["kind"], d["value"]) for d in listed["items"]] == [("return-of-used", printed[0])]
    assert scalar(authority.app, "SELECT state FROM items WHERE value = ?",
                  (printed[0],)) == "labeled"  # fmt: skip
    late = {"id": "late-1", "topic": "lease.usage", "data": {"site": "north", "seq": 99,
            "events": [], "serials": [{"lease": granted.lease.id, "namespace": f"01:{GTIN}",
                                       "value": unused[0], "state": "labeled"}]}}  # fmt: skip
    assert authority.api("POST", "/leases/reports", north.token, late)[1]["refused"] == 1
    status, listed = authority.api("GET", "/leases/discrepancies", authority.admin_token)
    assert listed["items"][0]["kind"] == "used-after-return"
    again = lease(authority, north, 4, "north-2")
    assert sorted(again.serials) == sorted(unused)  # issued again, by a later lease only
    status, summary = authority.api("GET", "/leases/summary", authority.admin_token)
    assert summary["items"][0] | {} == {"site": "north", "pool": POOL, "leases": 2,
                                        "granted": 14, "used": 2, "returned": 4, "voided": 0,
                                        "expired": 0, "outstanding": 8}  # fmt: skip


def test_returns_through_the_outbox_apply_once_and_expired_leases_are_counted(
    authority: Authority, north: Site
) -> None:
    short = lease(authority, north, 6, "north-1", LeaseSettings(lease_days=1e-9))
    lease(authority, north, 4, "north-2")
    with north.app.store.write() as tx:
        data = {"site": "north", "lease": short.lease.id, "serials": short.serials[:2],
                "reason": "expired"}  # fmt: skip
        tx.outbox.add(Topic.LEASE_RETURNED, data)
    deliver(north)
    with north.app.store.read() as tx:
        [message] = tx.outbox.by_topic(Topic.LEASE_RETURNED)
    envelope = {"id": message.message_id, "topic": message.topic, "subject": None,
                "created_at": message.created_at, "data": message.payload}  # fmt: skip
    assert authority.api("POST", "/leases/reports", north.token, envelope)[1]["duplicate"]
    shown = authority.server.cli("reconcile", "status", "--json")
    assert shown.returncode == 0, shown.stderr
    [row] = json.loads(shown.stdout)
    assert (row["granted"], row["returned"], row["expired"], row["outstanding"]) == (10, 2, 4, 4)


def test_the_dispatcher_keeps_an_authority_report_until_the_authority_answers(
    project: Path, store_url: str, tmp_path: Path
) -> None:
    port = free_port()  # the authority's port: nothing listens there yet
    config = write_config(project, {"server": {"host": "127.0.0.1", "port": port},
                                    "storage": {"url": store_url}})  # fmt: skip
    assert run_cli(config, "init", "--admin-password", "admin-password").returncode == 0
    at = authority_store(config)
    site = open_site(at, f"http://127.0.0.1:{port}", tmp_path / "east", "east")
    dispatcher = Dispatcher(site.app, seed=1).start()
    server = None
    try:
        with site.app.store.write() as tx:
            tx.outbox.add(Topic.LEASE_USAGE, {"site": "east", "seq": 1, "serials": [],
                                              "events": []})  # fmt: skip

        def states() -> list[tuple[object, ...]]:
            return rows(site.app, "SELECT state FROM webhook_deliveries")

        assert wait_until(lambda: scalar(site.app, "SELECT attempts FROM webhook_deliveries") >= 4)
        assert states() in ([("pending",)], [("sending",)])  # past max_attempts = 2, not dead
        server = subprocess.Popen([sys.executable, "-m", "labelsvc", "--config", str(config),
                                   "serve"], cwd=project, stdout=subprocess.DEVNULL)  # fmt: skip
        assert wait_until(lambda: states() == [("delivered",)])
        assert scalar(at, "SELECT COUNT(*) FROM lease_reports WHERE site = 'east'") == 1
    finally:
        dispatcher.stop()
        site.close()
        if server is not None:
            server.terminate()
            server.wait(10)
        at.store.shutdown()

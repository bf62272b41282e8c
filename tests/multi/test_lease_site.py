"""A site on its own SQLite file leasing blocks from a live authority (both stores).

The authority is a real ``labelsvc serve``; the site is an App (and its CLI) over its own
file. It refills at low-water, labels on while the authority is stopped, says
``lease-exhausted`` when its blocks are used up, never draws an expired block, returns
unused serials through its outbox and refuses to return a printed one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from livekit import (
    ROOT,
    LiveServer,
    free_port,
    new_store_url,
    run_cli,
    start_live_server,
    wait_until,
    write_config,
)
from storekit import rows, scalar

from labelsvc.config import load_settings
from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden
from labelsvc.gs1.check import is_valid_sscc
from labelsvc.services.allocation import allocate, recover_abandoned
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize
from labelsvc.services.labeling import request_labels
from labelsvc.services.lease_returns import decommission, expire_leases, return_serials
from labelsvc.services.lease_site import link_authority, mirror_pool, refill_leases
from labelsvc.services.print_queue import WorkerSet
from labelsvc.store.lease_site import LeaseSiteRepo

GTIN = "09506000134352"  # the demo product; pool demo-units at the authority
POOL = "demo-units"
ADMIN = Actor(name="ada", kind="user", role="admin", station="test")


@dataclass
class Site:
    """A site's App over its own SQLite file, and its config for the CLI."""

    app: App
    config: Path
    name: str

    def cli(self, *args: str) -> Any:
        return run_cli(self.config, *args)

    def returned(self) -> list[dict[str, Any]]:
        """The ``lease.returned`` messages its outbox holds for the authority."""
        found = rows(self.app, "SELECT payload FROM outbox WHERE topic = 'lease.returned'"
                     " ORDER BY id")  # fmt: skip
        return [json.loads(r[0]) for r in found]


def _start_authority(folder: Path, store_url: str, lease_days: float = 30.0,
                     max_outstanding: int = 1_000_000) -> LiveServer:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    leases = {"lease_days": lease_days, "max_outstanding": max_outstanding}
    return start_live_server(folder, {"leases": leases}, store_url)


def _restart(server: LiveServer) -> LiveServer:
    """Start a stopped server again on its config (the same port and database)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "labelsvc", "--config", str(server.config), "serve"],
        stdout=server.log.open("ab"), stderr=subprocess.STDOUT, cwd=server.project,
    )  # fmt: skip
    again = LiveServer(server.url, server.project, server.config, process, server.log)
    assert wait_until(lambda: _answers(server.url)), server.log.read_text()
    return again


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v1/health", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Iterator[LiveServer]:
    """One live authority per store kind for the module."""
    with new_store_url(store_kind) as url:
        server = _start_authority(tmp_path_factory.mktemp("authority"), url)
        yield server
        server.stop()


def make_site(folder: Path, authority: LiveServer, *, block: int = 100, low_water: int = 20,
              store_url: str = "") -> Site:  # fmt: skip
    """Register a site at the authority, make its own store, link it and lease demo-units."""
    name = f"site-{uuid.uuid4().hex[:6]}"
    added = authority.cli("authority", "site", "add", name)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    for sub in ("serial_pools", "printers", "zpl", "demo"):
        if (ROOT / sub).exists():
            shutil.copytree(ROOT / sub, folder / sub)
    config = write_config(folder, {"storage": {"url": store_url},
                                   "leases": {"timeout_seconds": 2.0},
                                   "printing": {"retry_base_seconds": 0.05}})  # fmt: skip
    app = App.open(load_settings(config))
    initialize(app, demo=True, admin_password="admin-password")
    link = link_authority(app, url=authority.url, site=name, token=token, actor=ADMIN)
    assert link.reachable, link.detail
    mirror_pool(app, POOL, actor=ADMIN, block=block, low_water=low_water, gtin=GTIN)
    return Site(app, config, name)


@pytest.fixture
def site(tmp_path: Path, authority: LiveServer) -> Iterator[Site]:
    found = make_site(tmp_path / "site", authority)
    yield found
    found.app.store.shutdown()


def _available(site: Site) -> int:
    """Free serials here in blocks that may still be drawn (active, not expired)."""
    with site.app.store.read() as tx:
        return tx.supply.available(POOL, GTIN)


def test_a_site_refills_at_low_water_and_each_serial_is_issued_once(
    site: Site, authority: LiveServer
) -> None:
    assert refill_leases(site.app) == 1  # nothing yet: below low-water
    assert refill_leases(site.app) == 0  # 100 free: nothing to do
    first = allocate(site.app.store, POOL, 79, actor=ADMIN, gtin=GTIN)
    assert refill_leases(site.app) == 0  # 21 left, above the mark of 20
    second = allocate(site.app.store, POOL, 1, actor=ADMIN, gtin=GTIN)
    assert refill_leases(site.app) == 1  # at 20: the next block
    assert _available(site) == 120
    issued = first.serials + second.serials + allocate(
        site.app.store, POOL, 120, actor=ADMIN, gtin=GTIN).serials  # fmt: skip
    assert len(set(issued)) == 200
    leases = json.loads(authority.cli("authority", "leases", "--site", site.name,
                                      "--json").stdout)  # fmt: skip
    assert [lease["granted"] for lease in leases] == [100, 100]
    table = authority.cli("authority", "leases", "--pool", POOL).stdout
    assert site.name in table and "outstanding" in table
    assert site.name in authority.cli("authority", "site", "list").stdout
    status = site.cli("lease", "status").stdout
    assert f"site {site.name}: linked" in status and status.count("received") == 2
    granted = set()
    for lease in leases:
        granted |= set(_serials_at_authority(authority, lease["id"]))
    assert granted == set(issued)


def _serials_at_authority(authority: LiveServer, lease_id: int) -> list[str]:
    app = App.open(load_settings(authority.config))
    try:
        return [str(r[0]) for r in rows(
            app, "SELECT i.value FROM items i JOIN leases l ON l.allocation_id = i.allocation_id"
            " WHERE l.id = ? ORDER BY i.id", (lease_id,))]  # fmt: skip
    finally:
        app.store.shutdown()


def test_a_lost_answer_is_retried_with_the_same_collection_id_and_leases_once(
    site: Site, authority: LiveServer
) -> None:
    from labelsvc.services.authority_client import AuthorityClient
    from labelsvc.services.lease_site import _open, client_of

    pending = _open(site.app, POOL, GTIN, 100, ADMIN)  # stored, then the answer was lost:
    client, _ = client_of(site.app)
    lost = client.post("/leases", {"pool": POOL, "count": 100, "gtin": GTIN,
                                   "collection_id": pending.collection_id})  # fmt: skip
    assert lost.status == 201 and isinstance(client, AuthorityClient)
    assert refill_leases(site.app) == 1  # the retry reuses the stored id
    assert scalar(site.app, "SELECT reference FROM supply_blocks") == str(lost.body["id"])
    leases = json.loads(authority.cli("authority", "leases", "--site", site.name,
                                      "--json").stdout)  # fmt: skip
    assert [lease["id"] for lease in leases] == [lost.body["id"]]


def test_labelling_goes_on_while_the_authority_is_stopped_until_the_leases_run_out(
    tmp_path: Path, store_kind: str
) -> None:
    with new_store_url(store_kind) as url:
        authority = _start_authority(tmp_path / "authority", url)
        site = make_site(tmp_path / "site", authority, block=50, low_water=10)
        try:
            assert refill_leases(site.app) == 1
            authority.stop()
            assert refill_leases(site.app) == 0
            asked = site.cli("lease", "request", POOL, "--gtin", GTIN)
            assert asked.returncode != 0
            assert "authority-unreachable" in asked.stderr and "Traceback" not in asked.stderr
            got = [allocate(site.app.store, POOL, 10, actor=ADMIN, gtin=GTIN) for _ in range(5)]
            assert len({s for a in got for s in a.serials}) == 50
            with pytest.raises(Conflict) as used_up:
                allocate(site.app.store, POOL, 1, actor=ADMIN, gtin=GTIN)
            assert used_up.value.code == "lease-exhausted"
            status = site.cli("lease", "status")
            assert status.returncode == 0 and "authority-unreachable" in status.stdout
        finally:
            authority.stop()
            site.app.store.shutdown()


def test_an_expired_block_is_never_drawn_and_its_free_serials_go_back(
    tmp_path: Path, store_kind: str
) -> None:
    with new_store_url(store_kind) as url:
        authority = _start_authority(tmp_path / "authority", url, lease_days=3 / 86_400)
        site = make_site(tmp_path / "site", authority, block=30, low_water=0)
        try:
            assert refill_leases(site.app) == 1
            used = allocate(site.app.store, POOL, 10, actor=ADMIN, gtin=GTIN).serials
            with site.app.store.write() as tx:  # an allocation whose process died mid-way
                dying = tx.pools.add_allocation(
                    pool=POOL, gtin=GTIN, count=5, idempotency_key=None, actor="user:olga",
                    station=None, state="pending", owner="gone-host:1",
                    lease_until="2000-01-01", source="supply",
                )  # fmt: skip
                assert tx.supply.take(POOL, GTIN, 5, dying.id) == 5
            assert wait_until(lambda: _available(site) == 0, timeout=10)  # the lease lapsed
            with pytest.raises(Conflict) as refused:
                allocate(site.app.store, POOL, 1, actor=ADMIN, gtin=GTIN)
            assert refused.value.code == "lease-exhausted"
            assert expire_leases(site.app) == 1
            assert expire_leases(site.app) == 0
            [message] = site.returned()
            assert message["reason"] == "expired" and message["site"] == site.name
            assert len(message["serials"]) == 15 and not set(message["serials"]) & set(used)
            assert rows(site.app, "SELECT state FROM supply_blocks") == [("expired",)]
            assert recover_abandoned(site.app.store, ADMIN) == [dying.id]  # 5 come back...
            assert expire_leases(site.app) == 1  # ...and go back to the authority too
            late = site.returned()[1]
            assert len(late["serials"]) == 5 and late["reason"] == "expired"
            everything = set(used) | set(message["serials"]) | set(late["serials"])
            assert len(everything) == 30
            with pytest.raises(Conflict):
                allocate(site.app.store, POOL, 1, actor=ADMIN, gtin=GTIN)
        finally:
            authority.stop()
            site.app.store.shutdown()


def test_a_printed_serial_is_never_returned_and_the_refusal_names_it(site: Site) -> None:
    assert refill_leases(site.app) == 1
    printed = request_labels(site.app, count=2, actor=ADMIN, product="DEMO-WIDGET")
    workers = WorkerSet(site.app, poll_seconds=0.05).start()
    try:
        values = [i.value for i in printed.items]
        marks = ", ".join("?" * len(values))
        assert wait_until(lambda: rows(site.app, f"SELECT DISTINCT state FROM items WHERE value"
                                       f" IN ({marks})", values) == [("labeled",)])  # fmt: skip
    finally:
        workers.stop()
    free = rows(site.app, "SELECT value FROM supply_values WHERE state = 'available'"
                " ORDER BY position LIMIT 3")  # fmt: skip
    asked = site.cli("lease", "return", free[0][0], values[1])
    assert asked.returncode != 0
    assert values[1] in asked.stderr and "printed" in asked.stderr
    assert site.returned() == []  # refused whole: nothing went back
    with pytest.raises(Conflict) as refused:
        return_serials(site.app, [values[0]], actor=ADMIN)
    assert refused.value.code == "lease-serial-used"
    done = site.cli("lease", "return", free[0][0], free[1][0])
    assert done.returncode == 0, done.stderr
    [message] = site.returned()
    assert message["serials"] == [free[0][0], free[1][0]] and message["reason"] == "on-demand"
    with pytest.raises(Conflict):
        allocate(site.app.store, POOL, 99, actor=ADMIN, gtin=GTIN)  # 98 are left here


def test_decommissioning_returns_everything_and_the_authority_leases_no_more(
    site: Site, authority: LiveServer
) -> None:
    assert refill_leases(site.app) == 1
    used = allocate(site.app.store, POOL, 30, actor=ADMIN, gtin=GTIN).serials
    said = decommission(site.app, actor=ADMIN)
    assert said.startswith("Decommissioned"), said
    [message] = site.returned()
    assert message["reason"] == "decommissioned" and len(message["serials"]) == 70
    assert not set(message["serials"]) & set(used)
    assert refill_leases(site.app) == 0
    sites = json.loads(authority.cli("authority", "site", "list", "--json").stdout)
    assert {s["name"]: s["state"] for s in sites}[site.name] == "decommissioned"
    from labelsvc.services.lease_site import client_of

    client, _ = client_of(site.app)
    answer = client.post("/leases", {"pool": POOL, "count": 5, "gtin": GTIN,
                                     "collection_id": "after-decommission"})  # fmt: skip
    assert answer.status == 409 and answer.body["code"] == "lease-refused"
    assert "decommissioned" in answer.body["reason"]


def test_linking_says_when_the_token_is_refused_or_the_authority_unreachable(
    site: Site, authority: LiveServer
) -> None:
    with pytest.raises(Forbidden) as refused:
        link_authority(site.app, url=authority.url, site=site.name, token="lsv_wrong",
                       actor=ADMIN)  # fmt: skip
    assert refused.value.code == "authority-token-refused"
    with site.app.store.read() as tx:
        token = LeaseSiteRepo(tx).subscription_secret("authority")
    assert token is not None
    with pytest.raises(Conflict) as wrong:
        link_authority(site.app, url=authority.url, site="someone-else", token=token,
                       actor=ADMIN)  # fmt: skip
    assert wrong.value.code == "site-not-yours" and site.name in wrong.value.detail
    dead = f"http://127.0.0.1:{free_port()}"
    linked = site.cli("lease", "link", "--authority", dead, "--site", site.name, "--token", "t")
    assert linked.returncode == 0, linked.stderr
    assert "authority-unreachable" in linked.stderr
    assert refill_leases(site.app) == 0  # no traceback: it is asked again later


def test_instances_refilling_at_once_share_one_request_and_lease_once(
    tmp_path: Path, authority: LiveServer, store_kind: str
) -> None:
    with new_store_url(store_kind) as url:
        site = make_site(tmp_path / "site", authority, store_url=url)
        others = [App.open(load_settings(site.config)) for _ in range(3)]
        try:
            with ThreadPoolExecutor(4) as pool:
                got = list(pool.map(refill_leases, [site.app, *others]))
            assert sum(got) == 1
            assert rows(site.app, "SELECT COUNT(*), SUM(count) FROM supply_blocks") == [(1, 100)]
            leases = json.loads(authority.cli("authority", "leases", "--site", site.name,
                                              "--json").stdout)  # fmt: skip
            assert len(leases) == 1
        finally:
            for app in [site.app, *others]:
                app.store.shutdown()


def test_a_partial_grant_is_taken_and_a_refusal_is_shown_with_its_reason(
    tmp_path: Path, store_kind: str
) -> None:
    with new_store_url(store_kind) as url:
        authority = _start_authority(tmp_path / "authority", url, max_outstanding=150)
        site = make_site(tmp_path / "site", authority, block=100, low_water=150)
        try:
            assert refill_leases(site.app) == 1  # 100 granted, still below the mark
            assert refill_leases(site.app) == 1  # 50 more: the site may hold 150 unused
            assert _available(site) == 150
            assert refill_leases(site.app) == 0  # refused: recorded, not asked again at once
            assert refill_leases(site.app) == 0
            requests = rows(site.app, "SELECT state, granted, reason FROM lease_requests"
                            " ORDER BY id")  # fmt: skip
            assert [r[:2] for r in requests] == [("received", 100), ("received", 50),
                                                 ("refused", 0)]  # fmt: skip
            assert "holds 100 unused" in requests[1][2] and "holds 150 unused" in requests[2][2]
            status = site.cli("lease", "status")
            assert status.returncode == 0, status.stderr
            assert "refused" in status.stdout and "holds 150 unused" in status.stdout
            gone = authority.cli("authority", "site", "decommission", site.name)
            assert gone.returncode == 0 and "decommissioned" in gone.stdout
            asked = site.cli("lease", "request", POOL)
            assert asked.returncode != 0 and "decommissioned" in asked.stderr
        finally:
            authority.stop()
            site.app.store.shutdown()


@pytest.mark.parametrize("pool", ["demo-sscc", "demo-custom"])
def test_sscc_and_custom_pools_are_mirrored_and_leased_the_same_way(
    site: Site, authority: LiveServer, pool: str
) -> None:
    mirrored = mirror_pool(site.app, pool, actor=ADMIN, block=40, low_water=5)
    assert mirrored.spec.supply == "lease" and mirrored.remaining == 0
    with pytest.raises(Conflict) as empty:
        allocate(site.app.store, pool, 1, actor=ADMIN)
    assert empty.value.code == "lease-exhausted"
    assert refill_leases(site.app) == 2  # this pool's block and demo-units'
    got = allocate(site.app.store, pool, 40, actor=ADMIN).serials
    leases = json.loads(authority.cli("authority", "leases", "--site", site.name, "--pool", pool,
                                      "--json").stdout)  # fmt: skip
    assert set(got) == set(_serials_at_authority(authority, leases[0]["id"]))
    if pool == "demo-sscc":
        assert all(is_valid_sscc(v) for v in got)


def test_decommissioning_while_the_authority_is_away_finishes_when_it_is_back(
    tmp_path: Path, store_kind: str
) -> None:
    with new_store_url(store_kind) as url:
        authority = _start_authority(tmp_path / "authority", url)
        site = make_site(tmp_path / "site", authority, block=40, low_water=0)
        try:
            assert refill_leases(site.app) == 1
            authority.stop()
            said = decommission(site.app, actor=ADMIN)
            assert said.startswith("Returned locally") and "authority-unreachable" in said
            [message] = site.returned()
            assert message["reason"] == "decommissioned" and len(message["serials"]) == 40
            with pytest.raises(Conflict):
                allocate(site.app.store, POOL, 1, actor=ADMIN, gtin=GTIN)
            authority = _restart(authority)
            assert refill_leases(site.app) == 0  # tells the authority; asks for nothing
            assert "decommissioned" in site.cli("lease", "status").stdout
            sites = json.loads(authority.cli("authority", "site", "list", "--json").stdout)
            assert {s["name"]: s["state"] for s in sites}[site.name] == "decommissioned"
            assert len(site.returned()) == 1  # nothing returned twice
        finally:
            authority.stop()
            site.app.store.shutdown()

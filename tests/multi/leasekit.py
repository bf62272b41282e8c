"""Helpers of the lease reconciliation tests: an authority (a live ``labelsvc serve`` on the
test's store, plus the same store opened in-process to grant leases), and sites, each a
service on its own SQLite file with a file printer, linked to the authority through an
``authority`` webhook subscription, as ``lease link`` makes it."""

from __future__ import annotations

import functools
import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livekit import ROOT, LiveServer, wait_until

from labelsvc.config import LeaseSettings, load_settings, settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.domain.leases import BlockOrigin
from labelsvc.domain.pools import PoolSpec
from labelsvc.domain.webhooks import AUTHORITY_TOPICS, SubscriptionKind
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize
from labelsvc.services.lease_grant import LeaseAnswer, page, register_site, request_lease
from labelsvc.services.pools import save_pool
from labelsvc.services.print_queue import WorkerSet
from labelsvc.services.printers import sync_printers
from labelsvc.services.supply import receive_block
from labelsvc.services.users import create_token
from labelsvc.services.webhooks_dispatch import Dispatcher

GTIN = "09506000134352"  # the demo product
POOL = "leased-units"
ADMIN = Actor(name="ada", kind="user", role="admin", station="test")
HOOKS = {"timeout_seconds": 2.0, "poll_seconds": 0.05, "retry_base_seconds": 0.05,
         "retry_max_seconds": 0.2, "max_attempts": 2}  # fmt: skip


def units(supply: str = "own") -> PoolSpec:
    """The pool the authority leases from, and its mirror at a site (supply=lease)."""
    return PoolSpec(name=POOL, kind="unit", gtins=(GTIN,), pattern="L{seq:07}", range_start=1,
                    range_end=9_999_999, supply=supply)  # type: ignore[arg-type]  # fmt: skip


@dataclass
class Authority:
    """The live authority and the same store opened here (to grant leases directly)."""

    server: LiveServer
    app: App

    @functools.cached_property
    def admin_token(self) -> str:
        """An API token of the admin scope."""
        return create_token(self.app.store, "ops", ["admin"], ADMIN).secret

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        """Call the authority's API with a bearer token: (status, JSON answer)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + "/api/v1" + path, data=data, method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


def authority_store(config: Path) -> App:
    """The authority's store opened here, with the pool it leases from."""
    app = App.open(load_settings(config))
    save_pool(app.store, units(), ADMIN)
    return app


@dataclass
class Site:
    """A site: its own service and store, its token at the authority."""

    name: str
    app: App
    token: str
    actor: Actor  # the site as the authority sees it
    workers: WorkerSet

    def close(self) -> None:
        self.workers.stop()
        self.app.store.shutdown()


def open_site(authority: App, url: str, folder: Path, name: str) -> Site:
    """Register ``name`` at the authority (its store, its URL) and make the site's own
    service, linked to it."""
    _, token = register_site(authority.store, name, ADMIN)
    for part in ("serial_pools", "printers", "zpl"):
        shutil.copytree(ROOT / part, folder / part)
    settings = settings_from_dict(
        {"storage": {"url": ""}, "webhooks": HOOKS, "leases": {"report_batch": 1000},
         "printing": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2}},
        "test", folder,
    )  # fmt: skip
    app = App.open(settings)
    initialize(app, demo=True, admin_password="admin-password")
    sync_printers(app)
    save_pool(app.store, units("lease"), ADMIN)
    with app.store.write() as tx:
        tx.webhooks.create(name, url + "/api/v1/leases/reports",
                           SubscriptionKind.AUTHORITY, token.secret,
                           [str(t) for t in AUTHORITY_TOPICS], "test")  # fmt: skip
    actor = Actor(name=token.name, kind="client", scopes=frozenset({"lease"}))
    workers = WorkerSet(app, poll_seconds=0.1).start()
    return Site(name, app, token.secret, actor, workers)


def lease(authority: Authority, site: Site, count: int, collection_id: str,
          settings: LeaseSettings | None = None) -> LeaseAnswer:  # fmt: skip
    """Lease ``count`` serials to the site and receive them there, every page."""
    answer = request_lease(authority.app.store, actor=site.actor, pool=POOL, count=count,
                           collection_id=collection_id, gtin=GTIN, settings=settings)  # fmt: skip
    serials = list(answer.serials)
    while len(serials) < answer.lease.granted:
        more = page(authority.app.store, answer.lease.id, actor=site.actor, offset=len(serials))
        serials.extend(more.serials)
    with site.app.store.write() as tx:
        receive_block(tx, pool=POOL, gtin=GTIN, origin=BlockOrigin.LEASE,
                      reference=str(answer.lease.id), values=serials, actor=ADMIN,
                      expires_at=answer.lease.expires_at)  # fmt: skip
    return answer


def deliver(site: Site, timeout: float = 60.0) -> None:
    """Run the site's dispatcher until nothing waits for the authority."""
    dispatcher = Dispatcher(site.app, seed=1).start()
    try:
        assert wait_until(lambda: pending(site) == 0, timeout), f"{pending(site)} undelivered"
    finally:
        dispatcher.stop()


def pending(site: Site) -> int:
    """Deliveries to the authority not delivered yet."""
    with site.app.store.read() as tx:
        sub = tx.webhooks.get(site.name)
        assert sub is not None
        return sum(n for state, n in sub.counts.items() if state != "delivered")


def code(serial: str) -> str:
    """The element string of a unit serial of the demo product, as a scanner reads it."""
    return f"01{GTIN}21{serial}"

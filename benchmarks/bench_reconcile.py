"""Reconciliation of 100,000 used leased serials, beside bare bulk writes of the same rows.

A site (SQLite) holds a lease of 100,000 serials from an authority, has allocated all of
them and printed them in jobs of 1,000 (two events each: commissioned, printed). Measured:
the site's ``report_usage`` putting them in its outbox (reference: reading the same items
and events), and the authority applying every report (lookups, checks, state, counters, 200,000 site
events imported), on SQLite and PostgreSQL. The reference for the apply is the floor of the
same writes: one UPDATE per serial and one INSERT per event, batched, in one transaction per
5,000 serials, with no lookups or checks. Rounds interleave ours and the reference, twice.
"""

from __future__ import annotations

import json
import os
import time

from bench_stores import new_database, postgres
from common import fresh_app

from labelsvc.domain.actors import Actor
from labelsvc.domain.leases import BlockOrigin
from labelsvc.domain.pools import PoolSpec
from labelsvc.domain.topics import Topic
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.lease_grant import page, register_site, request_lease
from labelsvc.services.lease_reconcile import apply_report
from labelsvc.services.lease_report import report_usage
from labelsvc.services.pools import save_pool
from labelsvc.services.supply import receive_block

COUNT = int(os.environ.get("BENCH_RECONCILE_COUNT", "100000"))
ROUNDS = 2
JOB = 1_000  # labels per print job at the site
GTIN = "09506000134352"
ADMIN = Actor(name="bench", kind="user", role="admin")
BIG = {"limits": {"max_allocation": COUNT}, "leases": {"max_block": COUNT}}


def _pool(supply: str) -> PoolSpec:
    return PoolSpec(name="leased", kind="unit", gtins=(GTIN,), pattern="B{seq:08}",
                    range_start=1, range_end=99_999_999, supply=supply)  # type: ignore[arg-type]  # fmt: skip


def _authority(url: str) -> tuple[App, Actor, int, list[str]]:
    """An authority that leased COUNT serials to site ``north``."""
    app = fresh_app({**BIG, "storage": {"url": url}})
    save_pool(app.store, _pool("own"), ADMIN)
    _, token = register_site(app.store, "north", ADMIN)
    site = Actor(name=token.name, kind="client", scopes=frozenset({"lease"}))
    answer = request_lease(app.store, actor=site, pool="leased", count=COUNT,
                           collection_id="bench", gtin=GTIN,
                           settings=app.settings.leases)  # fmt: skip
    serials = list(answer.serials)
    while len(serials) < COUNT:
        serials += page(app.store, answer.lease.id, actor=site, offset=len(serials)).serials
    return app, site, answer.lease.id, serials


def _site(lease_id: int, serials: list[str]) -> App:
    """The site: all serials allocated, commissioned and printed (events as they would be)."""
    app = fresh_app(BIG)
    save_pool(app.store, _pool("lease"), ADMIN)
    with app.store.write() as tx:
        receive_block(tx, pool="leased", gtin=GTIN, origin=BlockOrigin.LEASE,
                      reference=str(lease_id), values=serials, actor=ADMIN)  # fmt: skip
    done = allocate(app.store, "leased", COUNT, actor=ADMIN, gtin=GTIN, limit=COUNT)
    with app.store.read() as tx:
        ids = [i.id for i in tx.items.of_allocation(done.id)]
    for start in range(0, len(ids), JOB):  # as print jobs record them: job after job
        with app.store.write() as tx:
            job = ids[start : start + JOB]
            tx.items.set_state(job, "commissioned")
            tx.events.append_many("commissioned", job, actor="user:bench", station="line-1")
            tx.items.mark_printed(job)
            tx.events.append_many("printed", job, actor="user:bench", station="line-1")
    return app


def _envelopes(site: App) -> list[dict[str, object]]:
    with site.store.read() as tx:
        found = tx.outbox.by_topic(Topic.LEASE_USAGE, limit=10_000)
    return [{"id": m.message_id, "topic": m.topic, "subject": m.subject,
             "created_at": m.created_at, "data": m.payload} for m in found]  # fmt: skip


def _bare(authority: App, envelopes: list[dict[str, object]]) -> float:
    """The same writes with nothing looked up: ids by value read first, not timed."""
    with authority.store.read() as tx:
        ids = dict(tx.execute("SELECT value, id FROM items WHERE pool = 'leased'").fetchall())
    started = time.perf_counter()
    for envelope in envelopes:
        data = envelope["data"]
        assert isinstance(data, dict)
        with authority.store.write() as tx:
            tx.executemany("UPDATE items SET state = ?, print_count = ? WHERE id = ?",
                           [(s["state"], s["print_count"], ids[s["value"]])
                            for s in data["serials"]])  # fmt: skip
            tx.executemany(
                "INSERT INTO events (type, item_id, actor, station, at, details, origin,"
                " origin_id) VALUES (?, ?, ?, ?, ?, ?, 'bare', ?)",
                [(e["type"], ids[e["item"]["value"]], e["actor"], e["station"], e["at"],
                  json.dumps(e["details"]), e["id"]) for e in data["events"]],
            )  # fmt: skip
    return time.perf_counter() - started


def _round(url: str, ours: bool) -> tuple[float, float, int]:
    authority, actor, lease_id, serials = _authority(url)
    site = _site(lease_id, serials)
    try:
        started = time.perf_counter()
        if ours:
            reported = report_usage(site, "north")
        else:
            with site.store.read() as tx:
                reported = len(tx.execute("SELECT * FROM items WHERE pool = 'leased'").fetchall())
                tx.execute("SELECT * FROM events WHERE item_id IS NOT NULL").fetchall()
        report = time.perf_counter() - started
        assert reported == COUNT, reported
        envelopes = _envelopes(site) if ours else []
        if not ours:
            report_usage(site, "north")  # not timed: the reference needs the same rows
            envelopes = _envelopes(site)
            return report, _bare(authority, envelopes), len(envelopes)
        started = time.perf_counter()
        applied = sum(apply_report(authority.store, e, actor=actor).applied for e in envelopes)
        spent = time.perf_counter() - started
        assert applied == COUNT, applied
        return report, spent, len(envelopes)
    finally:
        site.store.shutdown()
        authority.store.shutdown()


def run() -> list[tuple[str, str]]:
    times: dict[str, list[tuple[float, float, int]]] = {}
    with postgres() as admin_url:
        for _ in range(ROUNDS):
            for store in ("sqlite", "postgresql"):
                for ours in (True, False):
                    url = new_database(admin_url) if store == "postgresql" else ""
                    times.setdefault(f"{store}:{ours}", []).append(_round(url, ours))
    rows = []
    for store in ("sqlite", "postgresql"):
        mine, ref = times[f"{store}:True"], times[f"{store}:False"]
        best, floor = min(t[1] for t in mine), min(t[1] for t in ref)
        figure = f"{best:.2f} s  ({mine[0][2]} reports; bare bulk writes {floor:.2f} s)"
        rows.append((f"authority applies {COUNT:,} used serials, {store}", figure))
    site_ours = min(t[0] for k, v in times.items() if k.endswith("True") for t in v)
    site_ref = min(t[0] for k, v in times.items() if k.endswith("False") for t in v)
    figure = f"{site_ours:.2f} s  (reading the same items and events: {site_ref:.2f} s)"
    rows.append((f"site reports {COUNT:,} serials into its outbox (SQLite)", figure))
    return rows

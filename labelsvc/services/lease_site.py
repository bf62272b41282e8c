"""At a site: link to a serial authority, mirror its pools, and keep leased blocks filled.

A request's collection id is stored (``lease_requests``) before it is sent and reused until
the authority's answer is stored, so a crash, a timeout or a lost answer never leases twice:
the authority answers a known collection id with the same lease. Every page of serials is
fetched before the block is received, in one transaction with closing the request.
Allocation never calls the authority: a site labels from its blocks while it is away.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from labelsvc.domain.actors import SYSTEM, Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, LabelsvcError, NotFound, Unavailable
from labelsvc.domain.lease_site import (
    REFUSAL_PAUSE_SECONDS,
    REPORTS_PATH,
    SUBSCRIPTION_NAME,
    LinkState,
    RequestState,
)
from labelsvc.domain.leases import BlockOrigin
from labelsvc.domain.pools import PoolSpec
from labelsvc.domain.webhooks import AUTHORITY_TOPICS, SubscriptionKind
from labelsvc.services.app import App
from labelsvc.services.authority_client import Answer, AuthorityClient
from labelsvc.services.pools import PoolStatus, save_pool
from labelsvc.services.supply import receive_block
from labelsvc.store import Tx
from labelsvc.store.jobs import later
from labelsvc.store.lease_site import LeaseSiteRepo, RequestRow

log = logging.getLogger(__name__)
LEASED = "lease"  # PoolSpec.supply of a leased pool (labelsvc.domain.leases.Supply)
TRANSIENT = 500  # authority answers from this status on are retried with the same id
FINAL = {"invalid", "not-found", "collection-id-mismatch"}  # error kinds and codes: refused


@dataclass(frozen=True)
class Link:
    """Where a site's authority is and whether the link was checked just now."""

    authority_url: str
    site: str
    state: str
    reachable: bool | None = None  # None: not checked
    detail: str = ""


@dataclass(frozen=True)
class Outcome:
    """What one request came to: the lease, how many serials arrived, and why not more."""

    request: RequestRow
    lease_id: int | None
    granted: int
    outcome: str
    reason: str | None


def link_of(tx: Tx) -> Link | None:
    """The stored link, or None when the site was never linked."""
    found = LeaseSiteRepo(tx).link()
    if "authority_url" not in found:
        return None
    return Link(found["authority_url"], found.get("site", ""), found.get("state", LinkState.LINKED))


def client_of(app: App) -> tuple[AuthorityClient, Link]:
    """The client of the linked authority, with the token kept as the subscription secret."""
    with app.store.read() as tx:
        link = link_of(tx)
        secret = LeaseSiteRepo(tx).subscription_secret(SUBSCRIPTION_NAME)
    if link is None or secret is None:
        raise NotFound(
            "lease-not-linked",
            "This site is not linked to a serial authority; run "
            "'labelsvc lease link --authority URL --site NAME --token TOKEN'.",
        )
    return AuthorityClient(link.authority_url, secret, app.settings.leases.timeout_seconds), link


def link_authority(app: App, *, url: str, site: str, token: str, actor: Actor) -> Link:
    """Store the authority's URL and this site's name, and the outbox subscription that
    carries reports to it (its secret: the token). The link is checked with one call: a
    refused token stores nothing; an unreachable authority is stored and said so."""
    require(actor, "manage")
    base = url.rstrip("/")
    client = AuthorityClient(base, token, app.settings.leases.timeout_seconds)
    reachable, detail = True, "the authority answered and accepted the token"
    try:
        _expect(client.get(f"/sites/{site}"), f"confirm site {site}")
    except Unavailable as exc:
        reachable, detail = False, exc.detail
    with app.store.write() as tx:
        repo = LeaseSiteRepo(tx)
        repo.set_link(authority_url=base, site=site, state=LinkState.LINKED)
        reports = base + REPORTS_PATH
        if tx.webhooks.get(SUBSCRIPTION_NAME) is None:
            tx.webhooks.create(SUBSCRIPTION_NAME, reports, SubscriptionKind.AUTHORITY, token,
                               [str(t) for t in AUTHORITY_TOPICS], actor.label)  # fmt: skip
        else:
            repo.set_subscription(SUBSCRIPTION_NAME, reports, token)
        tx.events.append("lease-linked", actor=actor.label, subject=f"authority:{base}",
                         details={"site": site, "reachable": reachable})  # fmt: skip
    return Link(base, site, LinkState.LINKED, reachable, detail)


def mirror_pool(app: App, name: str, *, actor: Actor, block: int, low_water: int,
                gtin: str | None = None) -> PoolStatus:  # fmt: skip
    """Define pool ``name`` here as the authority defines it, supplied by leases: a block
    of ``block`` serials is asked for when fewer than ``low_water`` are left."""
    require(actor, "manage")
    if block < 1 or low_water < 0:
        raise InvalidInput("lease-pool-invalid", "--block must be 1 or more and --low-water "
                           "0 or more.")  # fmt: skip
    client, _ = client_of(app)
    found = _expect(client.get(f"/pools/{name}"), f"read pool {name}")
    gtins = list(found.get("gtins") or [])
    if gtin is not None:
        if gtin not in gtins:
            raise InvalidInput("gtin-not-in-pool", f"GTIN {gtin} is not served by pool {name} "
                               f"at the authority ({', '.join(gtins) or 'none'}).")  # fmt: skip
        gtins = [gtin]
    spec = PoolSpec(
        name=name, kind=found["kind"], strategy=found["strategy"], gtins=tuple(gtins),
        company_prefix=found.get("company_prefix"), extension_digit=found.get("extension_digit"),
        pattern=found.get("pattern"), range_start=found.get("range_start"),
        range_end=found.get("range_end"), description=found.get("description") or "",
        supply="lease", low_water=low_water, refill_count=block,
        **_random_shape(found),
    )  # fmt: skip
    with app.store.read() as tx:
        stored = tx.pools.get(name, lock=False)
    if stored is not None and stored.spec.supply != LEASED and stored.used:
        raise Conflict("pool-not-leased", f"Pool {name} here issued {stored.used:,} serials of "
                       "its own; a leased pool needs a name of its own.")  # fmt: skip
    return save_pool(app.store, spec, actor)


def _random_shape(found: dict[str, Any]) -> dict[str, Any]:
    return {k: found[k] for k in ("alphabet", "length") if found.get(k) is not None}


def request_block(app: App, pool: str, *, actor: Actor, gtin: str | None = None,
                  count: int | None = None, settling: bool = False) -> Outcome:  # fmt: skip
    """Ask the authority for a block now (a pending request of the pool is sent again;
    ``settling``: only to learn its answer while decommissioning)."""
    require(actor, "manage")
    with app.store.read() as tx:
        row = tx.pools.get(pool, lock=False)
    if row is None or row.spec.supply != LEASED:
        raise NotFound("lease-pool-not-found", f"There is no leased pool {pool!r} here; define "
                       "it with 'labelsvc lease pool NAME --block N --low-water M'.")  # fmt: skip
    if gtin is None and row.spec.kind == "unit":
        gtin = row.spec.gtins[0]
    want = count or row.spec.refill_count or row.spec.low_water or 1
    return _send(app, _open(app, pool, gtin, want, actor), actor, settling=settling)


def refill_leases(app: App) -> int:
    """Ask for a block for each leased pool and GTIN at or below its low-water mark (or
    with a request still unanswered); return how many blocks arrived. Safe to run from
    several instances at once: they share the one pending request of a pool and GTIN."""
    with app.store.read() as tx:
        link = link_of(tx)
        pools = [p for p in tx.pools.all() if p.spec.supply == LEASED]
    if link is None:
        return 0
    if link.state == LinkState.DECOMMISSIONING:
        from labelsvc.services.lease_returns import finish_decommission

        finish_decommission(app)
        return 0
    if link.state != LinkState.LINKED:
        return 0
    received = 0
    for row in pools:
        if row.spec.state not in ("active", "exhausted") or row.spec.refill_count < 1:
            continue
        for gtin in row.spec.gtins if row.spec.kind == "unit" else (None,):
            if not _needs_block(app, row.spec, gtin):
                continue
            try:
                done = _send(app, _open(app, row.spec.name, gtin, row.spec.refill_count, SYSTEM),
                             SYSTEM)  # fmt: skip
            except Unavailable as exc:
                log.warning("refill of %s: %s", row.spec.name, exc.detail)
                return received
            except LabelsvcError as exc:
                log.warning("refill of %s: %s", row.spec.name, exc.detail)
                continue
            received += 1 if done.granted else 0
    return received


def _needs_block(app: App, spec: PoolSpec, gtin: str | None) -> bool:
    with app.store.read() as tx:
        repo = LeaseSiteRepo(tx)
        if repo.pending(spec.name, gtin or "") is not None:
            return True
        if tx.supply.available(spec.name, gtin) > spec.low_water:
            return False
        latest = repo.latest(spec.name, gtin or "")
    paused = latest is not None and latest.state == RequestState.REFUSED
    return not (paused and latest is not None and latest.updated_at > later(-REFUSAL_PAUSE_SECONDS))


def _open(app: App, pool: str, gtin: str | None, count: int, actor: Actor) -> RequestRow:
    """The pending request of the pool and GTIN, stored (and committed) before it is sent."""
    with app.store.write() as tx:
        return LeaseSiteRepo(tx).open_request(pool, gtin or "", count, uuid.uuid4().hex,
                                              actor.label)  # fmt: skip


def _send(app: App, request: RequestRow, actor: Actor, *, settling: bool = False) -> Outcome:
    """Send a stored request, fetch every page, receive the block; record any failure."""
    client, link = client_of(app)
    if link.state != LinkState.LINKED and not settling:
        raise Conflict("lease-decommissioned", "This site is decommissioned; it asks for no "
                       "new lease.")  # fmt: skip
    body: dict[str, Any] = {"pool": request.pool, "count": request.count,
                            "collection_id": request.collection_id}  # fmt: skip
    if request.gtin:
        body["gtin"] = request.gtin
    try:
        answer = client.post("/leases", body)
        if answer.status == 409 and answer.body.get("code") == "lease-refused":
            return _refused(app, request, answer.body)
        lease = _expect(answer, f"lease {request.pool}")
        serials = _all_serials(client, lease)
    except LabelsvcError as exc:
        with app.store.write() as tx:
            LeaseSiteRepo(tx).attempted(request.id, exc.detail)
        if exc.kind in FINAL or exc.code in FINAL:  # asking again cannot help
            _close_refused(app, request, None, exc.detail)
        raise
    return _receive(app, request, lease, serials, actor)


def _all_serials(client: AuthorityClient, lease: dict[str, Any]) -> list[str]:
    """The first page and every continuation page, in order."""
    serials = list(lease.get("serials") or [])
    continuation = lease.get("continuation")
    while continuation is not None:
        part = _expect(client.get(f"/leases/{lease['id']}/serials", continuation=continuation),
                       f"read lease {lease['id']}")  # fmt: skip
        serials.extend(part["serials"])
        continuation = part["continuation"]
    if len(serials) != int(lease["granted"]):
        raise Unavailable(
            "lease-incomplete",
            f"Lease {lease['id']} granted {lease['granted']:,} serials but {len(serials):,} "
            "arrived; it is fetched again.",
        )
    return serials


def _receive(app: App, request: RequestRow, lease: dict[str, Any], serials: list[str],
             actor: Actor) -> Outcome:  # fmt: skip
    """Store the block and close the request in one transaction, once: the lease's block
    is looked up under the request's lock, so a second instance with the same answer
    stores nothing again."""
    reference = str(lease["id"])
    with app.store.write() as tx:
        repo = LeaseSiteRepo(tx)
        repo.pending(request.pool, request.gtin)  # lock it
        got = 0
        if tx.supply.block_by_reference(str(BlockOrigin.LEASE), reference) is None:
            receive_block(
                tx, pool=request.pool, gtin=request.gtin or None, origin=BlockOrigin.LEASE,
                reference=reference, values=serials, actor=actor,
                expires_at=lease.get("expires_at"),
            )  # fmt: skip
            got = len(serials)
        repo.answered(request.id, RequestState.RECEIVED, lease_id=lease["id"],
                      granted=len(serials), reason=lease.get("reason"))  # fmt: skip
    return Outcome(request, lease["id"], got, str(lease["outcome"]), lease.get("reason"))


def _refused(app: App, request: RequestRow, problem: dict[str, Any]) -> Outcome:
    reason = str(problem.get("reason") or problem.get("detail"))
    _close_refused(app, request, problem.get("lease"), reason)
    return Outcome(request, problem.get("lease"), 0, "refused", reason)


def _close_refused(app: App, request: RequestRow, lease_id: int | None, reason: str) -> None:
    with app.store.write() as tx:
        if LeaseSiteRepo(tx).answered(request.id, RequestState.REFUSED, lease_id=lease_id,
                                      granted=0, reason=reason):  # fmt: skip
            tx.events.append("lease-refused", actor=SYSTEM.label, subject=f"pool:{request.pool}",
                             details={"lease": lease_id, "reason": reason,
                                      "collection_id": request.collection_id})  # fmt: skip


def _expect(answer: Answer, doing: str) -> dict[str, Any]:
    """The body of a success; a problem answer becomes a core error with its detail."""
    if answer.ok:
        return answer.body
    detail = f"The authority refused to {doing}: {answer.body.get('detail', answer.status)}"
    code = str(answer.body.get("code") or "authority-error")
    if answer.status >= TRANSIENT or answer.status == 429:
        raise Unavailable(code, detail)
    if answer.status == 404:
        raise NotFound(code, detail)
    if answer.status == 400:
        raise InvalidInput(code, detail)
    raise Conflict(code, detail)

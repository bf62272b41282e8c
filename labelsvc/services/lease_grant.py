"""At the authority: register sites and answer their lease requests.

A lease is an allocation made for a site: its serials become items here (state
``allocated``, owned by the lease), so the one UNIQUE (namespace, value) rule that keeps
serials unique also keeps leased ones from ever being issued elsewhere, before or after the
lease expires, until the site returns them. A request names a *collection id*; asking again
with it gets the same answer (the same serials), so a site whose connection dropped retries
without being granted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from labelsvc.config import LeaseSettings
from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from labelsvc.domain.leases import COLLECTION_ID_MAX, SERIALS_PAGE, LeaseOutcome, SiteState
from labelsvc.services.allocation import allocate, check_count
from labelsvc.services.users import NewToken, create_token
from labelsvc.store import Store, Tx
from labelsvc.store.jobs import later
from labelsvc.store.leases import LeaseRepo, LeaseRow, SiteRow

POOL_REFUSALS = frozenset(
    {
        "pool-exhausted",
        "pool-suspended",
        "pool-retired",
        "pool-saturated",
        "list-exhausted",
        "lease-exhausted",
    }
)
"""Allocation refusals that make a lease refused (others are raised: asking again helps)."""
SITE_TOKEN_PREFIX = "site-"  # the API token of site NAME is named site-NAME


@dataclass(frozen=True)
class LeaseAnswer:
    """A lease with one page of its serials; ``continuation`` fetches the next page."""

    lease: LeaseRow
    serials: list[str]
    continuation: int | None
    replayed: bool = False  # the answer given before to the same collection id


def register_site(
    store: Store, name: str, actor: Actor, description: str = ""
) -> tuple[SiteRow, NewToken]:
    """Add a site and create the API token it uses (scope ``lease``; shown once)."""
    require(actor, "manage")
    with store.read() as tx:  # refuse a taken name before a token is made for it
        _refuse_taken(LeaseRepo(tx), name)
    token = create_token(store, SITE_TOKEN_PREFIX + name, ["lease"], actor)
    with store.write() as tx:
        repo = LeaseRepo(tx)
        _refuse_taken(repo, name)
        site = repo.add_site(name, token.name, description, actor.label)
        tx.events.append("site-registered", actor=actor.label, subject=f"site:{name}",
                         details={"token": token.name})  # fmt: skip
    return site, token


def _refuse_taken(repo: LeaseRepo, name: str) -> None:
    if repo.site(name) is not None:
        raise Conflict("site-exists", f"There is already a site named {name!r}.", site=name)


def site_of(tx: Tx, actor: Actor) -> SiteRow:
    """The site an API client acts for (its token is a site's), or a refusal."""
    require(actor, "lease")
    site = LeaseRepo(tx).site_of_token(actor.name) if actor.kind == "client" else None
    if site is None:
        raise Forbidden(
            "not-a-site",
            f"{actor.label} is not a registered site; an admin registers one with "
            "'labelsvc authority site add NAME', which makes its token.",
        )
    return site


def request_lease(
    store: Store, *, actor: Actor, pool: str, count: int, collection_id: str,
    gtin: str | None = None, settings: LeaseSettings | None = None,
) -> LeaseAnswer:  # fmt: skip
    """Grant ``count`` serials of ``pool`` to the actor's site: in full, in part or not.

    In part when the pool has less left or the site would hold more than
    ``max_outstanding`` unused; refused (with the reason, recorded) when nothing can be
    granted. The same collection id gets the same answer again.
    """
    cfg = settings or LeaseSettings()
    _check_collection_id(collection_id)
    check_count(count, cfg.max_block)
    with store.write() as tx:
        site = site_of(tx, actor)
        LeaseRepo(tx).seen(site.name)
        earlier = LeaseRepo(tx).by_collection(site.name, collection_id)
    if earlier is not None:
        if earlier.pool != pool or earlier.requested != count:
            raise Conflict(
                "collection-id-mismatch",
                f"Collection id {collection_id!r} was already used for {earlier.requested:,} "
                f"serials of pool {earlier.pool}; use a new one for a different request.",
            )
        return replace(page(store, earlier.id, actor=actor), replayed=True)
    grant, reason = _how_many(store, site, pool, count, cfg)
    allocation_id = None
    if grant > 0:
        try:
            allocation_id = _allocate(store, site, actor, pool, grant, gtin, collection_id)
        except Conflict as exc:  # the pool changed under us: refuse with its reason
            if exc.code not in POOL_REFUSALS:
                raise  # e.g. the same request still being written: the site asks again
            grant, reason = 0, exc.detail
    outcome = (LeaseOutcome.REFUSED if grant == 0 else
               LeaseOutcome.GRANTED if grant == count else LeaseOutcome.PARTIAL)  # fmt: skip
    expires = later(cfg.lease_days * 86_400) if grant else None
    with store.write() as tx:
        repo = LeaseRepo(tx)
        lease = repo.by_collection(site.name, collection_id) or repo.add(
            site=site.name, pool=pool, gtin=gtin, collection_id=collection_id,
            requested=count, granted=grant, outcome=str(outcome), reason=reason,
            allocation_id=allocation_id, expires_at=expires,
        )  # fmt: skip
        tx.events.append(
            f"lease-{outcome}", actor=actor.label, subject=f"lease:{lease.id}",
            details={"site": site.name, "pool": pool, "gtin": gtin, "requested": count,
                     "granted": grant, "reason": reason, "expires_at": expires},
        )  # fmt: skip
    return page(store, lease.id, actor=actor)


def page(store: Store, lease_id: int, *, actor: Actor, offset: int = 0,
         limit: int = SERIALS_PAGE) -> LeaseAnswer:  # fmt: skip
    """A lease and its serials from ``offset`` on (its holder or an admin may read it)."""
    with store.read() as tx:
        lease = LeaseRepo(tx).get(lease_id)
        if lease is None:
            raise NotFound("lease-not-found", f"There is no lease {lease_id}.", lease=lease_id)
        if not actor.may("manage") and site_of(tx, actor).name != lease.site:
            raise Forbidden("lease-not-yours", f"Lease {lease_id} is another site's.")
        serials: list[str] = []
        if lease.allocation_id is not None and offset < lease.granted:
            serials = LeaseRepo(tx).serials(lease.allocation_id, offset, limit)
    end = offset + len(serials)
    return LeaseAnswer(lease, serials, end if end < lease.granted else None)


def _check_collection_id(collection_id: str) -> None:
    fits = 0 < len(collection_id) <= COLLECTION_ID_MAX
    if not fits or not collection_id.isprintable():
        raise InvalidInput(
            "collection-id-invalid",
            f"collection_id must be 1 to {COLLECTION_ID_MAX} printable characters.",
            field="collection_id",
        )


def _how_many(
    store: Store, site: SiteRow, pool: str, count: int, cfg: LeaseSettings
) -> tuple[int, str | None]:
    """How many of ``count`` can be granted now, and why not all."""
    if site.state == SiteState.DECOMMISSIONED:
        return 0, f"site {site.name} is decommissioned; it gets no new lease."
    with store.read() as tx:
        row = tx.pools.get(pool, lock=False)
        if row is None:
            raise NotFound("pool-not-found", f"There is no serial pool named {pool!r}.",
                           pool=pool)  # fmt: skip
        if row.spec.state != "active":
            return 0, f"pool {pool} is {row.spec.state}."
        held = LeaseRepo(tx).outstanding(site.name, pool)
    room = max(0, cfg.max_outstanding - held)
    grant = min(count, row.remaining, room)
    if grant == count:
        return grant, None
    if row.remaining < count and row.remaining <= room:
        return grant, f"pool {pool} has {row.remaining:,} serials left."
    return grant, (f"site {site.name} holds {held:,} unused serials of {pool}; at most "
                   f"{cfg.max_outstanding:,} (setting leases.max_outstanding).")  # fmt: skip


def _allocate(store: Store, site: SiteRow, actor: Actor, pool: str, count: int,
              gtin: str | None, collection_id: str) -> int:  # fmt: skip
    """Issue the granted serials here, as the site's (resumable under the same key)."""
    as_site = replace(actor, scopes=actor.scopes | {"label"})
    result = allocate(
        store, pool, count, actor=as_site, gtin=gtin, station=None,
        idempotency_key=f"lease:{site.name}:{collection_id}", limit=count,
    )  # fmt: skip
    return result.id


def list_sites(store: Store, actor: Actor) -> list[SiteRow]:
    """Every site the authority leases to (admins)."""
    require(actor, "manage")
    with store.read() as tx:
        return LeaseRepo(tx).sites()


def get_site(store: Store, name: str, actor: Actor) -> SiteRow:
    """One site (an admin, or the site itself: how a site checks its link)."""
    require(actor, "lease")
    with store.read() as tx:
        return _site_for(tx, name, actor)


def _site_for(tx: Tx, name: str, actor: Actor) -> SiteRow:
    site = LeaseRepo(tx).site(name)
    if not actor.may("manage") and site_of(tx, actor).name != name:
        raise Forbidden("site-not-yours", f"This token is site {site_of(tx, actor).name}'s, "
                        f"not {name}'s.", site=site_of(tx, actor).name)  # fmt: skip
    if site is None:
        raise NotFound("site-not-found", f"There is no site named {name!r}.", site=name)
    return site


def decommission_site(store: Store, name: str, actor: Actor) -> SiteRow:
    """A site gets no new lease from now on (an admin, or the site itself, says so).

    What it holds unused it returns through its outbox (``lease.returned``).
    """
    require(actor, "lease")
    with store.write() as tx:
        repo = LeaseRepo(tx)
        site = _site_for(tx, name, actor)
        if site.state != SiteState.DECOMMISSIONED:
            repo.set_site_state(name, SiteState.DECOMMISSIONED)
            tx.events.append("site-decommissioned", actor=actor.label, subject=f"site:{name}")
        found = repo.site(name)
        assert found is not None
        return found


def list_leases(store: Store, actor: Actor, *, site: str | None = None, pool: str | None = None,
                before: int | None = None, limit: int = 100) -> list[LeaseRow]:  # fmt: skip
    """Leases newest first: an admin's of every site, a site's its own."""
    require(actor, "lease")
    with store.read() as tx:
        if not actor.may("manage"):
            site = site_of(tx, actor).name
        return LeaseRepo(tx).all(site=site, pool=pool, before=before, limit=limit)

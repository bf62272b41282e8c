"""At an authority: the sites it leases to and the leases it answered, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.domain.leases import LeaseState, SiteState
from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class SiteRow:
    """A site (or station) that may hold leases; ``token_name`` is the API token it uses."""

    name: str
    state: str
    token_name: str | None
    description: str
    created_by: str
    created_at: str
    last_seen_at: str | None


@dataclass(frozen=True)
class LeaseRow:
    """One answered lease request; the granted serials are the items of ``allocation_id``.

    ``used`` counts serials the site reported allocated or beyond, ``voided`` those of them
    it voided, ``returned`` those it gave back unused; the rest are outstanding.
    """

    id: int
    site: str
    pool: str
    gtin: str | None
    collection_id: str
    requested: int
    granted: int
    outcome: str
    reason: str | None
    state: str
    allocation_id: int | None
    expires_at: str | None
    used: int
    returned: int
    voided: int
    created_at: str
    updated_at: str

    @property
    def outstanding(self) -> int:
        """Granted serials neither reported used nor returned: still the holder's."""
        return max(0, self.granted - self.used - self.returned)

    def expired(self, at: str) -> bool:
        """True once its expiry passed (its holder may not issue from it any more)."""
        return self.expires_at is not None and self.expires_at <= at


def _site(r: Any) -> SiteRow:
    return SiteRow(**{k: r[k] for k in SiteRow.__dataclass_fields__})


def _lease(r: Any) -> LeaseRow:
    return LeaseRow(**{k: r[k] for k in LeaseRow.__dataclass_fields__})


class LeaseRepo:
    """Read and write sites and leases."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def add_site(self, name: str, token_name: str | None, description: str, by: str) -> SiteRow:
        """Register a site (its name is how its reports and events are told apart)."""
        self.tx.execute(
            "INSERT INTO lease_sites (name, state, token_name, description, created_by,"
            " created_at) VALUES (?, 'active', ?, ?, ?, ?)",
            (name, token_name, description, by, now()),
        )
        site = self.site(name)
        assert site is not None
        return site

    def site(self, name: str) -> SiteRow | None:
        """A site by name."""
        row = self.tx.execute("SELECT * FROM lease_sites WHERE name = ?", (name,)).fetchone()
        return _site(row) if row else None

    def site_of_token(self, token_name: str) -> SiteRow | None:
        """The site an API token acts for."""
        row = self.tx.execute(
            "SELECT * FROM lease_sites WHERE token_name = ?", (token_name,)
        ).fetchone()
        return _site(row) if row else None

    def sites(self) -> list[SiteRow]:
        """All sites by name."""
        return [_site(r) for r in self.tx.execute("SELECT * FROM lease_sites ORDER BY name")]

    def set_site_state(self, name: str, state: SiteState) -> None:
        """Decommission (or reactivate) a site."""
        self.tx.execute("UPDATE lease_sites SET state = ? WHERE name = ?", (str(state), name))

    def seen(self, name: str) -> None:
        """Remember when a site last talked to the authority."""
        self.tx.execute("UPDATE lease_sites SET last_seen_at = ? WHERE name = ?", (now(), name))

    def add(
        self, *, site: str, pool: str, gtin: str | None, collection_id: str, requested: int,
        granted: int, outcome: str, reason: str | None, allocation_id: int | None,
        expires_at: str | None,
    ) -> LeaseRow:  # fmt: skip
        """Record an answered request (UNIQUE (site, collection_id): one answer per id)."""
        at = now()
        state = LeaseState.REFUSED if granted == 0 else LeaseState.ACTIVE
        lease_id = self.tx.insert(
            "INSERT INTO leases (site, pool, gtin, collection_id, requested, granted, outcome,"
            " reason, state, allocation_id, expires_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (site, pool, gtin, collection_id, requested, granted, outcome, reason, str(state),
             allocation_id, expires_at, at, at),
        )  # fmt: skip
        lease = self.get(lease_id)
        assert lease is not None
        return lease

    def get(self, lease_id: int) -> LeaseRow | None:
        """A lease by id (locked for the rest of a write on PostgreSQL)."""
        row = self.tx.execute(
            f"SELECT * FROM leases WHERE id = ?{self.tx.for_update}", (lease_id,)
        ).fetchone()
        return _lease(row) if row else None

    def by_collection(self, site: str, collection_id: str) -> LeaseRow | None:
        """The answer a site got for a collection id (a retried request gets it again)."""
        row = self.tx.execute(
            "SELECT * FROM leases WHERE site = ? AND collection_id = ?", (site, collection_id)
        ).fetchone()
        return _lease(row) if row else None

    def of_allocation(self, allocation_id: int) -> LeaseRow | None:
        """The lease whose serials are the items of an allocation."""
        row = self.tx.execute(
            "SELECT * FROM leases WHERE allocation_id = ?", (allocation_id,)
        ).fetchone()
        return _lease(row) if row else None

    def all(
        self, *, site: str | None = None, pool: str | None = None, limit: int = 500,
        before: int | None = None,
    ) -> list[LeaseRow]:  # fmt: skip
        """Leases, newest first, of one site or pool or all (ids below ``before``)."""
        sql, params = "SELECT * FROM leases WHERE id < ?", list[Any]([before or 2**62])
        if site is not None:
            sql, params = sql + " AND site = ?", [*params, site]
        if pool is not None:
            sql, params = sql + " AND pool = ?", [*params, pool]
        rows = self.tx.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        return [_lease(r) for r in rows]

    def outstanding(self, site: str, pool: str) -> int:
        """Serials of a site's active leases of a pool not yet reported used or returned."""
        row = self.tx.execute(
            "SELECT COALESCE(SUM(granted - used - returned), 0) FROM leases"
            " WHERE site = ? AND pool = ? AND state = 'active'",
            (site, pool),
        ).fetchone()
        return int(row[0])

    def serials(self, allocation_id: int, offset: int, limit: int) -> list[str]:
        """One page of a lease's serials, in the order they were granted."""
        rows = self.tx.execute(
            "SELECT value FROM items WHERE allocation_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (allocation_id, limit, offset),
        )
        return [str(r[0]) for r in rows]

    def count_use(self, lease_id: int, *, used: int = 0, returned: int = 0,
                  voided: int = 0) -> LeaseRow:  # fmt: skip
        """Add reported use, returns and voids; a lease with nothing outstanding closes."""
        self.tx.execute(
            "UPDATE leases SET used = used + ?, returned = returned + ?, voided = voided + ?,"
            " updated_at = ? WHERE id = ?",
            (used, returned, voided, now(), lease_id),
        )
        self.tx.execute(
            "UPDATE leases SET state = 'closed' WHERE id = ? AND state = 'active'"
            " AND used + returned >= granted",
            (lease_id,),
        )
        lease = self.get(lease_id)
        assert lease is not None
        return lease

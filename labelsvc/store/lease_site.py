"""At a site: its link to the authority (site settings) and its block requests, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.domain.lease_site import RequestState
from labelsvc.store.clock import now
from labelsvc.store.supply import BlockRow

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

LINK_KEYS = ("lease.authority_url", "lease.site", "lease.state")


@dataclass(frozen=True)
class RequestRow:
    """One block request; ``gtin`` is '' for a pool without GTINs."""

    id: int
    pool: str
    gtin: str
    collection_id: str
    count: int
    state: str
    lease_id: int | None
    granted: int
    reason: str | None
    attempts: int
    last_error: str | None
    created_by: str
    created_at: str
    updated_at: str


def _request(r: Any) -> RequestRow:
    return RequestRow(**{k: r[k] for k in RequestRow.__dataclass_fields__})


class LeaseSiteRepo:
    """Read and write a site's link and its requests."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def link(self) -> dict[str, str]:
        """The stored link values (authority_url, site, state), those that are set."""
        marks = ", ".join("?" * len(LINK_KEYS))
        rows = self.tx.execute(
            f"SELECT key, value FROM site_settings WHERE key IN ({marks})", LINK_KEYS
        )
        return {str(r[0]).removeprefix("lease."): str(r[1]) for r in rows}

    def set_link(self, **values: str) -> None:
        """Store link values (``authority_url=``, ``site=``, ``state=``)."""
        for key, value in values.items():
            self.tx.execute(
                "INSERT INTO site_settings (key, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                (f"lease.{key}", value, now()),
            )

    def subscription_secret(self, name: str) -> str | None:
        """The secret of an outbox subscription (a site keeps its authority token there)."""
        row = self.tx.execute(
            "SELECT secret FROM webhook_subscriptions WHERE name = ?", (name,)
        ).fetchone()
        return str(row[0]) if row else None

    def set_subscription(self, name: str, url: str, secret: str) -> None:
        """Point an existing subscription at a new URL with a new secret (its queue stays)."""
        self.tx.execute(
            "UPDATE webhook_subscriptions SET url = ?, secret = ?, updated_at = ? WHERE name = ?",
            (url, secret, now(), name),
        )

    def open_request(self, pool: str, gtin: str, count: int, collection_id: str,
                     by: str) -> RequestRow:  # fmt: skip
        """The pending request of a pool and GTIN, made now unless one is pending already."""
        at = now()
        self.tx.execute(
            "INSERT INTO lease_requests (pool, gtin, collection_id, count, state, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (pool, gtin, collection_id, count, by, at, at),
        )
        found = self.pending(pool, gtin)
        assert found is not None
        return found

    def pending(self, pool: str, gtin: str) -> RequestRow | None:
        """The request of a pool and GTIN waiting for its answer (locked in a write)."""
        row = self.tx.execute(
            "SELECT * FROM lease_requests WHERE pool = ? AND gtin = ? AND state = 'pending'"
            f"{self.tx.for_update}",
            (pool, gtin),
        ).fetchone()
        return _request(row) if row else None

    def latest(self, pool: str, gtin: str) -> RequestRow | None:
        """The newest request of a pool and GTIN."""
        row = self.tx.execute(
            "SELECT * FROM lease_requests WHERE pool = ? AND gtin = ? ORDER BY id DESC LIMIT 1",
            (pool, gtin),
        ).fetchone()
        return _request(row) if row else None

    def requests(self, limit: int = 50) -> list[RequestRow]:
        """The newest requests first."""
        rows = self.tx.execute("SELECT * FROM lease_requests ORDER BY id DESC LIMIT ?", (limit,))
        return [_request(r) for r in rows]

    def attempted(self, request_id: int, error: str | None) -> None:
        """Count one sending of a request and what went wrong with it (None: nothing)."""
        self.tx.execute(
            "UPDATE lease_requests SET attempts = attempts + 1, last_error = ?, updated_at = ?"
            " WHERE id = ?",
            (error, now(), request_id),
        )

    def answered(self, request_id: int, state: RequestState, *, lease_id: int | None,
                 granted: int, reason: str | None) -> bool:  # fmt: skip
        """Close a pending request with the authority's answer; False if already closed."""
        return bool(
            self.tx.execute(
                "UPDATE lease_requests SET state = ?, lease_id = ?, granted = ?, reason = ?,"
                " last_error = NULL, updated_at = ? WHERE id = ? AND state = 'pending'",
                (str(state), lease_id, granted, reason, now(), request_id),
            ).rowcount
        )

    def lock_block(self, block_id: int) -> str | None:
        """Lock a supply block's pool, then the block, for the rest of the write (the order
        allocation takes them in, so a return never deadlocks with an allocation)."""
        self.tx.execute(
            "SELECT name FROM pools WHERE name = (SELECT pool FROM supply_blocks WHERE id = ?)"
            f"{self.tx.for_update}",
            (block_id,),
        ).fetchall()
        row = self.tx.execute(
            f"SELECT state FROM supply_blocks WHERE id = ?{self.tx.for_update}", (block_id,)
        ).fetchone()
        return str(row[0]) if row else None

    def closed_blocks_with_free_values(self) -> list[BlockRow]:
        """Leased blocks expired or returned that hold free values again (an abandoned
        allocation gave them back after the block closed)."""
        ids = self.tx.execute(
            "SELECT id FROM supply_blocks WHERE origin = 'lease' AND state <> 'active'"
            " AND available > 0 ORDER BY id"
        ).fetchall()
        found = [self.tx.supply.block(int(r[0])) for r in ids]
        return [b for b in found if b is not None]

    def value_states(self, values: list[str]) -> dict[str, tuple[int, str, str]]:
        """Leased values held here: value -> (block id, its value state, the block's pool)."""
        found: dict[str, tuple[int, str, str]] = {}
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            marks = ", ".join("?" * len(part))
            for r in self.tx.execute(
                "SELECT v.value, v.block_id, v.state, b.pool FROM supply_values v"
                " JOIN supply_blocks b ON b.id = v.block_id"
                f" WHERE b.origin = 'lease' AND v.value IN ({marks}) ORDER BY v.block_id",
                part,
            ):
                found[str(r[0])] = (int(r[1]), str(r[2]), str(r[3]))
        return found

    def item_state(self, allocation_value: str, pool: str) -> str | None:
        """The state of the item a pool issued with this value here (allocated, labeled...)."""
        row = self.tx.execute(
            "SELECT state FROM items WHERE value = ? AND pool = ? ORDER BY id DESC LIMIT 1",
            (allocation_value, pool),
        ).fetchone()
        return str(row[0]) if row else None

"""Issuers of list pools and the request each has in flight.

Portable SQL only. A refill round claims an issuer's row (locked on PostgreSQL; SQLite's
write transaction is exclusive), writes the collection id it will send, commits, and only
then calls the issuer; the block it gets back is stored under that collection id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class IssuerRow:
    """Where a list pool asks for more, and how its last request went."""

    pool: str
    gtin: str | None
    url: str
    token: str | None
    block: int
    low_water: int
    report_url: str | None
    subscription: str | None
    requests: int
    pending_collection: str | None
    pending_since: str | None
    last_error: str | None
    last_block_at: str | None
    created_by: str
    created_at: str
    updated_at: str


def _issuer(r: Any) -> IssuerRow:
    return IssuerRow(**{k: r[k] for k in IssuerRow.__dataclass_fields__})


class IssuerRepo:
    """Read and write ``supply_issuers``."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def get(self, pool: str, *, lock: bool = False) -> IssuerRow | None:
        """The issuer of a pool (locked for the rest of a write on PostgreSQL)."""
        suffix = self.tx.for_update if lock else ""
        row = self.tx.execute(
            f"SELECT * FROM supply_issuers WHERE pool = ?{suffix}", (pool,)
        ).fetchone()
        return _issuer(row) if row else None

    def all(self) -> list[IssuerRow]:
        """Every issuer, by pool."""
        return [_issuer(r) for r in self.tx.execute("SELECT * FROM supply_issuers ORDER BY pool")]

    def save(
        self, *, pool: str, gtin: str | None, url: str, token: str | None, block: int,
        low_water: int, report_url: str | None, subscription: str | None, actor: str,
    ) -> IssuerRow:  # fmt: skip
        """Add or change a pool's issuer (a request in flight keeps its collection id)."""
        at = now()
        changed = self.tx.execute(
            "UPDATE supply_issuers SET gtin = ?, url = ?, token = ?, block = ?, low_water = ?,"
            " report_url = ?, subscription = COALESCE(?, subscription), updated_at = ?"
            " WHERE pool = ?",
            (gtin, url, token, block, low_water, report_url, subscription, at, pool),
        ).rowcount
        if not changed:
            self.tx.execute(
                "INSERT INTO supply_issuers (pool, gtin, url, token, block, low_water,"
                " report_url, subscription, created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pool, gtin, url, token, block, low_water, report_url, subscription, actor,
                 at, at),
            )  # fmt: skip
        found = self.get(pool)
        assert found is not None
        return found

    def start_request(self, pool: str, collection_id: str) -> None:
        """Record the collection id about to be sent (before it is sent)."""
        at = now()
        self.tx.execute(
            "UPDATE supply_issuers SET pending_collection = ?, pending_since = ?,"
            " requests = requests + 1, updated_at = ? WHERE pool = ?",
            (collection_id, at, at, pool),
        )

    def finish_request(self, pool: str, collection_id: str, error: str | None = None) -> None:
        """The block of ``collection_id`` is stored (or the issuer gave nothing): clear it."""
        at = now()
        block_at = ", last_block_at = ?" if error is None else ""
        self.tx.execute(
            "UPDATE supply_issuers SET pending_collection = NULL, pending_since = NULL,"
            f" last_error = ?, updated_at = ?{block_at} WHERE pool = ? AND pending_collection = ?",
            (error, at, *([at] if error is None else []), pool, collection_id),
        )

    def failed(self, pool: str, error: str) -> None:
        """The request in flight failed; it is sent again, with the same id, next round."""
        self.tx.execute(
            "UPDATE supply_issuers SET last_error = ?, updated_at = ? WHERE pool = ?",
            (error[:500], now(), pool),
        )

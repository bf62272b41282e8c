"""At a site: the cursors of its lease reports, and what changed since them, as stored.

Portable SQL only; lookups take many keys at once (see :mod:`labelsvc.store.lease_reports`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelsvc.store.clock import now
from labelsvc.store.events import EventRow, event_from_row
from labelsvc.store.items import Item, item_from_row
from labelsvc.store.lease_reports import chunks, marks

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class Cursor:
    """Where a site's reports of one kind stand."""

    name: str
    item_id: int
    event_id: int
    seq: int


@dataclass(frozen=True)
class SupplyRef:
    """The block an allocated value came from (for a lease: ``reference`` is its id)."""

    block_id: int
    origin: str
    reference: str
    pool: str


class SiteReports:
    """At a site: the cursors and what changed since them."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def horizon(self, table: str) -> int:
        """The highest id of ``items`` or ``events`` below which every row is committed.

        On PostgreSQL ids are taken before commit, so a row with a lower id may still come;
        a SHARE lock waits for the writers in flight (held only for this one read; one
        table per transaction, so it can take part in no deadlock). SQLite writes one at a
        time, so its highest id is committed already.
        """
        assert table in ("items", "events")
        if self.tx.dialect == "postgresql":
            self.tx.execute(f"LOCK TABLE {table} IN SHARE MODE")
        row = self.tx.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
        return int(row[0])

    def cursor(self, name: str) -> Cursor:
        """The cursor of one kind, locked until the transaction ends (one reporter at once).

        Made on first use (a new database holds no rows, so ``db copy`` finds it empty)."""
        self.tx.execute(
            "INSERT INTO lease_report_cursors (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
            (name,),
        )
        row = self.tx.execute(
            "SELECT name, item_id, event_id, seq FROM lease_report_cursors WHERE name = ?"
            f"{self.tx.for_update}",
            (name,),
        ).fetchone()
        return Cursor(row[0], int(row[1]), int(row[2]), int(row[3]))

    def advance(self, cursor: Cursor) -> None:
        """Store where the reports now stand (same transaction as the outbox rows)."""
        self.tx.execute(
            "UPDATE lease_report_cursors SET item_id = ?, event_id = ?, seq = ?, updated_at = ?"
            " WHERE name = ?",
            (cursor.item_id, cursor.event_id, cursor.seq, now(), cursor.name),
        )

    def pools_of(self, supply: str) -> list[str]:
        """Pools whose values come from ``supply`` (lease or list)."""
        rows = self.tx.execute("SELECT name FROM pools WHERE supply = ? ORDER BY name", (supply,))
        return [str(r[0]) for r in rows]

    def new_items(self, pools: Sequence[str], after: int, upto: int, limit: int) -> list[Item]:
        """Items of these pools created since the cursor, in id order."""
        rows = self.tx.execute(
            f"SELECT * FROM items WHERE id > ? AND id <= ? AND pool IN ({marks(pools)})"
            " ORDER BY id LIMIT ?",
            (after, upto, *pools, limit),
        )
        return [item_from_row(r) for r in rows]

    def events_of(self, pools: Sequence[str], after: int, upto: int, limit: int) -> list[EventRow]:
        """Events since the cursor about an item (or parent) of these pools, in id order."""
        pool_marks = marks(pools)
        rows = self.tx.execute(
            "SELECT * FROM events WHERE id > ? AND id <= ? AND ("
            f"item_id IN (SELECT id FROM items WHERE pool IN ({pool_marks})) OR"
            f" parent_id IN (SELECT id FROM items WHERE pool IN ({pool_marks})))"
            " ORDER BY id LIMIT ?",
            (after, upto, *pools, *pools, limit),
        )
        return [event_from_row(r) for r in rows]

    def supply_refs(self, items: Sequence[Item]) -> dict[int, SupplyRef]:
        """The block each item's value was taken from, by item id (absent: not supplied)."""
        wanted = {(i.allocation_id, i.value): i.id for i in items if i.allocation_id}
        found: dict[int, SupplyRef] = {}
        for part in chunks(sorted({v for _, v in wanted})):
            rows = self.tx.execute(
                "SELECT v.allocation_id, v.value, b.id, b.origin, b.reference, b.pool"
                " FROM supply_values v JOIN supply_blocks b ON b.id = v.block_id"
                f" WHERE v.state = 'taken' AND v.value IN ({marks(part)})",
                part,
            )
            for r in rows:
                item_id = wanted.get((r[0], r[1]))
                if item_id is not None:
                    found[item_id] = SupplyRef(int(r[2]), str(r[3]), str(r[4]), str(r[5]))
        return found

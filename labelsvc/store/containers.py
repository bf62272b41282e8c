"""Containers (cases and pallets) and the nesting of items in them.

A child has one parent at a time because ``items.parent_id`` is one column and every
attach is ``UPDATE ... WHERE parent_id IS NULL``: of two writers the second changes no row.
Tree walks are recursive CTEs over the ``items_parent`` index, so their cost follows the
size of the tree, never the size of the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now
from labelsvc.store.items import Item, item_from_row

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

_DOWN = (
    "WITH RECURSIVE below(id, depth) AS ("
    " SELECT id, 1 FROM items WHERE parent_id = ?"
    " UNION ALL SELECT i.id, b.depth + 1 FROM items i JOIN below b ON i.parent_id = b.id)"
)
_UP = (
    "WITH RECURSIVE above(id, depth) AS ("
    " SELECT parent_id, 1 FROM items WHERE id = ? AND parent_id IS NOT NULL"
    " UNION ALL SELECT i.parent_id, a.depth + 1 FROM items i JOIN above a ON i.id = a.id"
    " WHERE i.parent_id IS NOT NULL)"
)
_ITEM_COLUMNS = (
    "id, namespace, value, kind, gtin, pool, allocation_id, state, hold, level, lot, expiry,"
    " parent_id, print_count, created_at, updated_at"
)


@dataclass(frozen=True)
class ContainerRow:
    """A case or pallet: its packing state, capacity and who opened and closed it."""

    item_id: int
    level: str
    state: str
    capacity: int | None
    gtin: str | None
    station: str | None
    opened_by: str
    opened_at: str
    closed_by: str | None
    closed_at: str | None
    close_reason: str | None


def _container(r: Any) -> ContainerRow:
    return ContainerRow(**{k: r[k] for k in r.keys()})  # noqa: SIM118 (sqlite3.Row)


def _items(rows: Any) -> list[Item]:
    return [item_from_row(r) for r in rows]


class ContainerRepo:
    """Open, close and read containers; attach, detach and walk the nesting tree."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def create(
        self, item_id: int, *, level: str, capacity: int | None, gtin: str | None,
        station: str | None, opened_by: str,
    ) -> ContainerRow:  # fmt: skip
        """Record an open container for an SSCC item and give the item its level."""
        at = now()
        self.tx.execute(
            "INSERT INTO containers (item_id, level, capacity, gtin, station, opened_by,"
            " opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, level, capacity, gtin, station, opened_by, at),
        )
        self.tx.execute(
            "UPDATE items SET level = ?, state = 'commissioned', updated_at = ? WHERE id = ?",
            (level, at, item_id),
        )
        found = self.get(item_id)
        assert found is not None
        return found

    def get(self, item_id: int) -> ContainerRow | None:
        """The container of this item, or None (a unit, or a received SSCC not opened here).

        Locked for the rest of a write on PostgreSQL, so two stations adding to one case
        count its contents one after the other.
        """
        row = self.tx.execute(
            f"SELECT * FROM containers WHERE item_id = ?{self.tx.for_update}", (item_id,)
        ).fetchone()
        return _container(row) if row else None

    def by_ids(self, item_ids: list[int]) -> dict[int, ContainerRow]:
        """Containers of several items, by item id."""
        found: dict[int, ContainerRow] = {}
        for start in range(0, len(item_ids), 500):
            chunk = item_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.tx.execute(f"SELECT * FROM containers WHERE item_id IN ({marks})", chunk):
                found[r["item_id"]] = _container(r)
        return found

    def set_product(self, item_id: int, gtin: str, capacity: int | None) -> None:
        """Fix the product (and so the capacity) of a container at its first unit."""
        self.tx.execute(
            "UPDATE containers SET gtin = ?, capacity = COALESCE(capacity, ?) WHERE item_id = ?",
            (gtin, capacity, item_id),
        )

    def close(self, item_id: int, *, by: str, reason: str | None) -> bool:
        """Close an open container; False when it was not open (a concurrent close)."""
        cur = self.tx.execute(
            "UPDATE containers SET state = 'closed', closed_by = ?, closed_at = ?,"
            " close_reason = ? WHERE item_id = ? AND state = 'open'",
            (by, now(), reason, item_id),
        )
        return cur.rowcount == 1

    def reopen(self, item_id: int) -> bool:
        """Open a closed container again; False when it was not closed."""
        cur = self.tx.execute(
            "UPDATE containers SET state = 'open', closed_by = NULL, closed_at = NULL,"
            " close_reason = NULL WHERE item_id = ? AND state = 'closed'",
            (item_id,),
        )
        return cur.rowcount == 1

    def open_containers(self, station: str | None = None, limit: int = 100) -> list[ContainerRow]:
        """Containers still open (at one station, if named), oldest first."""
        sql = "SELECT * FROM containers WHERE state = 'open'"
        params: list[Any] = []
        if station:
            sql += " AND station = ?"
            params.append(station)
        rows = self.tx.execute(sql + " ORDER BY item_id LIMIT ?", (*params, limit))
        return [_container(r) for r in rows]

    def attach(self, child_id: int, parent_id: int) -> bool:
        """Put a loose child into a parent; False when it already has a parent."""
        cur = self.tx.execute(
            "UPDATE items SET parent_id = ?, state = 'packed', updated_at = ?"
            " WHERE id = ? AND parent_id IS NULL",
            (parent_id, now(), child_id),
        )
        return cur.rowcount == 1

    def attach_many(self, pairs: list[tuple[int, int]]) -> int:
        """Bulk nesting of loose (child, parent) pairs (imports, benchmarks); count attached."""
        at = now()
        return self.tx.executemany(
            "UPDATE items SET parent_id = ?, state = 'packed', updated_at = ?"
            " WHERE id = ? AND parent_id IS NULL",
            ((parent, at, child) for child, parent in pairs),
        )

    def attach_received(self, child_id: int, parent_id: int) -> bool:
        """Record nesting as it arrived (receiving): the parent, state unchanged."""
        cur = self.tx.execute(
            "UPDATE items SET parent_id = ?, updated_at = ? WHERE id = ? AND parent_id IS NULL",
            (parent_id, now(), child_id),
        )
        return cur.rowcount == 1

    def detach(self, child_id: int, parent_id: int, state: str) -> bool:
        """Take a child out of this parent; False when it is not in it (any more)."""
        cur = self.tx.execute(
            "UPDATE items SET parent_id = NULL, state = ?, updated_at = ?"
            " WHERE id = ? AND parent_id = ?",
            (state, now(), child_id, parent_id),
        )
        return cur.rowcount == 1

    def child_count(self, parent_id: int) -> int:
        """How many children a container holds directly."""
        row = self.tx.execute("SELECT COUNT(*) FROM items WHERE parent_id = ?", (parent_id,))
        return int(row.fetchone()[0])

    def children(self, parent_id: int) -> list[Item]:
        """The direct children of a container, in the order they were created."""
        rows = self.tx.execute(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE parent_id = ? ORDER BY id", (parent_id,)
        )
        return _items(rows)

    def descendants(self, item_id: int) -> list[Item]:
        """Everything below an item at any depth, parents before their children."""
        rows = self.tx.execute(
            f"{_DOWN} SELECT {', '.join('i.' + c.strip() for c in _ITEM_COLUMNS.split(','))}"
            " FROM below b JOIN items i ON i.id = b.id ORDER BY b.depth, i.id",
            (item_id,),
        )
        return _items(rows)

    def ancestors(self, item_id: int) -> list[Item]:
        """The parent chain of an item, nearest first (case, then pallet)."""
        rows = self.tx.execute(
            f"{_UP} SELECT {', '.join('i.' + c.strip() for c in _ITEM_COLUMNS.split(','))}"
            " FROM above a JOIN items i ON i.id = a.id ORDER BY a.depth",
            (item_id,),
        )
        return _items(rows)

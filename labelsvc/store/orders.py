"""Outbound orders: lines, allocated serials, picks and what left on which shipment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class OrderRow:
    """One order as stored."""

    id: int
    reference: str
    customer: str
    state: str
    source: str
    created_by: str
    created_at: str
    closed_by: str | None
    closed_at: str | None
    close_reason: str | None
    shipment: str | None
    shipped_at: str | None


@dataclass(frozen=True)
class OrderLineRow:
    """One line: the product, how many are wanted, how many are picked."""

    id: int
    order_id: int
    line_no: int
    gtin: str
    sku: str | None
    quantity: int
    picked: int
    allocated: int  # serials the order names for this line


@dataclass(frozen=True)
class PickRow:
    """One unit picked for an order (and, once shipped, the shipment it left on)."""

    item_id: int
    line_id: int
    picked_by: str
    station: str | None
    picked_at: str
    shipment: str | None
    shipped_at: str | None


@dataclass(frozen=True)
class ShippedOn:
    """The last time a unit left on an order: which order, customer and shipment."""

    order: str
    customer: str
    shipment: str
    shipped_at: str


def _order(r: Any) -> OrderRow:
    return OrderRow(**{k: r[k] for k in OrderRow.__dataclass_fields__})


class OrderRepo:
    """Orders and their picks; the partial unique indexes settle races between stations."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def create(self, reference: str, customer: str, *, source: str, by: str) -> int:
        """A new open order (a duplicate reference is an IntegrityViolation)."""
        return self.tx.insert(
            "INSERT INTO orders (reference, customer, source, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (reference, customer, source, by, now()),
        )

    def add_line(self, order_id: int, line_no: int, gtin: str, sku: str | None, qty: int) -> int:
        """One line of an order."""
        return self.tx.insert(
            "INSERT INTO order_lines (order_id, line_no, gtin, sku, quantity)"
            " VALUES (?, ?, ?, ?, ?)",
            (order_id, line_no, gtin, sku, qty),
        )

    def allocate(self, order_id: int, line_id: int, item_ids: Sequence[int]) -> None:
        """Name the exact serials of a line (one open order per serial: the unique index)."""
        self.tx.executemany(
            "INSERT INTO order_serials (order_id, line_id, item_id) VALUES (?, ?, ?)",
            ((order_id, line_id, i) for i in item_ids),
        )

    def get(self, reference: str, *, lock: bool = False) -> OrderRow | None:
        """The order with this reference (row-locked for a write when ``lock``)."""
        suffix = self.tx.for_update if lock else ""
        row = self.tx.execute(
            f"SELECT * FROM orders WHERE reference = ?{suffix}", (reference,)
        ).fetchone()
        return _order(row) if row else None

    def all(self, state: str | None = None, limit: int = 100) -> list[OrderRow]:
        """The newest orders (of one state, if named)."""
        where, params = ("WHERE state = ?", [state]) if state else ("", [])
        rows = self.tx.execute(
            f"SELECT * FROM orders {where} ORDER BY id DESC LIMIT ?", (*params, limit)
        )
        return [_order(r) for r in rows]

    def lines(self, order_id: int) -> list[OrderLineRow]:
        """The lines in line order, with how many serials each names."""
        rows = self.tx.execute(
            "SELECT l.*, (SELECT COUNT(*) FROM order_serials s WHERE s.line_id = l.id)"
            " AS allocated FROM order_lines l WHERE l.order_id = ? ORDER BY l.line_no",
            (order_id,),
        )
        return [OrderLineRow(**{k: r[k] for k in OrderLineRow.__dataclass_fields__}) for r in rows]

    def allocated_to(self, item_id: int) -> str | None:
        """The open order a serial is allocated to, if any."""
        row = self.tx.execute(
            "SELECT o.reference FROM order_serials s JOIN orders o ON o.id = s.order_id"
            " WHERE s.item_id = ? AND s.active = 1",
            (item_id,),
        ).fetchone()
        return str(row[0]) if row else None

    def picked_on(self, item_ids: Sequence[int]) -> dict[int, str]:
        """The order each of these units is picked for (active picks only)."""
        found: dict[int, str] = {}
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.tx.execute(
                "SELECT p.item_id, o.reference FROM order_picks p JOIN orders o"
                f" ON o.id = p.order_id WHERE p.active = 1 AND p.item_id IN ({marks})",
                chunk,
            )
            found.update({int(r[0]): str(r[1]) for r in rows})
        return found

    def take_line(self, line_id: int) -> bool:
        """Count one more unit on a line, unless it is full (the last word on over-picks)."""
        cur = self.tx.execute(
            "UPDATE order_lines SET picked = picked + 1 WHERE id = ? AND picked < quantity",
            (line_id,),
        )
        return cur.rowcount == 1

    def add_pick(
        self, order_id: int, line_id: int, item_id: int, *, by: str, station: str | None
    ) -> None:
        """Record a picked unit (a unit picked elsewhere is an IntegrityViolation)."""
        self.tx.execute(
            "INSERT INTO order_picks (order_id, line_id, item_id, picked_by, station, picked_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (order_id, line_id, item_id, by, station, now()),
        )

    def put_back(self, order_id: int, item_id: int) -> int | None:
        """Undo an active pick of this order; return its line id (None: not picked here)."""
        row = self.tx.execute(
            "SELECT line_id FROM order_picks WHERE order_id = ? AND item_id = ? AND active = 1",
            (order_id, item_id),
        ).fetchone()
        if row is None:
            return None
        self.tx.execute(
            "DELETE FROM order_picks WHERE order_id = ? AND item_id = ? AND active = 1",
            (order_id, item_id),
        )
        self.tx.execute(
            "UPDATE order_lines SET picked = picked - 1 WHERE id = ? AND picked > 0", (row[0],)
        )
        return int(row[0])

    def picks(self, order_id: int) -> list[PickRow]:
        """The units picked for an order, in pick order."""
        rows = self.tx.execute(
            "SELECT * FROM order_picks WHERE order_id = ? ORDER BY id", (order_id,)
        )
        return [PickRow(**{k: r[k] for k in PickRow.__dataclass_fields__}) for r in rows]

    def close_short(self, order_id: int, *, by: str, reason: str) -> bool:
        """Open -> closed-short, with who and why."""
        cur = self.tx.execute(
            "UPDATE orders SET state = 'closed-short', closed_by = ?, closed_at = ?,"
            " close_reason = ? WHERE id = ? AND state = 'open'",
            (by, now(), reason, order_id),
        )
        return cur.rowcount == 1

    def mark_shipped(self, order_id: int, shipment: str) -> str | None:
        """The order and its picks left on ``shipment``; allocations and picks are released."""
        at = now()
        cur = self.tx.execute(
            "UPDATE orders SET state = 'shipped', shipment = ?, shipped_at = ?"
            " WHERE id = ? AND state IN ('open', 'closed-short')",
            (shipment, at, order_id),
        )
        if cur.rowcount != 1:
            return None
        self.tx.execute(
            "UPDATE order_picks SET active = 0, shipment = ?, shipped_at = ?"
            " WHERE order_id = ? AND active = 1",
            (shipment, at, order_id),
        )
        self.tx.execute("UPDATE order_serials SET active = 0 WHERE order_id = ?", (order_id,))
        return at

    def last_shipped(self, item_id: int) -> ShippedOn | None:
        """Where a unit last left: the order, its customer and the shipment."""
        row = self.tx.execute(
            "SELECT o.reference, o.customer, p.shipment, p.shipped_at FROM order_picks p"
            " JOIN orders o ON o.id = p.order_id WHERE p.item_id = ? AND p.shipped_at"
            " IS NOT NULL ORDER BY p.shipped_at DESC, p.id DESC LIMIT 1",
            (item_id,),
        ).fetchone()
        return ShippedOn(str(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None

    def by_shipment(self, shipment: str) -> OrderRow | None:
        """The order that left on this shipment (the newest, if several did)."""
        row = self.tx.execute(
            "SELECT * FROM orders WHERE shipment = ? ORDER BY id DESC LIMIT 1", (shipment,)
        ).fetchone()
        return _order(row) if row else None

    def by_id(self, order_id: int) -> OrderRow | None:
        """The order with this id."""
        row = self.tx.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        return _order(row) if row else None

"""Returns (RMA): a return per customer or order, one row per unit that came back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class ReturnRow:
    """One return as stored."""

    id: int
    reference: str
    customer: str
    order_id: int | None
    shipment: str | None
    state: str
    opened_by: str
    opened_at: str
    resolved_at: str | None


@dataclass(frozen=True)
class ReturnUnitRow:
    """One unit on a return: what the check found and what became of it."""

    id: int
    code: str
    item_id: int | None
    shipped_order: str | None
    shipped_customer: str | None
    shipment: str | None
    shipped_at: str | None
    days_since_ship: int | None
    warranty_days: int | None
    flag: str | None
    disposition: str | None
    disposed_by: str | None
    disposed_at: str | None
    received_by: str
    received_at: str


def _fields(cls: Any, r: Any) -> Any:
    return cls(**{k: r[k] for k in cls.__dataclass_fields__})


class ReturnRepo:
    """Open returns, record units and dispositions; a unit is on a return once (UNIQUE)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def create(
        self, reference: str, customer: str, *, order_id: int | None, shipment: str | None,
        by: str,
    ) -> int:  # fmt: skip
        """A new open return (a duplicate reference is an IntegrityViolation)."""
        return self.tx.insert(
            "INSERT INTO returns (reference, customer, order_id, shipment, opened_by, opened_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (reference, customer, order_id, shipment, by, now()),
        )

    def get(self, reference: str, *, lock: bool = False) -> ReturnRow | None:
        """The return with this reference (row-locked for a write when ``lock``)."""
        suffix = self.tx.for_update if lock else ""
        row = self.tx.execute(
            f"SELECT * FROM returns WHERE reference = ?{suffix}", (reference,)
        ).fetchone()
        return _fields(ReturnRow, row) if row else None

    def all(self, limit: int = 100) -> list[ReturnRow]:
        """The newest returns."""
        rows = self.tx.execute("SELECT * FROM returns ORDER BY id DESC LIMIT ?", (limit,))
        return [_fields(ReturnRow, r) for r in rows]

    def add_unit(self, return_id: int, unit: ReturnUnitRow) -> int:
        """Record a unit that came back, with what its check found."""
        values = {k: getattr(unit, k) for k in ReturnUnitRow.__dataclass_fields__ if k != "id"}
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        return self.tx.insert(
            f"INSERT INTO return_units (return_id, {cols}) VALUES (?, {marks})",
            (return_id, *values.values()),
        )

    def units(self, return_id: int) -> list[ReturnUnitRow]:
        """The units of a return in the order they came back."""
        rows = self.tx.execute(
            "SELECT * FROM return_units WHERE return_id = ? ORDER BY id", (return_id,)
        )
        return [_fields(ReturnUnitRow, r) for r in rows]

    def dispose(self, unit_id: int, disposition: str, *, by: str) -> bool:
        """Give an undecided unit its disposition."""
        cur = self.tx.execute(
            "UPDATE return_units SET disposition = ?, disposed_by = ?, disposed_at = ?"
            " WHERE id = ? AND disposition IS NULL",
            (disposition, by, now(), unit_id),
        )
        return cur.rowcount == 1

    def resolve(self, return_id: int) -> str | None:
        """Mark a return resolved (every unit decided); return the time, None if it was."""
        at = now()
        cur = self.tx.execute(
            "UPDATE returns SET state = 'resolved', resolved_at = ? WHERE id = ? AND"
            " state = 'open'",
            (at, return_id),
        )
        return at if cur.rowcount == 1 else None

    def resolved_between(self, since: str) -> list[tuple[str, str, str]]:
        """(reference, opened_at, resolved_at) of returns resolved since ``since``."""
        rows = self.tx.execute(
            "SELECT reference, opened_at, resolved_at FROM returns WHERE resolved_at >= ?"
            " ORDER BY resolved_at",
            (since,),
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def restocked(self, item_id: int) -> bool:
        """True when this unit came back on a return and was restocked."""
        row = self.tx.execute(
            "SELECT 1 FROM return_units WHERE item_id = ? AND disposition = 'restock' LIMIT 1",
            (item_id,),
        ).fetchone()
        return row is not None

"""Items: every unit serial, SSCC and custom serial ever issued or received."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

BATCH = 5_000


@dataclass(frozen=True)
class Item:
    """One identifier and where it stands in its lifecycle and packaging."""

    id: int
    namespace: str
    value: str
    kind: str
    gtin: str | None
    pool: str | None
    allocation_id: int | None
    state: str
    hold: str | None
    level: str | None
    lot: str | None
    expiry: str | None
    parent_id: int | None
    print_count: int
    created_at: str
    updated_at: str


def item_from_row(r: Any) -> Item:
    """Map a row of ``items`` to an :class:`Item`."""
    return Item(**{k: r[k] for k in r.keys()})  # noqa: SIM118 (sqlite3.Row)


def namespace_for(kind: str, gtin: str | None = None, pool: str | None = None) -> str:
    """The uniqueness namespace: per GTIN for unit serials, global for SSCC, per pool else."""
    if kind == "unit":
        return f"01:{gtin}"
    if kind == "sscc":
        return "sscc"
    return f"pool:{pool}"


class ItemRepo:
    """Insert and read items; uniqueness is the UNIQUE (namespace, value) constraint."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def insert_allocated(
        self,
        values: Sequence[str],
        *,
        namespace: str,
        kind: str,
        gtin: str | None,
        pool: str,
        allocation_id: int,
        ignore_duplicates: bool = False,
        lot: str | None = None,
        expiry: str | None = None,
    ) -> int:
        """Insert newly allocated values; return how many rows went in.

        With ``ignore_duplicates`` a value already taken is skipped (the caller draws again);
        without it a duplicate raises :class:`~labelsvc.store.errors.IntegrityViolation`.
        """
        conflict = " ON CONFLICT (namespace, value) DO NOTHING" if ignore_duplicates else ""
        level = "unit" if kind == "unit" else None
        at = now()
        return self.tx.bulk_insert(
            "items",
            ("namespace", "value", "kind", "gtin", "pool", "allocation_id", "level", "lot",
             "expiry", "created_at", "updated_at"),
            [(namespace, v, kind, gtin, pool, allocation_id, level, lot, expiry, at, at)
             for v in values],
            conflict,
        )  # fmt: skip

    def insert_seen(
        self,
        *,
        namespace: str,
        value: str,
        kind: str,
        gtin: str | None,
        level: str | None,
        state: str,
        lot: str | None = None,
        expiry: str | None = None,
    ) -> Item:
        """Insert an identifier that arrived from outside (a supplier's serial or SSCC)."""
        at = now()
        item_id = self.tx.insert(
            "INSERT INTO items (namespace, value, kind, gtin, level, state, lot, expiry,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (namespace, value, kind, gtin, level, state, lot, expiry, at, at),
        )
        item = self.get(item_id)
        assert item is not None
        return item

    def get(self, item_id: int) -> Item | None:
        """The item with this id, or None (locked for the rest of a write on PostgreSQL)."""
        row = self.tx.execute(
            f"SELECT * FROM items WHERE id = ?{self.tx.for_update}", (item_id,)
        ).fetchone()
        return item_from_row(row) if row else None

    def find(self, namespace: str, value: str) -> Item | None:
        """The item with this identifier, or None."""
        row = self.tx.execute(
            f"SELECT * FROM items WHERE namespace = ? AND value = ?{self.tx.for_update}",
            (namespace, value),
        ).fetchone()
        return item_from_row(row) if row else None

    def find_by_value(self, value: str, limit: int = 10) -> list[Item]:
        """Items whose bare value matches (a scan with no GTIN); may be several."""
        rows = self.tx.execute("SELECT * FROM items WHERE value = ? LIMIT ?", (value, limit))
        return [item_from_row(r) for r in rows]

    def of_allocation(self, allocation_id: int) -> list[Item]:
        """Items of one allocation in the order they were issued."""
        rows = self.tx.execute(
            "SELECT * FROM items WHERE allocation_id = ? ORDER BY id", (allocation_id,)
        )
        return [item_from_row(r) for r in rows]

    def values_of_allocation(self, allocation_id: int) -> list[str]:
        """Only the values of one allocation, cheap enough for a million rows."""
        rows = self.tx.execute(
            "SELECT value FROM items WHERE allocation_id = ? ORDER BY id", (allocation_id,)
        )
        return [r[0] for r in rows]

    def count_of_allocation(self, allocation_id: int) -> int:
        """How many items an allocation has written so far."""
        row = self.tx.execute(
            "SELECT COUNT(*) FROM items WHERE allocation_id = ?", (allocation_id,)
        ).fetchone()
        return int(row[0])

    def delete_unused_of_allocation(self, allocation_id: int, limit: int) -> int:
        """Delete up to ``limit`` never-used items of an abandoned allocation; count them."""
        return self.tx.execute(
            "DELETE FROM items WHERE id IN (SELECT id FROM items WHERE allocation_id = ?"
            " AND state = 'allocated' AND print_count = 0 LIMIT ?)",
            (allocation_id, limit),
        ).rowcount

    def last_id(self) -> int:
        """The highest item id so far (0 when empty)."""
        row = self.tx.execute("SELECT COALESCE(MAX(id), 0) FROM items").fetchone()
        return int(row[0])

    def by_ids(self, ids: Iterable[int]) -> list[Item]:
        """Items by id, in the order asked."""
        wanted = list(ids)
        found: dict[int, Item] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.tx.execute(f"SELECT * FROM items WHERE id IN ({marks})", chunk):
                found[r["id"]] = item_from_row(r)
        return [found[i] for i in wanted if i in found]

    def set_state(self, item_ids: Iterable[int], state: str) -> None:
        """Move items to a lifecycle state."""
        at = now()
        self.tx.executemany(
            "UPDATE items SET state = ?, updated_at = ? WHERE id = ?",
            ((state, at, i) for i in item_ids),
        )

    def set_lot(self, item_ids: Iterable[int], lot: str | None, expiry: str | None) -> None:
        """Record lot and expiry on items (received or labeled against a line)."""
        at = now()
        self.tx.executemany(
            "UPDATE items SET lot = ?, expiry = ?, updated_at = ? WHERE id = ?",
            ((lot, expiry, at, i) for i in item_ids),
        )

    def mark_printed(self, item_ids: Iterable[int]) -> None:
        """A label was sent for these items: count it; allocated ones become labeled."""
        at = now()
        self.tx.executemany(
            "UPDATE items SET print_count = print_count + 1, updated_at = ?,"
            " state = CASE state WHEN 'allocated' THEN 'labeled' ELSE state END WHERE id = ?",
            ((at, i) for i in item_ids),
        )

    # -- receiving, packing, trace (issue 5) ------------------------------------------------

    def set_hold(self, item_ids: Iterable[int], hold: str | None) -> int:
        """Put items on hold (``quarantine``/``recall``) or release them (None); count changed."""
        at = now()
        return self.tx.executemany(
            "UPDATE items SET hold = ?, updated_at = ? WHERE id = ? AND hold IS NOT ?",
            ((hold, at, i, hold) for i in item_ids),
        )

    def set_state_where(self, item_ids: Iterable[int], state: str, current: str) -> int:
        """Move items to ``state`` only from ``current``; return how many moved."""
        at = now()
        return self.tx.executemany(
            "UPDATE items SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
            ((state, at, i, current) for i in item_ids),
        )

    def by_lot(self, gtin: str, lot: str, after_id: int = 0, limit: int = 1000) -> list[Item]:
        """Units of one lot of a GTIN, by id (cursor: ``after_id``)."""
        rows = self.tx.execute(
            "SELECT * FROM items WHERE gtin = ? AND lot = ? AND id > ? ORDER BY id LIMIT ?",
            (gtin, lot, after_id, limit),
        )
        return [item_from_row(r) for r in rows]

    def by_gtin(self, gtin: str, after_id: int = 0, limit: int = 1000) -> list[Item]:
        """Serials of one GTIN, by id (cursor: ``after_id``); uses the namespace index."""
        rows = self.tx.execute(
            "SELECT * FROM items WHERE namespace = ? AND id > ? ORDER BY id LIMIT ?",
            (f"01:{gtin}", after_id, limit),
        )
        return [item_from_row(r) for r in rows]

    def by_receipt(self, receipt_id: int, after_id: int = 0, limit: int = 1000) -> list[Item]:
        """Items received on one receipt, by id (cursor: ``after_id``)."""
        rows = self.tx.execute(
            "SELECT i.* FROM receipt_items ri JOIN items i ON i.id = ri.item_id"
            " WHERE ri.receipt_id = ? AND ri.item_id > ? ORDER BY ri.item_id LIMIT ?",
            (receipt_id, after_id, limit),
        )
        return [item_from_row(r) for r in rows]

    def touched_between(
        self, since: str | None, until: str | None, after_id: int = 0, limit: int = 1000
    ) -> list[Item]:
        """Items with an event in a time range, by id (cursor: ``after_id``)."""
        rows = self.tx.execute(
            "SELECT * FROM items WHERE id IN (SELECT item_id FROM events"
            " WHERE at >= ? AND at < ? AND item_id IS NOT NULL) AND id > ? ORDER BY id LIMIT ?",
            (since or "", until or "9999", after_id, limit),
        )
        return [item_from_row(r) for r in rows]

    def set_extra_ais(self, item_id: int, ais: dict[str, str]) -> None:
        """Keep the AIs a scan carried beyond GTIN, serial, lot and expiry (merged, newest wins)."""
        if not ais:
            return
        merged = {**self.extra_ais(item_id), **ais}
        self.tx.execute(
            "INSERT INTO item_extra_ais (item_id, ais, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (item_id) DO UPDATE SET ais = excluded.ais,"
            " updated_at = excluded.updated_at",
            (item_id, json.dumps(merged, sort_keys=True), now()),
        )

    def extra_ais(self, item_id: int) -> dict[str, str]:
        """The extra AIs recorded for an item, ``{}`` when none."""
        row = self.tx.execute(
            "SELECT ais FROM item_extra_ais WHERE item_id = ?", (item_id,)
        ).fetchone()
        return dict(json.loads(row[0])) if row else {}


@dataclass(frozen=True)
class ContentSummary:
    """What a container holds, counted in units, for its label's content fields."""

    units: int
    gtins: tuple[str, ...]
    lots: tuple[str, ...]
    expiries: tuple[str, ...]


def content_summary(tx: Tx, container_id: int) -> ContentSummary:
    """Units below a container (any depth) with their distinct GTINs, lots and expiries."""
    rows = tx.execute(
        "WITH RECURSIVE below(id) AS (SELECT id FROM items WHERE parent_id = ?"
        " UNION ALL SELECT i.id FROM items i JOIN below b ON i.parent_id = b.id)"
        " SELECT COUNT(*), GROUP_CONCAT(DISTINCT i.gtin), GROUP_CONCAT(DISTINCT i.lot),"
        " GROUP_CONCAT(DISTINCT i.expiry) FROM items i JOIN below b ON i.id = b.id"
        " WHERE i.level = 'unit'",
        (container_id,),
    ).fetchone()

    def split(text: str | None) -> tuple[str, ...]:
        return tuple(sorted(text.split(","))) if text else ()

    return ContentSummary(int(rows[0]), split(rows[1]), split(rows[2]), split(rows[3]))

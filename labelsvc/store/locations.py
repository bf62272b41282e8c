"""Locations and where each item is: one ``item_locations`` row per located item.

Placing items is an upsert keyed by the item, so an item is in one location at a time
without a check before the write; a container's contents are placed with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now
from labelsvc.store.items import Item, item_from_row

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

_ITEM_COLUMNS = (
    "i.id, i.namespace, i.value, i.kind, i.gtin, i.pool, i.allocation_id, i.state, i.hold,"
    " i.level, i.lot, i.expiry, i.parent_id, i.print_count, i.created_at, i.updated_at"
)


@dataclass(frozen=True)
class Location:
    """A site, zone or bin, with the GS1 identity (GLN + extension) it may carry."""

    id: int
    code: str
    kind: str
    parent_id: int | None
    name: str
    gln: str | None
    gln_extension: str | None
    prefix_length: int | None
    created_at: str
    updated_at: str


def _location(r: Any) -> Location:
    return Location(**{k: r[k] for k in r.keys()})  # noqa: SIM118 (sqlite3.Row)


class LocationRepo:
    """Save and read locations; place items and read what is where."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def save(
        self,
        *,
        code: str,
        kind: str,
        parent_id: int | None,
        name: str | None,
        gln: str | None,
        gln_extension: str | None,
        prefix_length: int | None,
    ) -> tuple[Location, bool]:
        """Insert or update the location with this code; True when it is new.

        An update keeps the stored name, GLN, extension and prefix length given as None.
        """
        at = now()
        before = self.get(code)
        self.tx.execute(
            "INSERT INTO locations (code, kind, parent_id, name, gln, gln_extension,"
            " prefix_length, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (code) DO UPDATE SET kind = excluded.kind,"
            " parent_id = excluded.parent_id, name = COALESCE(CAST(? AS TEXT), locations.name),"
            " gln = COALESCE(excluded.gln, locations.gln),"
            " gln_extension = COALESCE(excluded.gln_extension, locations.gln_extension),"
            " prefix_length = COALESCE(excluded.prefix_length, locations.prefix_length),"
            " updated_at = excluded.updated_at",
            (code, kind, parent_id, name or "", gln, gln_extension, prefix_length, at, at, name),
        )
        found = self.get(code)
        assert found is not None
        return found, before is None

    def get(self, code: str) -> Location | None:
        """The location with this code, or None."""
        row = self.tx.execute("SELECT * FROM locations WHERE code = ?", (code,)).fetchone()
        return _location(row) if row else None

    def by_id(self, location_id: int) -> Location | None:
        """The location with this id, or None."""
        row = self.tx.execute("SELECT * FROM locations WHERE id = ?", (location_id,)).fetchone()
        return _location(row) if row else None

    def by_gln(self, gln: str, extension: str | None) -> Location | None:
        """The location a scanned GLN (414) with its extension (254) names, or None."""
        if extension is None:
            sql, params = "gln = ? AND gln_extension IS NULL", (gln,)
        else:
            sql, params = "gln = ? AND gln_extension = ?", (gln, extension)  # type: ignore[assignment]
        row = self.tx.execute(f"SELECT * FROM locations WHERE {sql}", params).fetchone()
        return _location(row) if row else None

    def all(self) -> list[Location]:
        """Every location, by code."""
        return [_location(r) for r in self.tx.execute("SELECT * FROM locations ORDER BY code")]

    def place(self, item_ids: Sequence[int], location_id: int) -> int:
        """Record that these items are now in ``location_id``; count the rows written."""
        at = now()
        return self.tx.executemany(
            "INSERT INTO item_locations (item_id, location_id, since) VALUES (?, ?, ?)"
            " ON CONFLICT (item_id) DO UPDATE SET location_id = excluded.location_id,"
            " since = excluded.since",
            ((i, location_id, at) for i in item_ids),
        )

    def remove(self, item_ids: Iterable[int]) -> int:
        """Forget where these items are (a count found them gone)."""
        return self.tx.executemany(
            "DELETE FROM item_locations WHERE item_id = ?", ((i,) for i in item_ids)
        )

    def of_item(self, item_id: int) -> Location | None:
        """Where an item is now (one primary-key read and one join), or None."""
        row = self.tx.execute(
            "SELECT l.* FROM item_locations il JOIN locations l ON l.id = il.location_id"
            " WHERE il.item_id = ?",
            (item_id,),
        ).fetchone()
        return _location(row) if row else None

    def of_items(self, item_ids: Sequence[int]) -> dict[int, int]:
        """Location ids of several items, by item id (items with none are left out)."""
        found: dict[int, int] = {}
        for start in range(0, len(item_ids), 500):
            chunk = item_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.tx.execute(
                f"SELECT item_id, location_id FROM item_locations WHERE item_id IN ({marks})",
                chunk,
            ):
                found[r[0]] = r[1]
        return found

    def contents(self, location_id: int, after_id: int = 0, limit: int = 1000) -> list[Item]:
        """Everything in a location (containers and what they hold), by item id."""
        rows = self.tx.execute(
            f"SELECT {_ITEM_COLUMNS} FROM item_locations il JOIN items i ON i.id = il.item_id"
            " WHERE il.location_id = ? AND il.item_id > ? ORDER BY il.item_id LIMIT ?",
            (location_id, after_id, limit),
        )
        return [item_from_row(r) for r in rows]

    def top_level(self, location_id: int) -> list[int]:
        """Ids of what a counter sees in a bin: items whose parent is not in the same bin."""
        rows = self.tx.execute(
            "SELECT il.item_id FROM item_locations il JOIN items i ON i.id = il.item_id"
            " WHERE il.location_id = ? AND (i.parent_id IS NULL OR NOT EXISTS ("
            "SELECT 1 FROM item_locations p WHERE p.item_id = i.parent_id"
            " AND p.location_id = il.location_id)) ORDER BY il.item_id",
            (location_id,),
        )
        return [int(r[0]) for r in rows]

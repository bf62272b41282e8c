"""Cycle counts and their lines: one line per serial, expected, found or both.

"Each serial counted once" is the primary key (count, item) plus a guarded update
(``found = 0``): of two scans of one serial the second changes no row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class CountRow:
    """A count of one bin or one container."""

    id: int
    location_id: int | None
    container_id: int | None
    blind: bool
    state: str
    station: str | None
    opened_by: str
    opened_at: str
    closed_by: str | None
    closed_at: str | None


@dataclass(frozen=True)
class CountLine:
    """One serial in a count: whether it was expected, found, and how it was resolved."""

    item_id: int
    expected: bool
    found: bool
    recorded_location_id: int | None
    found_by: str | None
    found_at: str | None
    resolution: str | None
    resolved_by: str | None
    resolved_at: str | None


def _count(r: Any) -> CountRow:
    d = {k: r[k] for k in r.keys()}  # noqa: SIM118 (sqlite3.Row)
    return CountRow(**{**d, "blind": bool(d["blind"])})


def _line(r: Any) -> CountLine:
    d = {k: r[k] for k in r.keys() if k != "count_id"}  # noqa: SIM118 (sqlite3.Row)
    return CountLine(**{**d, "expected": bool(d["expected"]), "found": bool(d["found"])})


class CountRepo:
    """Open, scan, close and resolve cycle counts."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def open(
        self,
        *,
        location_id: int | None,
        container_id: int | None,
        blind: bool,
        station: str | None,
        by: str,
        expected: Sequence[tuple[int, int | None]],
    ) -> int:
        """A new open count with its expected lines (item id, recorded location id)."""
        count_id = self.tx.insert(
            "INSERT INTO cycle_counts (location_id, container_id, blind, state, station,"
            " opened_by, opened_at) VALUES (?, ?, ?, 'open', ?, ?, ?)",
            (location_id, container_id, int(blind), station, by, now()),
        )
        self.tx.executemany(
            "INSERT INTO cycle_count_lines (count_id, item_id, expected, recorded_location_id)"
            " VALUES (?, ?, 1, ?)",
            ((count_id, item, where) for item, where in expected),
        )
        return count_id

    def get(self, count_id: int) -> CountRow | None:
        """The count with this id (locked for the rest of a write on PostgreSQL), or None."""
        row = self.tx.execute(
            f"SELECT * FROM cycle_counts WHERE id = ?{self.tx.for_update}", (count_id,)
        ).fetchone()
        return _count(row) if row else None

    def mark_found(self, count_id: int, item_id: int, by: str) -> bool:
        """An expected serial was scanned; False when it is not expected or counted already."""
        return (
            self.tx.execute(
                "UPDATE cycle_count_lines SET found = 1, found_by = ?, found_at = ?"
                " WHERE count_id = ? AND item_id = ? AND found = 0",
                (by, now(), count_id, item_id),
            ).rowcount
            == 1
        )

    def add_found(self, count_id: int, item_id: int, recorded: int | None, by: str) -> bool:
        """An unexpected serial was scanned; False when it was counted already."""
        cur = self.tx.execute(
            "INSERT INTO cycle_count_lines (count_id, item_id, expected, found,"
            " recorded_location_id, found_by, found_at) VALUES (?, ?, 0, 1, ?, ?, ?)"
            " ON CONFLICT (count_id, item_id) DO NOTHING",
            (count_id, item_id, recorded, by, now()),
        )
        return cur.rowcount == 1

    def lines(self, count_id: int) -> list[CountLine]:
        """Every line of a count, by item id."""
        rows = self.tx.execute(
            "SELECT * FROM cycle_count_lines WHERE count_id = ? ORDER BY item_id", (count_id,)
        )
        return [_line(r) for r in rows]

    def close(self, count_id: int, by: str) -> bool:
        """Close an open count; False when it was closed already."""
        cur = self.tx.execute(
            "UPDATE cycle_counts SET state = 'closed', closed_by = ?, closed_at = ?"
            " WHERE id = ? AND state = 'open'",
            (by, now(), count_id),
        )
        return cur.rowcount == 1

    def resolve(self, count_id: int, item_id: int, resolution: str, by: str) -> bool:
        """Record a supervisor's resolution of one line; False when it was resolved."""
        cur = self.tx.execute(
            "UPDATE cycle_count_lines SET resolution = ?, resolved_by = ?, resolved_at = ?"
            " WHERE count_id = ? AND item_id = ? AND resolution IS NULL",
            (resolution, by, now(), count_id, item_id),
        )
        return cur.rowcount == 1

    def closed_between(self, since: str | None, until: str | None) -> list[CountRow]:
        """Counts closed in ``[since, until)``, by id."""
        rows = self.tx.execute(
            "SELECT * FROM cycle_counts WHERE state = 'closed' AND closed_at >= ?"
            " AND closed_at < ? ORDER BY id",
            (since or "", until or "9999"),
        )
        return [_count(r) for r in rows]

"""The append-only event log: every change is recorded in the transaction that makes it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class EventRow:
    """One stored event."""

    id: int
    type: str
    item_id: int | None
    parent_id: int | None
    subject: str | None
    actor: str
    station: str | None
    at: str
    details: dict[str, Any]


def _row(r: Any) -> EventRow:
    return EventRow(
        id=r["id"],
        type=r["type"],
        item_id=r["item_id"],
        parent_id=r["parent_id"],
        subject=r["subject"],
        actor=r["actor"],
        station=r["station"],
        at=r["at"],
        details=json.loads(r["details"]),
    )


class EventRepo:
    """Append and read events. Types are kebab-case: ``serials-allocated``, ``packed``..."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def append(
        self,
        type: str,
        *,
        actor: str,
        station: str | None = None,
        item_id: int | None = None,
        parent_id: int | None = None,
        subject: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Record one event and return its id."""
        return self.tx.insert(
            "INSERT INTO events (type, item_id, parent_id, subject, actor, station, at, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                type,
                item_id,
                parent_id,
                subject,
                actor,
                station,
                now(),
                json.dumps(details or {}, sort_keys=True),
            ),
        )

    def append_many(
        self,
        type: str,
        item_ids: Iterable[int],
        *,
        actor: str,
        station: str | None = None,
        parent_id: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Record the same event for many items in one statement batch."""
        at, blob = now(), json.dumps(details or {}, sort_keys=True)
        self.tx.executemany(
            "INSERT INTO events (type, item_id, parent_id, actor, station, at, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((type, i, parent_id, actor, station, at, blob) for i in item_ids),
        )

    def for_item(self, item_id: int) -> list[EventRow]:
        """The timeline of one item, oldest first (its own events and those as a parent)."""
        rows = self.tx.execute(
            "SELECT * FROM events WHERE item_id = ? UNION "
            "SELECT * FROM events WHERE parent_id = ? ORDER BY id",
            (item_id, item_id),
        )
        return [_row(r) for r in rows]

    def for_subject(self, subject: str) -> list[EventRow]:
        """Events about a pool, receipt, job or other non-item subject, oldest first."""
        rows = self.tx.execute("SELECT * FROM events WHERE subject = ? ORDER BY id", (subject,))
        return [_row(r) for r in rows]

    def query(
        self,
        *,
        types: Iterable[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        actor: str | None = None,
        after_id: int = 0,
        limit: int = 100,
    ) -> list[EventRow]:
        """Events filtered by type, time range and actor, in id order (cursor: ``after_id``)."""
        where: list[str] = ["id > ?"]
        params: list[object] = [after_id]
        type_list = list(types or [])
        if type_list:
            where.append(f"type IN ({','.join('?' * len(type_list))})")
            params.extend(type_list)
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("at < ?")
            params.append(until)
        if actor:
            where.append("actor = ?")
            params.append(actor)
        sql = f"SELECT * FROM events WHERE {' AND '.join(where)} ORDER BY id LIMIT ?"
        return [_row(r) for r in self.tx.execute(sql, (*params, limit))]

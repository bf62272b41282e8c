"""The append-only event log: every change is recorded in the transaction that makes it.

Each row also keeps where it happened in GS1 terms as it was at that moment (the station's
SGLN as read point, the site's SGLN as business location, the site's UTC offset), so that
its EPCIS form and Event Hash ID never change when an admin later edits an identity. Rows
written together by :meth:`EventRepo.append_many` share a ``batch``: one EPCIS event.
"""

from __future__ import annotations

import json
import uuid
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
    read_point: str | None = None
    biz_location: str | None = None
    tz_offset: str | None = None
    batch: str | None = None


@dataclass(frozen=True)
class Where:
    """The GS1 where of events written now at one station."""

    read_point: str | None
    biz_location: str | None
    tz_offset: str


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
        read_point=r["read_point"],
        biz_location=r["biz_location"],
        tz_offset=r["tz_offset"],
        batch=r["batch"],
    )


def event_from_row(r: Any) -> EventRow:
    """Map a row of ``events`` read by another store's own query."""
    return _row(r)


class EventRepo:
    """Append and read events. Types are kebab-case: ``serials-allocated``, ``packed``..."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self._where: dict[str | None, Where] = {}

    def where(self, station: str | None) -> Where:
        """Read point, business location and offset for events of ``station`` (read once per
        transaction): the station's own SGLN, else the site's GLN with the station's name as
        extension; the site's SGLN as business location. None while the site has no GLN."""
        if station not in self._where:
            site = self.tx.identity.site()
            own = self.tx.identity.station_sgln(station) if station else None
            try:
                point = own or site.sgln(station or "0")
            except ValueError:  # a station name that is no GLN extension: the site itself
                point = site.sgln()
            self._where[station] = Where(point, site.sgln(), site.offset())
        return self._where[station]

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
        where = self.where(station)
        return self.tx.insert(
            "INSERT INTO events (type, item_id, parent_id, subject, actor, station, at, details,"
            " read_point, biz_location, tz_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (type, item_id, parent_id, subject, actor, station, now(),
             json.dumps(details or {}, sort_keys=True), where.read_point, where.biz_location,
             where.tz_offset),
        )  # fmt: skip

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
        """Record the same event for many items in one statement batch (one ``batch``)."""
        at, blob = now(), json.dumps(details or {}, sort_keys=True)
        w, batch = self.where(station), uuid.uuid4().hex
        self.tx.executemany(
            "INSERT INTO events (type, item_id, parent_id, actor, station, at, details,"
            " read_point, biz_location, tz_offset, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((type, i, parent_id, actor, station, at, blob, w.read_point, w.biz_location,
              w.tz_offset, batch) for i in item_ids),
        )  # fmt: skip

    def by_ids(self, ids: Iterable[int]) -> list[EventRow]:
        """These rows, in id order."""
        keys = sorted(set(ids))
        found: list[EventRow] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            sql = f"SELECT * FROM events WHERE id IN ({','.join('?' * len(chunk))})"
            found.extend(_row(r) for r in self.tx.execute(sql, chunk))
        return sorted(found, key=lambda r: r.id)

    def of_batches(self, batches: Iterable[str]) -> list[EventRow]:
        """Every row of these batches, in id order (an EPCIS event is its whole batch)."""
        keys = sorted(set(batches))
        found: list[EventRow] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            sql = f"SELECT * FROM events WHERE batch IN ({','.join('?' * len(chunk))})"
            found.extend(_row(r) for r in self.tx.execute(sql, chunk))
        return sorted(found, key=lambda r: r.id)

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

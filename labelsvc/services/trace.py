"""Trace and recall: look anything up, walk its packaging, read its history, hold it.

A trace is the item, its parent chain up to the pallet, everything below it, and its
timeline. Quarantine and recall hold an item and all its descendants (or a whole lot);
packing, receiving and shipping refuse held items until a supervisor releases them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.instants import stored_instant
from labelsvc.gs1.check import normalize_gtin
from labelsvc.services import outbound
from labelsvc.services.app import App
from labelsvc.services.flow_views import (
    ContainerView,
    ItemView,
    container_view,
    need_item,
    views,
)
from labelsvc.services.locations import LocationView
from labelsvc.services.lookup import describe
from labelsvc.services.putaway import LocationStep, current_location, history_of
from labelsvc.store import Tx
from labelsvc.store.events import EventRow
from labelsvc.store.items import Item

MAX_TREE = 100_000


@dataclass(frozen=True)
class TimelineEntry:
    """One event in an item's history, with names instead of ids."""

    id: int
    at: str
    type: str
    actor: str
    station: str | None
    item: str | None
    parent: str | None
    details: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class Trace:
    """Everything known about one item."""

    item: ItemView
    container: ContainerView | None
    ancestors: tuple[ItemView, ...]  # nearest first: case, then pallet
    descendants: tuple[ItemView, ...]  # parents before their children
    timeline: tuple[TimelineEntry, ...]  # oldest first
    receipts: tuple[str, ...]  # references it was received on
    extra_ais: dict[str, str] = field(default_factory=dict, hash=False)  # weights, dates...
    location: LocationView | None = None  # where it is now
    location_history: tuple[LocationStep, ...] = ()  # oldest first

    @property
    def units(self) -> int:
        """Units below this item (or 1 for a unit)."""
        below = sum(1 for d in self.descendants if d.level == "unit")
        return below or int(self.item.level == "unit")


@dataclass(frozen=True)
class HoldResult:
    """What a quarantine, recall or release did."""

    action: str  # quarantined, recalled, released
    reason: str
    items: tuple[ItemView, ...]  # the ones whose hold changed
    total: int  # the ones looked at (some may have been held already)


def _entries(tx: Tx, rows: list[EventRow]) -> list[TimelineEntry]:
    ids = {r.item_id for r in rows if r.item_id} | {r.parent_id for r in rows if r.parent_id}
    names = {i.id: describe(i) for i in tx.items.by_ids(sorted(i for i in ids if i))}
    return [
        TimelineEntry(
            id=r.id,
            at=r.at,
            type=r.type,
            actor=r.actor,
            station=r.station,
            item=names.get(r.item_id or 0),
            parent=names.get(r.parent_id or 0),
            details=r.details,
        )
        for r in rows
    ]


def _allocated(tx: Tx, item: Item) -> list[TimelineEntry]:
    """The allocation is an event of the pool; show it as the first entry of the item."""
    if item.allocation_id is None:
        return []
    row = tx.pools.allocation(item.allocation_id)
    if row is None:
        return []
    return [
        TimelineEntry(
            id=0,
            at=row.created_at,
            type="allocated",
            actor=row.actor,
            station=row.station,
            item=describe(item),
            parent=None,
            details={"pool": row.pool, "allocation": row.id, "count": row.count},
        )
    ]


def trace(app: App, scan: str, *, actor: Actor) -> Trace:
    """Look up anything scanned: state, parent chain, descendants and timeline."""
    require(actor, "read")
    with app.store.read() as tx:
        item = need_item(tx, app, scan)
        row = tx.containers.get(item.id)
        ancestors = tx.containers.ancestors(item.id)
        below = tx.containers.descendants(item.id)
        timeline = _allocated(tx, item) + _entries(tx, tx.events.for_item(item.id))
        return Trace(
            item=views(tx, [item])[0],
            container=container_view(tx, row) if row else None,
            ancestors=tuple(views(tx, ancestors)),
            descendants=tuple(views(tx, below)),
            timeline=tuple(timeline),
            receipts=tuple(tx.receipts.receipts_of(item.id)),
            extra_ais=tx.items.extra_ais(item.id),
            location=current_location(tx, item.id),
            location_history=history_of(tx, item.id),
        )


def find_items(
    app: App, *, actor: Actor, gtin: str | None = None, lot: str | None = None,
    receipt: str | None = None, since: str | None = None, until: str | None = None,
    after_id: int = 0, limit: int = 1000,
) -> list[ItemView]:  # fmt: skip
    """Items by lot (with its GTIN), GTIN, receipt reference, or activity in a time range.

    Exactly one criterion is used, in that order of preference; page with ``after_id``.
    """
    require(actor, "read")
    with app.store.read() as tx:
        if lot:
            if not gtin:
                raise InvalidInput("gtin-required", "A lot is looked up with its GTIN.")
            found = tx.items.by_lot(normalize_gtin(gtin), lot, after_id, limit)
        elif gtin:
            found = tx.items.by_gtin(normalize_gtin(gtin), after_id, limit)
        elif receipt:
            row = tx.receipts.get(receipt)
            if row is None:
                raise NotFound("receipt-not-found", f"There is no receipt {receipt!r}.")
            found = tx.items.by_receipt(row.id, after_id, limit)
        elif since or until:
            bounds = stored_instant(since, "since"), stored_instant(until, "until")
            found = tx.items.touched_between(*bounds, after_id, limit)
        else:
            raise InvalidInput("query-empty", "Give a lot and GTIN, a GTIN, a receipt or a time.")
        return views(tx, found)


def events_between(
    app: App, *, actor: Actor, since: str | None = None, until: str | None = None,
    types: Iterable[str] | None = None, after_id: int = 0, limit: int = 1000,
) -> list[TimelineEntry]:  # fmt: skip
    """Events in a time range (optionally of some types), oldest first; page with ``after_id``."""
    require(actor, "read")
    with app.store.read() as tx:
        rows = tx.events.query(types=types, since=stored_instant(since, "since"),
                               until=stored_instant(until, "until"), after_id=after_id,
                               limit=limit)  # fmt: skip
        return _entries(tx, rows)


def _hold(
    tx: Tx, items: list[Item], *, hold: str | None, action: str, reason: str, actor: Actor,
    station: str | None,
) -> HoldResult:  # fmt: skip
    changed = [i for i in items if i.hold != hold]
    ids = [i.id for i in changed]
    tx.items.set_hold(ids, hold)
    details: dict[str, Any] = {"reason": reason}
    tx.events.append_many(action, ids, actor=actor.label, station=station, details=details)
    outbound.held(tx, action, changed, reason=reason, by=actor.label)
    return HoldResult(action, reason, tuple(views(tx, tx.items.by_ids(ids))), len(items))


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("reason-required", "Give a reason.", field="reason")
    return reason.strip()


def quarantine(
    app: App, scan: str, *, actor: Actor, reason: str, recall: bool = False,
    station: str | None = None,
) -> HoldResult:  # fmt: skip
    """Quarantine (or recall) an item and everything below it; a recall needs a supervisor."""
    require(actor, "recall" if recall else "quarantine")
    reason = _reason(reason)
    with app.store.write() as tx:
        item = need_item(tx, app, scan)
        tree = [item, *tx.containers.descendants(item.id)]
        return _hold(
            tx, tree, hold="recall" if recall else "quarantine",
            action="recalled" if recall else "quarantined", reason=reason, actor=actor,
            station=station or actor.station,
        )  # fmt: skip


def release(
    app: App, scan: str, *, actor: Actor, reason: str, station: str | None = None
) -> HoldResult:
    """Release a held item and everything below it (supervisor)."""
    require(actor, "release")
    reason = _reason(reason)
    with app.store.write() as tx:
        item = need_item(tx, app, scan)
        tree = [item, *tx.containers.descendants(item.id)]
        return _hold(tx, tree, hold=None, action="released", reason=reason, actor=actor,
                     station=station or actor.station)  # fmt: skip


def _lot_items(tx: Tx, gtin: str, lot: str) -> list[Item]:
    found: list[Item] = []
    while len(found) < MAX_TREE:
        page = tx.items.by_lot(normalize_gtin(gtin), lot, found[-1].id if found else 0, 5000)
        if not page:
            break
        found.extend(page)
    if not found:
        raise NotFound("lot-not-found", f"No serial of GTIN {gtin} has lot {lot!r}.")
    return found


def quarantine_lot(
    app: App, gtin: str, lot: str, *, actor: Actor, reason: str, recall: bool = False,
    station: str | None = None,
) -> HoldResult:  # fmt: skip
    """Quarantine (or recall) every serial of a lot; containers holding them cannot ship."""
    require(actor, "recall" if recall else "quarantine")
    reason = _reason(reason)
    with app.store.write() as tx:
        return _hold(
            tx, _lot_items(tx, gtin, lot), hold="recall" if recall else "quarantine",
            action="recalled" if recall else "quarantined", reason=reason, actor=actor,
            station=station or actor.station,
        )  # fmt: skip


def release_lot(
    app: App, gtin: str, lot: str, *, actor: Actor, reason: str, station: str | None = None
) -> HoldResult:
    """Release every serial of a lot (supervisor)."""
    require(actor, "release")
    reason = _reason(reason)
    with app.store.write() as tx:
        return _hold(tx, _lot_items(tx, gtin, lot), hold=None, action="released",
                     reason=reason, actor=actor, station=station or actor.station)  # fmt: skip

"""At a site: report what was done with leased (and issued-list) serials, through the outbox.

One round reads what changed since the cursors (new items of the pools by item id, their
events by event id), writes ``lease.usage`` messages of at most ``leases.report_batch``
serials each with their events and an increasing ``seq``, and advances the cursors in the
same transaction: a crash loses or doubles nothing, and two instances on one store take
turns on the locked cursor row. Pools with supply ``list`` get ``list.usage`` messages, per
issuer block, for the issuer that made their values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from labelsvc.domain.leases import BlockOrigin, Supply
from labelsvc.domain.reconcile import REPORT_BYTES, ReportCursor
from labelsvc.domain.topics import Topic
from labelsvc.services.app import App
from labelsvc.services.lease_site import link_of
from labelsvc.store import Tx
from labelsvc.store.events import EventRow
from labelsvc.store.items import Item
from labelsvc.store.lease_cursors import Cursor, SiteReports, SupplyRef

EVENTS_MOST = 10  # events read per report round, in batches: at most this many per serial
UNLINKED = "unlinked"  # the site name reported before the site is linked to an authority


@dataclass(frozen=True)
class Changes:
    """One batch of what changed: serials (new or touched), their events, the new cursor."""

    items: list[Item]
    events: list[EventRow]
    cursor: Cursor
    known: dict[int, Item]  # every item read on the way (serials, events' items and parents)


def report_usage(app: App, site: str | None = None) -> int:
    """Put use of leased and listed serials since the last report into the outbox.

    Returns how many serials were reported (0: nothing new). Safe to call at any time from
    any number of instances.
    """
    total = 0
    for kind in ReportCursor:
        while done := _report_once(app, kind, site):
            total += done
    return total


def _report_once(app: App, kind: ReportCursor, site: str | None) -> int:
    supply = Supply.LEASE if kind == ReportCursor.LEASE else Supply.LIST
    with app.store.read() as tx:
        if not SiteReports(tx).pools_of(supply):
            return 0  # no pool to report on: no lock taken
    with app.store.write() as tx:
        items_upto = SiteReports(tx).horizon("items")
    with app.store.write() as tx:
        events_upto = SiteReports(tx).horizon("events")
    with app.store.write() as tx:
        repo = SiteReports(tx)
        cursor = repo.cursor(kind)
        pools = repo.pools_of(supply)
        if not pools:
            return 0
        batch = max(1, app.settings.leases.report_batch)
        changes = _changes(tx, pools, cursor, items_upto, events_upto, batch)
        if changes.cursor == cursor:
            return 0
        refs = repo.supply_refs(changes.items)
        if kind == ReportCursor.LEASE:
            name = site or _linked_site(tx)
            cursor = _write_usage(tx, name, changes, refs)
        else:
            _write_list_usage(tx, changes.items, refs)
            cursor = changes.cursor
        repo.advance(cursor)
        return len(changes.items)


def _linked_site(tx: Tx) -> str:
    """The site's name at its authority, as ``lease link`` stored it (the authority itself
    goes by the token, so a report is never credited to another site)."""
    link = link_of(tx)
    return link.site if link is not None and link.site else UNLINKED


def _changes(
    tx: Tx, pools: Sequence[str], cursor: Cursor, items_upto: int, events_upto: int, batch: int
) -> Changes:
    """New items and events since ``cursor``, at most ``batch`` serials in all.

    Events are read page by page until one would bring a serial past the batch: events of
    serials already in it cost nothing, so the two cursors move on together.
    """
    repo = SiteReports(tx)
    new = repo.new_items(pools, cursor.item_id, items_upto, batch)
    item_to = new[-1].id if len(new) == batch else max(cursor.item_id, items_upto)
    chosen = {i.id: i for i in new}
    known = dict(chosen)
    taken: list[EventRow] = []
    after, full = cursor.event_id, False
    while not full and len(taken) < EVENTS_MOST * batch:
        events = repo.events_of(pools, after, events_upto, batch)
        wanted = {x for e in events for x in (e.item_id, e.parent_id) if x} - set(known)
        known.update((i.id, i) for i in tx.items.by_ids(sorted(wanted)))
        touched = known
        for event in events:
            mine = [touched[x] for x in (event.item_id, event.parent_id)
                    if x in touched and touched[x].pool in pools]  # fmt: skip
            fresh = [i for i in mine if i.id not in chosen]
            if taken and len(chosen) + len(fresh) > batch:
                full = True
                break
            chosen.update((i.id, i) for i in fresh)
            taken.append(event)
        if len(events) < batch:
            break
        after = events[-1].id
    complete = not full and len(taken) < EVENTS_MOST * batch
    event_to = max(cursor.event_id, events_upto) if complete else taken[-1].id
    moved = replace(cursor, item_id=item_to, event_id=event_to)
    return Changes([chosen[k] for k in sorted(chosen)], taken, moved, known)


def _ref(item: Item | None) -> dict[str, str] | None:
    return {"namespace": item.namespace, "value": item.value} if item else None


def _write_usage(tx: Tx, site: str, changes: Changes, refs: dict[int, SupplyRef]) -> Cursor:
    """``lease.usage`` messages of what changed (split to stay below :data:`REPORT_BYTES`)."""
    leased = [i for i in changes.items if i.id in refs and refs[i.id].origin == BlockOrigin.LEASE
              and refs[i.id].reference.isdigit()]  # fmt: skip
    known = dict(changes.known)
    parents = {i.parent_id for i in leased if i.parent_id} - set(known)
    known.update((i.id, i) for i in tx.items.by_ids(sorted(parents)))
    reported = {i.id for i in leased}
    by_serial: dict[int, list[dict[str, Any]]] = {}
    for e in changes.events:
        owner = next((x for x in (e.item_id, e.parent_id) if x in reported), None)
        if owner is not None:
            by_serial.setdefault(owner, []).append(_event(e, known))
    seq, serials, events, size = changes.cursor.seq, list[dict[str, Any]](), list[Any](), 0
    for item in leased:
        entry = _serial(item, int(refs[item.id].reference), known.get(item.parent_id or 0))
        own = by_serial.get(item.id, [])
        grow = len(json.dumps([entry, own]))
        if serials and size + grow > REPORT_BYTES:
            seq = _publish(tx, site, seq, serials, events)
            serials, events, size = [], [], 0
        serials.append(entry)
        events.extend(own)
        size += grow
    if serials:
        seq = _publish(tx, site, seq, serials, events)
    return replace(changes.cursor, seq=seq)


def _publish(tx: Tx, site: str, seq: int, serials: list[Any], events: list[Any]) -> int:
    seq += 1
    data = {"site": site, "seq": seq, "serials": serials,
            "events": sorted(events, key=lambda e: int(e["id"]))}  # fmt: skip
    tx.outbox.add(Topic.LEASE_USAGE, data, subject=f"site:{site}")
    return seq


def _serial(item: Item, lease: int, parent: Item | None) -> dict[str, Any]:
    return {"lease": lease, "namespace": item.namespace, "value": item.value,
            "state": item.state, "hold": item.hold, "level": item.level, "lot": item.lot,
            "expiry": item.expiry, "print_count": item.print_count,
            "parent": _ref(parent)}  # fmt: skip


def _event(e: EventRow, known: dict[int, Item]) -> dict[str, Any]:
    return {"id": e.id, "type": e.type, "at": e.at, "actor": e.actor, "station": e.station,
            "read_point": e.read_point, "biz_location": e.biz_location,
            "tz_offset": e.tz_offset, "batch": e.batch, "details": e.details,
            "item": _ref(known.get(e.item_id or 0)),
            "parent": _ref(known.get(e.parent_id or 0))}  # fmt: skip


def _write_list_usage(tx: Tx, items: list[Item], refs: dict[int, SupplyRef]) -> None:
    """One ``list.usage`` message per issuer block: each serial's value, GTIN and state."""
    blocks: dict[SupplyRef, list[dict[str, Any]]] = {}
    for item in items:
        ref = refs.get(item.id)
        if ref is not None and ref.origin == BlockOrigin.ISSUER:
            blocks.setdefault(ref, []).append(
                {"value": item.value, "gtin": item.gtin, "state": item.state}
            )
    for ref, serials in blocks.items():
        data = {"pool": ref.pool, "issuer_reference": ref.reference, "serials": serials}
        tx.outbox.add(Topic.LIST_USAGE, data, subject=f"pool:{ref.pool}")

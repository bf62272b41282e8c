"""Putaway and move by scan, and the answers to "where is it?" and "what is in this bin?".

An item or a container goes to a location with everything in it: one ``item_locations``
row per item, written in one transaction with a ``putaway`` (first location) or ``moved``
event per item that carries the CBV business step and the location's SGLN for EPCIS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict
from labelsvc.domain.lifecycle import retired_refusal
from labelsvc.domain.locations import LocationEvent
from labelsvc.domain.topics import Topic
from labelsvc.services import scan_once
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView, need_item, refuse, view_of, views
from labelsvc.services.locations import LocationView, need_location, sgln_of, view_of_location
from labelsvc.services.lookup import describe
from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.locations import Location, LocationRepo

LOCATION_EVENTS = (LocationEvent.PUTAWAY, LocationEvent.MOVED, LocationEvent.COUNT_RESOLVED)


@dataclass(frozen=True)
class Moved:
    """One item (with its contents) that went to a location."""

    item: ItemView
    came_from: str | None  # the location code it left, None for a first putaway
    count: int  # the item and everything in it


@dataclass(frozen=True)
class MoveResult:
    """What a putaway or move did."""

    location: LocationView
    moved: tuple[Moved, ...]

    @property
    def count(self) -> int:
        """Items placed in all, contents included."""
        return sum(m.count for m in self.moved)


@dataclass(frozen=True)
class LocationStep:
    """One entry of an item's location history."""

    at: str
    type: str
    came_from: str | None
    went_to: str | None
    actor: str
    station: str | None


@dataclass(frozen=True)
class Whereabouts:
    """Where an item is now (None: nowhere recorded) and where it has been."""

    item: ItemView
    location: LocationView | None
    history: tuple[LocationStep, ...]


def location_details(location: Location, biz_step: str, **extra: object) -> dict[str, object]:
    """Event details in the form the EPCIS export reads (``biz_step``, ``biz_location``)."""
    sgln = sgln_of(location)
    details: dict[str, object] = {"biz_step": biz_step, "location": location.code, **extra}
    if sgln:
        details["biz_location"] = sgln
    return details


def place_tree(
    tx: Tx,
    item: Item,
    location: Location,
    *,
    actor: str,
    station: str | None,
    event: LocationEvent | None = None,
    **extra: object,
) -> tuple[str | None, int]:
    """Put an item and all it holds in ``location`` with one event each; (from, count)."""
    repo = LocationRepo(tx)
    before = repo.of_item(item.id)
    if before is not None and before.id == location.id and event is None:
        raise Conflict("already-there", f"{describe(item)} is in {location.code} already.")
    below = [d.id for d in tx.containers.descendants(item.id)]
    repo.place([item.id, *below], location.id)
    kind = event or (LocationEvent.MOVED if before else LocationEvent.PUTAWAY)
    came = before.code if before else None
    details = location_details(location, "storing", **{"from": came, **extra})
    tree_events(tx, kind, item, below, actor=actor, station=station, details=details)
    return came, 1 + len(below)


def tree_events(
    tx: Tx,
    kind: str,
    item: Item,
    below: Sequence[int],
    *,
    actor: str,
    station: str | None,
    details: dict[str, object],
) -> int:
    """One event for an item and one for each item in it (naming it); the item's event id."""
    event_id = tx.events.append(
        kind, actor=actor, station=station, item_id=item.id, details=details
    )
    if below:
        tx.events.append_many(
            kind, below, actor=actor, station=station, details={**details, "with": describe(item)}
        )
    return event_id


def follow_container(tx: Tx, item: Item, parent: Item, *, actor: str, station: str | None) -> None:
    """An item packed into a located container goes where the container is (with a
    ``moved`` event), so a bin's contents and the item's location agree."""
    repo = LocationRepo(tx)
    there = repo.of_item(parent.id)
    if there is None:
        return
    here = repo.of_item(item.id)
    if here is None or here.id != there.id:
        place_tree(tx, item, there, actor=actor, station=station, packed_into=describe(parent))


def _movable(tx: Tx, item: Item) -> None:
    """A retired or shipped item, or a unit still inside a container, is not moved alone."""
    name = describe(item)
    found = retired_refusal(name, item.state)
    if found:
        refuse(found)
    if item.state == "shipped":
        raise Conflict("item-shipped", f"{name} was shipped; it is not in this site any more.")
    if item.parent_id is not None:
        parent = tx.items.get(item.parent_id)
        pname = describe(parent) if parent else "a container"
        raise Conflict(
            "in-container",
            f"{name} is in {pname}: move {pname}, or unpack it first.",
            container=pname,
        )


def move_to(
    app: App,
    scans: Sequence[str],
    location: str,
    *,
    actor: Actor,
    station: str | None = None,
    scan_id: str | None = None,
) -> MoveResult:
    """Put scanned items or containers into a location (first putaway or a move).

    All scans go in one transaction: one refused scan refuses them all, with its reason.
    """
    require(actor, "move")
    station = station or actor.station
    with app.store.write() as tx:
        scan_once.claim(
            tx, scan_id, page="locations", code=",".join(scans), actor=actor.label, station=station
        )
        target = need_location(tx, app, location)
        moved = []
        for scan in scans:
            item = need_item(tx, app, scan)
            _movable(tx, item)
            came, count = place_tree(tx, item, target, actor=actor.label, station=station)
            moved.append(Moved(view_of(tx, item), came, count))
        result = MoveResult(view_of_location(LocationRepo(tx), target), tuple(moved))
        tx.outbox.add(
            Topic.ITEMS_MOVED,
            {"location": target.code, "count": result.count, "items": [m.item.name for m in moved]},
            subject=target.code,
        )
        scan_once.finish(
            tx, scan_id, ok=True, outcome="moved", detail=moved_detail(result), subject=target.code
        )
        return result


def moved_detail(result: MoveResult) -> str:
    """What the operator reads after a putaway or move."""
    names = ", ".join(m.item.name for m in result.moved)
    return f"{names} → {result.location.code} ({result.count} item(s))."


def history_of(tx: Tx, item_id: int) -> tuple[LocationStep, ...]:
    """An item's location history, oldest first, from its events."""
    return tuple(
        LocationStep(
            at=e.at,
            type=e.type,
            came_from=e.details.get("from"),
            went_to=e.details.get("location"),
            actor=e.actor,
            station=e.station,
        )
        for e in tx.events.for_item(item_id)
        if e.type in LOCATION_EVENTS and e.item_id == item_id
    )


def current_location(tx: Tx, item_id: int) -> LocationView | None:
    """Where an item is now, or None: where its outermost located container is (a unit
    packed into a case after the case was put away is where the case is), else its own.

    Primary-key reads along the parent chain (at most a case and a pallet)."""
    repo = LocationRepo(tx)
    chain = [a.id for a in reversed(tx.containers.ancestors(item_id))] + [item_id]
    found = next((loc for i in chain if (loc := repo.of_item(i)) is not None), None)
    return view_of_location(repo, found) if found else None


def where_is(app: App, scan: str, *, actor: Actor) -> Whereabouts:
    """Where a scanned item is now, and its location history."""
    require(actor, "read")
    with app.store.read() as tx:
        item = need_item(tx, app, scan)
        return Whereabouts(
            view_of(tx, item), current_location(tx, item.id), history_of(tx, item.id)
        )


def contents(
    app: App, location: str, *, actor: Actor, after_id: int = 0, limit: int = 1000
) -> list[ItemView]:
    """What is in a location, containers and what they hold (page with ``after_id``)."""
    require(actor, "read")
    with app.store.read() as tx:
        target = need_location(tx, app, location)
        return views(tx, LocationRepo(tx).contents(target.id, after_id, limit))

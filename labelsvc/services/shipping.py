"""Shipping: a pallet, case or loose unit and everything in it leave against a reference.

A shipped item cannot be packed or received again until a supervisor unships it; unship
keeps the history (a ``shipped`` and an ``unshipped`` event per item).
"""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput
from labelsvc.domain.lifecycle import ship_refusal, state_after_unship
from labelsvc.services import order_hooks, outbound
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView, need_item, refuse, view_of
from labelsvc.services.identity import partner_place
from labelsvc.services.lookup import describe
from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.locations import LocationRepo


@dataclass(frozen=True)
class ShipResult:
    """What left (or came back): the item scanned and how many items it took with it."""

    reference: str
    item: ItemView
    count: int  # the item and all its descendants


def _tree(tx: Tx, item: Item) -> list[Item]:
    return [item, *tx.containers.descendants(item.id)]


def ship(
    app: App, scan: str, *, reference: str, actor: Actor, station: str | None = None,
    partner: str | None = None,
) -> ShipResult:  # fmt: skip
    """Ship an item and all its descendants against ``reference`` (order, delivery, carrier),
    to ``partner`` when given (its location is written with the event: the destination).

    Refused when the item sits in a container (ship that instead), when any container in it
    is still open, or when anything in it is quarantined, recalled, voided or shipped.
    """
    require(actor, "ship")
    reference = reference.strip()
    if not reference:
        raise InvalidInput("reference-required", "Give a shipment reference.", field="reference")
    station = station or actor.station
    with app.store.write() as tx:
        item = need_item(tx, app, scan)
        if item.parent_id is not None:
            parent = tx.items.get(item.parent_id)
            raise Conflict(
                "ship-packed",
                f"{describe(item)} is in {describe(parent) if parent else 'a container'}; "
                "ship that, or take it out first.",
            )
        tree = _tree(tx, item)
        order_hooks.refuse_order_units(tx, tree)
        count = ship_tree(
            tx, tree, reference=reference, actor=actor, station=station, partner=partner
        )
        shipped = tx.items.get(item.id)
        assert shipped is not None
        return ShipResult(reference, view_of(tx, shipped), count)


def ship_tree(
    tx: Tx, tree: list[Item], *, reference: str, actor: Actor, station: str | None,
    partner: str | None = None,
) -> int:  # fmt: skip
    """Mark a top-level item and its descendants shipped, with their events (to ``partner``'s
    location when given); count them.

    What ships leaves its bin: a shipped unit is no longer in a bin's contents or a count's
    expected list, and a restocked return is not "recorded elsewhere" in its old bin."""
    _check_shippable(tx, tree)
    ids = [i.id for i in tree]
    tx.items.set_state(ids, "shipped")
    LocationRepo(tx).remove(ids)
    details = {"reference": reference, **partner_place(tx, partner, "destination_sgln")}
    tx.events.append_many("shipped", ids, actor=actor.label, station=station, details=details)
    tx.events.append(
        "shipment", actor=actor.label, station=station, subject=f"shipment:{reference}",
        details={"root": describe(tree[0]), "count": len(ids)},
    )  # fmt: skip
    outbound.shipped(tx, reference, tree[0], tree, by=actor.label)
    return len(ids)


def _check_shippable(tx: Tx, tree: list[Item]) -> None:
    for member in tree:
        found = ship_refusal(describe(member), member.state, member.hold)
        if found:
            refuse(found)
    rows = tx.containers.by_ids([i.id for i in tree if i.kind == "sscc"])
    for member in tree:
        row = rows.get(member.id)
        if row is not None and row.state == "open":
            raise Conflict(
                "container-open", f"{describe(member)} is still open; close it before shipping."
            )


def unship(
    app: App, scan: str, *, actor: Actor, reason: str, station: str | None = None
) -> ShipResult:
    """Bring a shipped item and its descendants back (a return); supervisors only."""
    require(actor, "override")
    if not reason.strip():
        raise InvalidInput("reason-required", "Say why the shipment is undone.", field="reason")
    station = station or actor.station
    with app.store.write() as tx:
        item = need_item(tx, app, scan)
        if item.state != "shipped":
            raise Conflict("not-shipped", f"{describe(item)} is {item.state}, not shipped.")
        tree = [i for i in _tree(tx, item) if i.state == "shipped"]
        for has_parent in (True, False):
            ids = [i.id for i in tree if (i.parent_id is not None) == has_parent]
            tx.items.set_state_where(ids, state_after_unship(has_parent), "shipped")
        tx.events.append_many(
            "unshipped", [i.id for i in tree], actor=actor.label, station=station,
            details={"reason": reason},
        )  # fmt: skip
        back = tx.items.get(item.id)
        assert back is not None
        return ShipResult("", view_of(tx, back), len(tree))

"""The small checks packing and shipping make for orders, so neither knows order tables.

Packing keeps an order's picked units together: a unit picked for one order does not go
into a container holding another order's units (or unpicked ones), and an unpicked unit
does not go into an order's container. Plain shipping refuses anything holding picked
units: an order ships as an order, which checks that it is complete.
"""

from __future__ import annotations

from labelsvc.domain.errors import Conflict
from labelsvc.services.lookup import describe
from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.orders import OrderRepo


def check_pack(tx: Tx, item: Item, parent: Item) -> None:
    """Refuse packing ``item`` into ``parent`` when it would mix orders."""
    if item.kind != "unit":
        return
    units = [c.id for c in tx.containers.children(parent.id) if c.kind == "unit"]
    picked = OrderRepo(tx).picked_on([item.id, *units])
    mine = picked.get(item.id)
    theirs = {picked.get(u) for u in units}
    if not theirs or theirs == {mine}:
        return
    others = sorted(o for o in theirs if o and o != mine)
    if mine is None:
        raise Conflict(
            "not-picked",
            f"{describe(item)} is not picked for order {others[0]}, which {describe(parent)} "
            "holds; pick it at the pick station first, or pack it elsewhere.",
            order=others[0],
        )
    held = f"units of order {others[0]}" if others else "units of no order"
    raise Conflict(
        "order-mix",
        f"{describe(item)} is picked for order {mine}, but {describe(parent)} holds {held}; "
        f"pack it with the rest of {mine}.",
        order=mine,
    )


def refuse_order_units(tx: Tx, tree: list[Item]) -> None:
    """A plain shipment may not take units picked for an order: ship the order instead."""
    picked = OrderRepo(tx).picked_on([i.id for i in tree if i.kind == "unit"])
    if picked:
        order = sorted(set(picked.values()))[0]
        raise Conflict(
            "ship-order",
            f"{describe(tree[0])} holds units picked for order {order}; ship the order, "
            "which checks it is complete.",
            order=order,
        )

"""Ship an order: only when it is complete or a supervisor closed it short.

Everything that holds the order's picked units leaves in one transaction (the top-level
containers, or loose units), each through shipping's own rules; the picks record which
serial left on which shipment, and ``order.shipped`` goes into the outbox beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict
from labelsvc.domain.orders import OrderEvent, OrderState
from labelsvc.domain.topics import Topic
from labelsvc.services.app import App
from labelsvc.services.lookup import describe
from labelsvc.services.orders import OrderView, need_order, order_view
from labelsvc.services.shipping import ship_tree
from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.orders import OrderRepo, OrderRow


@dataclass(frozen=True)
class OrderShipment:
    """What left: the order, the shipment reference, the roots shipped and all items."""

    order: OrderView
    shipment: str
    roots: tuple[str, ...]
    count: int


def _refuse_incomplete(view: OrderView) -> None:
    if view.state == OrderState.SHIPPED:
        raise Conflict("order-shipped", f"Order {view.reference} was shipped already.")
    if not view.picked_total:
        raise Conflict("order-empty", f"Nothing is picked for order {view.reference} yet.")
    if view.state == OrderState.OPEN and not view.complete:
        missing = ", ".join(f"line {ln.line_no}: {ln.open} of GTIN {ln.gtin}"
                            for ln in view.lines if ln.open)  # fmt: skip
        raise Conflict(
            "order-incomplete",
            f"Order {view.reference} is not complete ({missing} still to pick); pick the "
            "rest, or a supervisor closes it short with a reason.",
        )


def _roots(tx: Tx, row: OrderRow) -> list[Item]:
    """The top-level items holding the order's picks; each may hold nothing else."""
    repo = OrderRepo(tx)
    picks = {p.item_id for p in repo.picks(row.id)}
    roots: dict[int, Item] = {}
    for unit in tx.items.by_ids(sorted(picks)):
        chain = tx.containers.ancestors(unit.id)
        top = chain[-1] if chain else unit
        roots.setdefault(top.id, top)
    for root in roots.values():
        units = [i for i in [root, *tx.containers.descendants(root.id)] if i.kind == "unit"]
        strangers = [u for u in units if u.id not in picks]
        if strangers:
            raise Conflict(
                "order-mix",
                f"{describe(root)} also holds {describe(strangers[0])}, which is not picked "
                f"for order {row.reference}; take it out before shipping.",
            )
    return list(roots.values())


def ship_order(
    app: App, reference: str, *, actor: Actor, shipment: str | None = None,
    station: str | None = None,
) -> OrderShipment:  # fmt: skip
    """Ship everything picked for a complete (or closed-short) order."""
    require(actor, "ship")
    station = station or actor.station
    with app.store.write() as tx:
        row = need_order(tx, reference, lock=True)
        before = order_view(tx, row)
        _refuse_incomplete(before)
        shipment = (shipment or "").strip() or row.reference
        count, roots = 0, _roots(tx, row)
        for root in roots:
            tree = [root, *tx.containers.descendants(root.id)]
            count += ship_tree(tx, tree, reference=shipment, actor=actor, station=station)
        repo = OrderRepo(tx)
        if repo.mark_shipped(row.id, shipment) is None:
            raise Conflict("order-shipped", f"Order {row.reference} was shipped already.")
        fresh = repo.by_id(row.id)
        assert fresh is not None
        view = order_view(tx, fresh)
        payload = _payload(tx, view, row)
        tx.events.append(
            OrderEvent.ORDER_SHIPPED, actor=actor.label, station=station,
            subject=f"order:{row.reference}",
            details={"shipment": shipment, "units": view.picked_total, "short": payload["short"]},
        )  # fmt: skip
        tx.outbox.add(Topic.ORDER_SHIPPED, payload, subject=f"order:{row.reference}")
        return OrderShipment(view, shipment, tuple(describe(r) for r in roots), count)


def _payload(tx: Tx, view: OrderView, row: OrderRow) -> dict[str, object]:
    """What a partner hears: the order, the shipment and every serial that left on it."""
    picks = OrderRepo(tx).picks(row.id)
    units = tx.items.by_ids([p.item_id for p in picks])
    return {
        "order": view.reference, "customer": view.customer, "shipment": view.shipment,
        "shipped_at": view.shipped_at, "short": row.state == OrderState.SHORT,
        "close_reason": row.close_reason,
        "lines": [{"line": ln.line_no, "gtin": ln.gtin, "quantity": ln.quantity,
                   "picked": ln.picked} for ln in view.lines],
        "serials": [{"gtin": u.gtin, "serial": u.value} for u in units],
    }  # fmt: skip

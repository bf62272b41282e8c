"""Returns (RMA): each serial that comes back is checked against what left, then decided.

The check answers: was it shipped to this customer, on which order and shipment, how many
days ago against the product's warranty period. A serial never shipped on an order, or
shipped to another customer, is flagged (a possible fraud or mix-up) and only a supervisor
decides it. A disposition (restock, quarantine, repair, scrap) moves the unit with its
events; a restocked unit is ``labeled`` again, which receiving and packing accept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, LabelsvcError, NotFound
from labelsvc.domain.orders import (
    CBV_OF_DISPOSITION,
    DISPOSED,
    Disposition,
    OrderEvent,
    ReturnFlag,
    ReturnState,
)
from labelsvc.domain.topics import Topic
from labelsvc.services.app import App
from labelsvc.services.lookup import describe, resolve_scan
from labelsvc.store import Tx
from labelsvc.store.clock import now
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.items import Item
from labelsvc.store.orders import OrderRepo, OrderRow
from labelsvc.store.returns import ReturnRepo, ReturnRow, ReturnUnitRow

FLAG_TEXT = {
    ReturnFlag.UNKNOWN: "is not known here: a possible fraud; set it aside for a supervisor.",
    ReturnFlag.NEVER_SHIPPED: "never left on an order: a possible fraud or mix-up; set it "
    "aside for a supervisor.",
    ReturnFlag.OTHER_CUSTOMER: "was shipped to another customer: a possible mix-up or fraud; "
    "set it aside for a supervisor.",
}


@dataclass(frozen=True)
class ReturnUnitView:
    """One returned unit: the check and the decision."""

    code: str
    shipped_order: str | None
    shipped_customer: str | None
    shipment: str | None
    shipped_at: str | None
    days_since_ship: int | None
    warranty_days: int | None
    flag: str | None
    disposition: str | None

    @property
    def in_warranty(self) -> bool | None:
        """Within the product's warranty period (None when it has none or never shipped)."""
        if self.warranty_days is None or self.days_since_ship is None:
            return None
        return self.days_since_ship <= self.warranty_days

    @property
    def detail(self) -> str:
        """What the person at the returns desk reads."""
        if self.flag:
            return f"{self.code} {FLAG_TEXT[ReturnFlag(self.flag)]}"
        warranty = {True: "in warranty", False: "OUT of warranty", None: "no warranty set"}
        return (
            f"{self.code} left on order {self.shipped_order} (shipment {self.shipment}) "
            f"{self.days_since_ship} days ago: {warranty[self.in_warranty]}. Decide its "
            "disposition."
        )


@dataclass(frozen=True)
class ReturnView:
    """A return with its units."""

    reference: str
    customer: str
    order: str | None
    shipment: str | None
    state: str
    opened_at: str
    resolved_at: str | None
    units: tuple[ReturnUnitView, ...]


def _unit_view(u: ReturnUnitRow) -> ReturnUnitView:
    return ReturnUnitView(
        u.code, u.shipped_order, u.shipped_customer, u.shipment, u.shipped_at,
        u.days_since_ship, u.warranty_days, u.flag, u.disposition,
    )  # fmt: skip


def return_view(tx: Tx, row: ReturnRow) -> ReturnView:
    """The view of a return, read now."""
    order = OrderRepo(tx).by_id(row.order_id) if row.order_id else None
    units = tuple(_unit_view(u) for u in ReturnRepo(tx).units(row.id))
    return ReturnView(row.reference, row.customer, order.reference if order else None,
                      row.shipment, row.state, row.opened_at, row.resolved_at, units)  # fmt: skip


def _need_return(tx: Tx, reference: str, *, lock: bool = False) -> ReturnRow:
    row = ReturnRepo(tx).get(reference.strip(), lock=lock)
    if row is None:
        raise NotFound("return-not-found", f"No return has the reference {reference!r}.")
    return row


def open_return(
    app: App, reference: str, *, actor: Actor, customer: str | None = None,
    order: str | None = None, shipment: str | None = None,
) -> ReturnView:  # fmt: skip
    """Open a return against an order or the shipment it left on (its customer), or a
    customer."""
    require(actor, "receive")
    reference, customer = reference.strip(), (customer or "").strip()
    if not reference:
        raise InvalidInput("reference-required", "Give the RMA number.", field="reference")
    with app.store.write() as tx:
        order_row = _order_of(tx, order, shipment)
        if order_row and customer and customer != order_row.customer:
            raise InvalidInput(
                "customer-mismatch",
                f"Order {order_row.reference} went to {order_row.customer}, not {customer}.",
                field="customer",
            )
        customer = customer or (order_row.customer if order_row else "")
        if not customer:
            raise InvalidInput("customer-required", "Name the customer or the order.",
                               field="customer")  # fmt: skip
        try:
            ReturnRepo(tx).create(
                reference, customer, order_id=order_row.id if order_row else None,
                shipment=shipment or (order_row.shipment if order_row else None), by=actor.label,
            )  # fmt: skip
        except IntegrityViolation as exc:
            raise Conflict("return-exists", f"Return {reference} exists already.") from exc
        details = {"customer": customer, "order": order_row.reference if order_row else None}
        tx.events.append(OrderEvent.RETURN_OPENED, actor=actor.label, station=actor.station,
                         subject=f"return:{reference}", details=details)  # fmt: skip
        return return_view(tx, _need_return(tx, reference))


def _order_of(tx: Tx, order: str | None, shipment: str | None) -> OrderRow | None:
    """The original order, named by its reference or by the shipment it left on."""
    repo = OrderRepo(tx)
    if order:
        found = repo.get(order.strip())
        if found is None:
            raise NotFound("order-not-found", f"No order has the reference {order!r}.")
        return found
    if shipment:
        found = repo.by_shipment(shipment.strip())
        if found is None:
            raise NotFound("shipment-not-found", f"No order left on shipment {shipment!r}.")
        return found
    return None


def _check(tx: Tx, row: ReturnRow, code: str, item: Item | None, by: str) -> ReturnUnitRow:
    """What the store knows of a returned serial, and the flag it earns."""
    at = now()
    blank = ReturnUnitRow(0, code, None, None, None, None, None, None, None,
                          ReturnFlag.UNKNOWN, None, None, None, by, at)  # fmt: skip
    if item is None:
        return blank
    shipped = OrderRepo(tx).last_shipped(item.id)
    if shipped is None:
        return replace(blank, item_id=item.id, flag=ReturnFlag.NEVER_SHIPPED)
    product = tx.products.get(item.gtin or "")
    days = (datetime.now(UTC) - datetime.fromisoformat(shipped.shipped_at)).days
    return ReturnUnitRow(
        0, code, item.id, shipped.order, shipped.customer, shipped.shipment,
        shipped.shipped_at, days, product.warranty_days if product else None,
        ReturnFlag.OTHER_CUSTOMER if shipped.customer != row.customer else None,
        None, None, None, by, at,
    )  # fmt: skip


def receive_unit(
    app: App, reference: str, code: str, *, actor: Actor, station: str | None = None
) -> ReturnUnitView:
    """Check one returned serial against what left, record it on the return."""
    require(actor, "receive")
    station = station or actor.station
    with app.store.write() as tx:
        row = _need_return(tx, reference, lock=True)
        if row.state != ReturnState.OPEN:
            raise Conflict("return-resolved", f"Return {row.reference} is resolved already.")
        item = resolve_scan(tx, code, app.settings)
        name = describe(item) if item else code.strip()
        unit = _check(tx, row, name, item, actor.label)
        try:
            ReturnRepo(tx).add_unit(row.id, unit)
        except IntegrityViolation as exc:
            raise Conflict("return-duplicate", f"{name} is on return {row.reference} already; "
                           "scan the next unit.") from exc  # fmt: skip
        view = _unit_view(unit)
        details = {"return": row.reference, "flag": unit.flag, "order": unit.shipped_order,
                   "shipment": unit.shipment, "days": unit.days_since_ship}  # fmt: skip
        tx.events.append(OrderEvent.RETURN_RECEIVED, actor=actor.label, station=station,
                         item_id=item.id if item else None, subject=f"return:{row.reference}",
                         details=details)  # fmt: skip
        payload = {**details, "customer": row.customer, "code": name,
                   "in_warranty": view.in_warranty}  # fmt: skip
        tx.outbox.add(Topic.RETURN_RECEIVED, payload, subject=f"return:{row.reference}")
        return view


def dispose(
    app: App, reference: str, code: str, disposition: str, *, actor: Actor,
    station: str | None = None,
) -> ReturnView:  # fmt: skip
    """Decide a returned unit; a flagged one needs a supervisor. The last one resolves it."""
    require(actor, "receive")
    try:
        chosen = Disposition(disposition)
    except ValueError:
        raise InvalidInput("disposition-invalid", f"Choose one of {', '.join(Disposition)}.",
                           field="disposition") from None  # fmt: skip
    station = station or actor.station
    with app.store.write() as tx:
        row = _need_return(tx, reference, lock=True)
        repo = ReturnRepo(tx)
        item = _resolve_quietly(tx, app, code)
        name = describe(item) if item else code.strip()
        unit = next((u for u in repo.units(row.id) if u.code == name), None)
        if unit is None:
            raise NotFound("return-unit-unknown", f"{name} is not on return {row.reference}.")
        if unit.flag:
            require(actor, "override")
        if not repo.dispose(unit.id, chosen, by=actor.label):
            raise Conflict(
                "return-unit-decided", f"{name} is decided already ({unit.disposition})."
            )
        if item is not None:
            _move(tx, item, chosen, actor, station, row.reference)
        if all(u.disposition for u in repo.units(row.id)) and repo.resolve(row.id):
            tx.events.append(OrderEvent.RETURN_RESOLVED, actor=actor.label, station=station,
                             subject=f"return:{row.reference}")  # fmt: skip
        return return_view(tx, _need_return(tx, reference))


def _resolve_quietly(tx: Tx, app: App, code: str) -> Item | None:
    try:
        return resolve_scan(tx, code, app.settings)
    except LabelsvcError:
        return None


def _move(tx: Tx, item: Item, chosen: Disposition, actor: Actor, station: str | None,
          reference: str) -> None:  # fmt: skip
    """Put the unit where its disposition says, out of any container it sat in."""
    state, hold = DISPOSED[chosen]
    if item.parent_id is not None:
        tx.containers.detach(item.id, item.parent_id, state)
        tx.events.append(
            "unpacked",
            actor=actor.label,
            station=station,
            item_id=item.id,
            parent_id=item.parent_id,
            details={"reason": f"return {reference}"},
        )
    tx.items.set_state([item.id], state)
    tx.items.set_hold([item.id], hold)
    biz_step, cbv_disposition = CBV_OF_DISPOSITION[chosen]
    tx.events.append(
        OrderEvent.RETURN_DISPOSED,
        actor=actor.label,
        station=station,
        item_id=item.id,
        subject=f"return:{reference}",
        details={
            "return_disposition": chosen.value,
            "state": state,
            "hold": hold,
            "biz_step": biz_step,
            "disposition": cbv_disposition,
        },
    )


def get_return(app: App, reference: str, *, actor: Actor) -> ReturnView:
    """One return with its units."""
    require(actor, "read")
    with app.store.read() as tx:
        return return_view(tx, _need_return(tx, reference))

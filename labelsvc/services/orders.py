"""Outbound orders: a WMS sends one (API or file), pickers scan the units it wants.

Every pick scan is checked against the order in the write transaction that records it:
wrong product, over-pick, a serial allocated to or picked for another order, a held,
recalled, voided or expired item are refused with a code and a sentence that says what to
do. The line's guarded counter is the last word on over-picks between stations, and the
partial unique index on active picks the last word on a unit picked for two orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.orders import OrderEvent, OrderState, PickFacts, pick_refusal
from labelsvc.services import scan_once
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView, need_item, refuse, view_of
from labelsvc.services.lookup import describe
from labelsvc.services.order_files import OrderLineSpec, OrderSpec
from labelsvc.store import Tx
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.orders import OrderLineRow, OrderRepo, OrderRow


@dataclass(frozen=True)
class LineView:
    """One order line with its progress."""

    line_no: int
    gtin: str
    sku: str | None
    quantity: int
    picked: int
    allocated: int

    @property
    def open(self) -> int:
        """Units still wanted on this line."""
        return self.quantity - self.picked


@dataclass(frozen=True)
class OrderView:
    """An order as the pick page, the API and the CLI show it."""

    reference: str
    customer: str
    state: str
    lines: tuple[LineView, ...]
    picked: tuple[str, ...]  # names of the units picked, in pick order (when asked for)
    created_at: str
    close_reason: str | None
    shipment: str | None
    shipped_at: str | None

    @property
    def complete(self) -> bool:
        """Every line has all it wants."""
        return all(ln.open == 0 for ln in self.lines)

    @property
    def picked_total(self) -> int:
        """Units picked in all (counted on the lines, so known without the names)."""
        return sum(ln.picked for ln in self.lines)

    @property
    def wanted(self) -> int:
        """Units the order wants in all."""
        return sum(ln.quantity for ln in self.lines)


@dataclass(frozen=True)
class PickResult:
    """A unit accepted for an order, and the order after it."""

    order: OrderView
    item: ItemView
    detail: str


def order_view(tx: Tx, row: OrderRow, *, names: bool = True) -> OrderView:
    """The view of an order, counted now; with ``names`` the picked units' names too (a pick
    answers without them, so a scan costs the same on the first unit and the thousandth)."""
    repo = OrderRepo(tx)
    lines = tuple(
        LineView(ln.line_no, ln.gtin, ln.sku, ln.quantity, ln.picked, ln.allocated)
        for ln in repo.lines(row.id)
    )
    picked: tuple[str, ...] = ()
    if names:
        picked = tuple(
            describe(i) for i in tx.items.by_ids([p.item_id for p in repo.picks(row.id)])
        )
    return OrderView(
        row.reference, row.customer, row.state, lines, picked, row.created_at, row.close_reason,
        row.shipment, row.shipped_at,
    )  # fmt: skip


def need_order(tx: Tx, reference: str, *, lock: bool = False) -> OrderRow:
    """The order with this reference; NotFound (``order-not-found``) else."""
    row = OrderRepo(tx).get(reference.strip(), lock=lock)
    if row is None:
        raise NotFound("order-not-found", f"No order has the reference {reference!r}.")
    return row


def _gtin_of(tx: Tx, line: OrderLineSpec, reference: str) -> str:
    if line.gtin:
        if tx.products.get(line.gtin) is None:
            raise InvalidInput(
                "product-not-found", f"Order {reference} line {line.line_no}: no product has "
                f"GTIN {line.gtin}.", field="gtin",
            )  # fmt: skip
        return line.gtin
    product = tx.products.by_sku(line.sku or "")
    if product is None:
        raise InvalidInput(
            "product-not-found",
            f"Order {reference} line {line.line_no}: no product has SKU {line.sku!r}.",
            field="sku",
        )
    return product.gtin


def _allocate(tx: Tx, order_id: int, line_id: int, gtin: str, spec: OrderSpec,
              line: OrderLineSpec) -> None:  # fmt: skip
    repo, ids = OrderRepo(tx), []
    for serial in line.serials:
        item = tx.items.find(f"01:{gtin}", serial)
        if item is None:
            raise InvalidInput(
                "serial-unknown", f"Order {spec.reference} line {line.line_no}: serial "
                f"{serial!r} of GTIN {gtin} is not known here.", field="serials",
            )  # fmt: skip
        other = repo.allocated_to(item.id)
        if other:
            raise Conflict(
                "allocated-to-other-order",
                f"{describe(item)} is allocated to order {other} already.", order=other,
            )  # fmt: skip
        ids.append(item.id)
    repo.allocate(order_id, line_id, ids)


def create_order(app: App, spec: OrderSpec, *, actor: Actor, source: str = "api") -> OrderView:
    """Store an order with its lines and allocated serials; a known reference is refused."""
    require(actor, "pack")
    with app.store.write() as tx:
        repo = OrderRepo(tx)
        if repo.get(spec.reference) is not None:
            raise Conflict("order-exists", f"Order {spec.reference} exists already.")
        try:
            order_id = repo.create(spec.reference, spec.customer, source=source, by=actor.label)
            gtins: set[str] = set()
            for line in spec.lines:
                gtin = _gtin_of(tx, line, spec.reference)
                if gtin in gtins:
                    raise InvalidInput(
                        "order-invalid", f"Order {spec.reference}: GTIN {gtin} is on two lines; "
                        "put its quantity on one.", field="lines",
                    )  # fmt: skip
                gtins.add(gtin)
                line_id = repo.add_line(order_id, line.line_no, gtin, line.sku, line.quantity)
                _allocate(tx, order_id, line_id, gtin, spec, line)
        except IntegrityViolation as exc:  # another order took a serial (or the reference)
            raise Conflict("order-conflict", f"Order {spec.reference}: {exc.detail}") from exc
        tx.events.append(
            OrderEvent.ORDER_CREATED, actor=actor.label, station=actor.station,
            subject=f"order:{spec.reference}",
            details={"customer": spec.customer, "lines": len(spec.lines), "source": source},
        )  # fmt: skip
        row = repo.by_id(order_id)
        assert row is not None
        return order_view(tx, row)


def get_order(app: App, reference: str, *, actor: Actor, names: bool = True) -> OrderView:
    """One order with its progress (and the picked units' names, unless ``names`` is off)."""
    require(actor, "read")
    with app.store.read() as tx:
        return order_view(tx, need_order(tx, reference), names=names)


def list_orders(
    app: App, *, actor: Actor, state: str | None = None, limit: int = 100
) -> list[OrderView]:
    """The newest orders (open ones, if asked), without the picked units' names."""
    require(actor, "read")
    with app.store.read() as tx:
        return [order_view(tx, r, names=False) for r in OrderRepo(tx).all(state, limit)]


def _line_for(lines: list[OrderLineRow], gtin: str | None) -> OrderLineRow | None:
    return next((ln for ln in lines if ln.gtin == gtin), None)


def pick(
    app: App, reference: str, code: str, *, actor: Actor, station: str | None = None,
    scan_id: str | None = None,
) -> PickResult:  # fmt: skip
    """Pick one scanned unit for an order, or refuse it with the reason.

    With ``scan_id`` (a station page's scan) a repeat raises the first outcome instead.
    """
    require(actor, "pack")
    station = station or actor.station
    with app.store.write() as tx:
        scan_once.claim(tx, scan_id, page="pick", code=code, actor=actor.label, station=station)
        row = need_order(tx, reference, lock=True)
        if row.state != OrderState.OPEN:
            raise Conflict("order-not-open", f"Order {row.reference} is {row.state}; nothing "
                           "more is picked for it.")  # fmt: skip
        item = need_item(tx, app, code)
        repo = OrderRepo(tx)
        lines = repo.lines(row.id)
        line = _line_for(lines, item.gtin)
        found = pick_refusal(PickFacts(
            name=describe(item), order=row.reference, kind=item.kind, gtin=item.gtin,
            state=item.state, hold=item.hold, expiry=item.expiry,
            today=datetime.now(UTC).date(), picked_on=repo.picked_on([item.id]).get(item.id),
            allocated_to=repo.allocated_to(item.id), line_gtins=frozenset(ln.gtin for ln in lines),
            line_open=line is not None and line.picked < line.quantity,
            line_lists_serials=line is not None and line.allocated > 0,
        ))  # fmt: skip
        if found:
            refuse(found, order=row.reference)
        assert line is not None
        if not repo.take_line(line.id):
            raise Conflict("over-pick", f"Order {row.reference} has all it wants of GTIN "
                           f"{line.gtin}; put {describe(item)} back.")  # fmt: skip
        try:
            repo.add_pick(row.id, line.id, item.id, by=actor.label, station=station)
        except IntegrityViolation as exc:
            raise Conflict(
                "picked-for-other-order", f"{describe(item)} was just picked at another station."
            ) from exc
        tx.events.append(
            OrderEvent.PICKED, actor=actor.label, station=station, item_id=item.id,
            subject=f"order:{row.reference}", details={"order": row.reference,
                                                       "line": line.line_no},
        )  # fmt: skip
        view = order_view(tx, row, names=False)
        detail = picked_detail(view, line.line_no)
        scan_once.finish(tx, scan_id, ok=True, outcome="picked", detail=detail,
                         subject=row.reference)  # fmt: skip
        return PickResult(view, view_of(tx, item), detail)


def put_back(
    app: App, reference: str, code: str, *, actor: Actor, station: str | None = None
) -> OrderView:
    """Undo a pick (the unit goes back to stock); a packed unit is taken out of its case first."""
    require(actor, "pack")
    with app.store.write() as tx:
        row = need_order(tx, reference, lock=True)
        if row.state == OrderState.SHIPPED:
            raise Conflict("order-shipped", f"Order {row.reference} was shipped already.")
        item = need_item(tx, app, code)
        if item.parent_id is not None:
            raise Conflict("put-back-packed", f"{describe(item)} is packed; take it out of its "
                           "case first, then put it back.")  # fmt: skip
        if OrderRepo(tx).put_back(row.id, item.id) is None:
            raise Conflict("not-picked", f"{describe(item)} is not picked for {row.reference}.")
        tx.events.append(OrderEvent.PUT_BACK, actor=actor.label, station=station or actor.station,
                         item_id=item.id, subject=f"order:{row.reference}",
                         details={"order": row.reference})  # fmt: skip
        return order_view(tx, row)


def picked_detail(view: OrderView, line_no: int) -> str:
    """What the picker reads after an accepted scan: the line's count and what is left."""
    line = next(ln for ln in view.lines if ln.line_no == line_no)
    left = sum(ln.open for ln in view.lines)
    done = " Order complete: pack and ship it." if left == 0 else f" {left} still to pick."
    return f"Picked for {view.reference} line {line_no}: {line.picked} of {line.quantity}.{done}"


def close_short(
    app: App, reference: str, *, actor: Actor, reason: str, station: str | None = None
) -> OrderView:
    """A supervisor lets an incomplete order ship with what was picked (with a reason)."""
    require(actor, "override")
    if not reason.strip():
        raise InvalidInput("reason-required", "Say why the order ships short.", field="reason")
    with app.store.write() as tx:
        row = need_order(tx, reference, lock=True)
        if not OrderRepo(tx).close_short(row.id, by=actor.label, reason=reason.strip()):
            raise Conflict("order-not-open", f"Order {row.reference} is {row.state} already.")
        view = order_view(tx, row)
        tx.events.append(
            OrderEvent.ORDER_CLOSED_SHORT, actor=actor.label, station=station or actor.station,
            subject=f"order:{row.reference}",
            details={"reason": reason.strip(), "picked": view.picked_total, "wanted": view.wanted},
        )  # fmt: skip
        fresh = OrderRepo(tx).by_id(row.id)
        assert fresh is not None
        return order_view(tx, fresh)

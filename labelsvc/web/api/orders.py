"""``/orders``: a WMS sends an order; pickers' scans are checked against it; it ships when
complete or closed short by a supervisor. A refused pick is a 409 problem whose ``code``
says why (``wrong-product``, ``over-pick``, ``allocated-to-other-order``, ``item-expired``...)."""

from __future__ import annotations

from typing import Any

from labelsvc.services.order_files import order_from_mapping
from labelsvc.services.order_shipping import OrderShipment, ship_order
from labelsvc.services.orders import (
    OrderView,
    close_short,
    create_order,
    get_order,
    pick,
    put_back,
)
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
    INTEGER,
    OPT_STRING,
    OPT_TIME,
    REASON,
    STATION,
    STRING,
    TIME,
    body,
    obj,
)
from labelsvc.web.api.serials import CODE
from labelsvc.web.api.views import ITEM_VIEW, item_view_json

REFERENCE = {"type": "string", "minLength": 1, "maxLength": 64, "description": "Order number"}
SERIALS = {"type": "array", "maxItems": 10_000, "items": {"type": "string", "minLength": 1,
           "maxLength": 20}, "description": "The exact serials allocated to this line"}  # fmt: skip
ORDER_LINE_BODY = body({
    "line": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    "gtin": {"type": "string", "pattern": "^[0-9]{8,14}$"},
    "sku": {"type": "string", "minLength": 1, "maxLength": 64},
    "quantity": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    "serials": SERIALS,
})  # fmt: skip
ORDER_BODY = body(
    {"reference": REFERENCE, "customer": {"type": "string", "minLength": 1, "maxLength": 200},
     "lines": {"type": "array", "minItems": 1, "maxItems": 1000, "items": ORDER_LINE_BODY}},
    required=("reference", "customer", "lines"),
)  # fmt: skip
ORDER_LINE = obj({"line": INTEGER, "gtin": STRING, "sku": OPT_STRING, "quantity": INTEGER,
                  "picked": INTEGER, "allocated": INTEGER})  # fmt: skip
ORDER = obj({
    "reference": STRING, "customer": STRING,
    "state": {"enum": ["open", "closed-short", "shipped"]},
    "complete": BOOLEAN, "lines": {"type": "array", "items": ORDER_LINE},
    "picked": {"type": "array", "items": STRING,
               "description": "Units picked, in pick order (empty in a pick's answer)"},
    "picked_total": INTEGER,
    "created_at": TIME, "close_reason": OPT_STRING, "shipment": OPT_STRING,
    "shipped_at": OPT_TIME,
})  # fmt: skip
PICK_BODY = body({"code": CODE, "station": STATION}, required=("code",))
PICKED = obj({"order": ORDER, "item": ITEM_VIEW, "detail": STRING})
CLOSE_BODY = body({"reason": REASON, "station": STATION}, required=("reason",))
SHIP_BODY = body({"shipment": {"type": "string", "minLength": 1, "maxLength": 64,
                               "description": "Shipment reference (default: the order's)"},
                  "station": STATION})  # fmt: skip
SHIPPED = obj({"order": ORDER, "shipment": STRING, "count": INTEGER,
               "roots": {"type": "array", "items": STRING,
                         "description": "Pallets, cases or loose units that left"}})  # fmt: skip
PARAMS = {"reference": REFERENCE}


def order_json(v: OrderView) -> dict[str, Any]:
    """An order with its progress."""
    return {
        "reference": v.reference, "customer": v.customer, "state": v.state,
        "complete": v.complete, "picked": list(v.picked), "picked_total": v.picked_total,
        "created_at": v.created_at,
        "close_reason": v.close_reason, "shipment": v.shipment, "shipped_at": v.shipped_at,
        "lines": [{"line": ln.line_no, "gtin": ln.gtin, "sku": ln.sku, "quantity": ln.quantity,
                   "picked": ln.picked, "allocated": ln.allocated} for ln in v.lines],
    }  # fmt: skip


def shipped_json(s: OrderShipment) -> dict[str, Any]:
    """What left on an order's shipment."""
    return {"order": order_json(s.order), "shipment": s.shipment, "count": s.count,
            "roots": list(s.roots)}  # fmt: skip


@route("POST", "/orders", summary="Create an outbound order", tag="orders", body=ORDER_BODY,
       errors=(409,), responses=json_ok(ORDER, 201), permission="pack",
       description="Lines name a GTIN or a SKU and a quantity, optionally the exact serials "
       "allocated. 409 `order-exists`, `allocated-to-other-order`; 400 `serial-unknown`, "
       "`product-not-found`. Idempotent with `Idempotency-Key`.")  # fmt: skip
def orders_create(call: Call) -> Reply:
    """Validate the order as a file import would, then store it."""
    spec = order_from_mapping(call.body, "body")
    return Reply(order_json(create_order(call.app, spec, actor=call.actor)), status=201)


@route("GET", "/orders/{reference}", summary="An order with its lines and picks",
       tag="orders", params=PARAMS, responses=json_ok(ORDER), permission="read")  # fmt: skip
def orders_get(call: Call, reference: str) -> Reply:
    """One order and how far its picking is."""
    return Reply(order_json(get_order(call.app, reference, actor=call.actor)))


@route("POST", "/orders/{reference}/picks", summary="Pick a scanned unit for the order",
       tag="orders", params=PARAMS, body=PICK_BODY, errors=(409,), responses=json_ok(PICKED),
       permission="pack",
       description="409 with the reason: `wrong-product`, `over-pick`, `already-picked`, "
       "`picked-for-other-order`, `allocated-to-other-order`, `not-allocated`, "
       "`item-quarantined`, `item-recalled`, `item-expired`, `item-shipped`, "
       "`order-not-open`.")  # fmt: skip
def orders_pick(call: Call, reference: str) -> Reply:
    """One pick scan."""
    b = call.body
    done = pick(call.app, reference, b["code"], actor=call.actor, station=b.get("station"))
    return Reply({"order": order_json(done.order), "item": item_view_json(done.item),
                  "detail": done.detail})  # fmt: skip


@route("POST", "/orders/{reference}/put-back", summary="Undo a pick: the unit goes back",
       tag="orders", params=PARAMS, body=PICK_BODY, errors=(409,), responses=json_ok(ORDER),
       permission="pack",
       description="409 `not-picked`, `put-back-packed` (unpack it first), "
       "`order-shipped`.")  # fmt: skip
def orders_put_back(call: Call, reference: str) -> Reply:
    """A wrong pick corrected; the line counts one less."""
    b = call.body
    view = put_back(call.app, reference, b["code"], actor=call.actor, station=b.get("station"))
    return Reply(order_json(view))


@route("POST", "/orders/{reference}/close-short", summary="Let an incomplete order ship short",
       tag="orders", params=PARAMS, body=CLOSE_BODY, errors=(409,), responses=json_ok(ORDER),
       permission="override")  # fmt: skip
def orders_close_short(call: Call, reference: str) -> Reply:
    """A supervisor's decision, with the reason recorded."""
    b = call.body
    view = close_short(call.app, reference, actor=call.actor, reason=b["reason"],
                       station=b.get("station"))  # fmt: skip
    return Reply(order_json(view))


@route("POST", "/orders/{reference}/ship", summary="Ship everything picked for the order",
       tag="orders", params=PARAMS, body=SHIP_BODY, errors=(409,),
       responses=json_ok(SHIPPED, 201), permission="ship",
       description="409 `order-incomplete` (pick the rest or close it short), `order-empty`, "
       "`order-mix` (a container holds units of no or another order), "
       "`order-shipped`.")  # fmt: skip
def orders_ship(call: Call, reference: str) -> Reply:
    """The order's containers and loose units leave; ``order.shipped`` goes to the outbox."""
    b = call.body
    sent = ship_order(call.app, reference, actor=call.actor, shipment=b.get("shipment"),
                      station=b.get("station"))  # fmt: skip
    return Reply(shipped_json(sent), status=201)

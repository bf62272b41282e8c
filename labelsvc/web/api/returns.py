"""``/returns``: an RMA against an order or a customer; each returned serial is checked
(shipped to this customer? on which shipment? in warranty?) and flagged when it never left
or left to someone else; each unit gets a disposition."""

from __future__ import annotations

from typing import Any

from labelsvc.domain.orders import Disposition
from labelsvc.services.returns import (
    ReturnUnitView,
    ReturnView,
    dispose,
    get_return,
    open_return,
    receive_unit,
)
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    OPT_INTEGER,
    OPT_STRING,
    OPT_TIME,
    STATION,
    STRING,
    TIME,
    body,
    obj,
)
from labelsvc.web.api.serials import CODE

REFERENCE = {"type": "string", "minLength": 1, "maxLength": 64, "description": "RMA number"}
TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
OPEN_BODY = body({"reference": REFERENCE, "customer": TEXT, "order": TEXT, "shipment": TEXT},
                 required=("reference",))  # fmt: skip
UNIT_BODY = body({"code": CODE, "station": STATION}, required=("code",))
DISPOSE_BODY = body({"code": CODE, "disposition": {"enum": [str(d) for d in Disposition]},
                     "station": STATION}, required=("code", "disposition"))  # fmt: skip
RETURN_UNIT = obj({
    "code": STRING, "shipped_order": OPT_STRING, "shipped_customer": OPT_STRING,
    "shipment": OPT_STRING, "shipped_at": OPT_TIME, "days_since_ship": OPT_INTEGER,
    "warranty_days": OPT_INTEGER, "in_warranty": {"type": ["boolean", "null"]},
    "flag": {"enum": [None, "unknown-serial", "never-shipped", "other-customer"],
             "description": "Set: a possible fraud or mix-up (a supervisor decides)"},
    "disposition": {"enum": [None, *[str(d) for d in Disposition]]}, "detail": STRING,
})  # fmt: skip
RETURN = obj({
    "reference": STRING, "customer": STRING, "order": OPT_STRING, "shipment": OPT_STRING,
    "state": {"enum": ["open", "resolved"]}, "opened_at": TIME, "resolved_at": OPT_TIME,
    "units": {"type": "array", "items": RETURN_UNIT},
})  # fmt: skip
PARAMS = {"reference": REFERENCE}


def unit_json(u: ReturnUnitView) -> dict[str, Any]:
    """One returned unit with its check."""
    return {
        "code": u.code, "shipped_order": u.shipped_order, "shipped_customer": u.shipped_customer,
        "shipment": u.shipment, "shipped_at": u.shipped_at, "days_since_ship": u.days_since_ship,
        "warranty_days": u.warranty_days, "in_warranty": u.in_warranty, "flag": u.flag,
        "disposition": u.disposition, "detail": u.detail,
    }  # fmt: skip


def return_json(v: ReturnView) -> dict[str, Any]:
    """A return with its units."""
    return {"reference": v.reference, "customer": v.customer, "order": v.order,
            "shipment": v.shipment, "state": v.state, "opened_at": v.opened_at,
            "resolved_at": v.resolved_at, "units": [unit_json(u) for u in v.units]}  # fmt: skip


@route("POST", "/returns", summary="Open a return (RMA) against an order or a customer",
       tag="returns", body=OPEN_BODY, errors=(404, 409), responses=json_ok(RETURN, 201),
       permission="receive",
       description="Give `order` (its customer is taken) or `customer`.")  # fmt: skip
def returns_open(call: Call) -> Reply:
    """A new open return."""
    b = call.body
    view = open_return(call.app, b["reference"], actor=call.actor, customer=b.get("customer"),
                       order=b.get("order"), shipment=b.get("shipment"))  # fmt: skip
    return Reply(return_json(view), status=201)


@route("GET", "/returns/{reference}", summary="A return with its units", tag="returns",
       params=PARAMS, responses=json_ok(RETURN), permission="read")  # fmt: skip
def returns_get(call: Call, reference: str) -> Reply:
    """One return."""
    return Reply(return_json(get_return(call.app, reference, actor=call.actor)))


@route("POST", "/returns/{reference}/units", summary="Check a returned serial in",
       tag="returns", params=PARAMS, body=UNIT_BODY, errors=(409,),
       responses=json_ok(RETURN_UNIT, 201), permission="receive",
       description="Answers where it left (order, shipment, days ago, warranty) or its "
       "`flag`. 409 `return-duplicate`, `return-resolved`.")  # fmt: skip
def returns_receive(call: Call, reference: str) -> Reply:
    """One returned unit; ``return.received`` goes to the outbox."""
    b = call.body
    unit = receive_unit(call.app, reference, b["code"], actor=call.actor,
                        station=b.get("station"))  # fmt: skip
    return Reply(unit_json(unit), status=201)


@route("POST", "/returns/{reference}/dispositions", summary="Decide a returned unit",
       tag="returns", params=PARAMS, body=DISPOSE_BODY, errors=(409,),
       responses=json_ok(RETURN), permission="receive",
       description="restock (receivable and packable again), quarantine, repair or scrap. "
       "A flagged unit needs permission `override`. The last decision resolves the "
       "return.")  # fmt: skip
def returns_dispose(call: Call, reference: str) -> Reply:
    """A disposition, with the unit's events."""
    b = call.body
    view = dispose(call.app, reference, b["code"], b["disposition"], actor=call.actor,
                   station=b.get("station"))  # fmt: skip
    return Reply(return_json(view))

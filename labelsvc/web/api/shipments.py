"""``/shipments``: a pallet, case or loose unit leaves with everything in it; a supervisor
(a token with the ``override`` permission) can bring a shipment back with ``unship``."""

from __future__ import annotations

from typing import Any

from labelsvc.services.shipping import ShipResult, ship, unship
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import INTEGER, REASON, STATION, STRING, body, obj
from labelsvc.web.api.serials import CODE
from labelsvc.web.api.views import ITEM_VIEW, item_view_json

REFERENCE = {"type": "string", "minLength": 1, "maxLength": 64,
             "description": "Order, delivery or carrier reference"}  # fmt: skip
COUNT = {"type": "integer", "minimum": 1, "description": "The item and all its descendants"}
PARTNER = {"type": "string", "minLength": 1, "maxLength": 64,
           "description": "The customer it goes to (a partner: its destination)"}  # fmt: skip
SHIP_BODY = body({"code": CODE, "reference": REFERENCE, "station": STATION, "partner": PARTNER},
                 required=("code", "reference"))  # fmt: skip
UNSHIP_BODY = body({"reason": REASON, "station": STATION}, required=("reason",))
SHIPMENT = obj({"reference": STRING, "item": ITEM_VIEW, "count": COUNT})
UNSHIPPED = obj({"item": ITEM_VIEW, "count": INTEGER})


def shipment_json(r: ShipResult) -> dict[str, Any]:
    """What left: the item scanned (now shipped) and how many items went with it."""
    return {"reference": r.reference, "item": item_view_json(r.item), "count": r.count}


@route("POST", "/shipments", summary="Ship an item and everything in it against a reference",
       tag="shipments", body=SHIP_BODY, errors=(404, 409), responses=json_ok(SHIPMENT, 201),
       permission="ship",
       description="Refused with 409 when the item sits in a container (`ship-packed`: ship "
       "that instead), when a container in it is open (`container-open`), or when anything "
       "in it is held, voided or shipped already.")  # fmt: skip
def shipments_create(call: Call) -> Reply:
    """Every descendant is marked shipped in one transaction."""
    b = call.body
    result = ship(call.app, b["code"], reference=b["reference"], actor=call.actor,
                  station=b.get("station"), partner=b.get("partner"))  # fmt: skip
    return Reply(shipment_json(result), status=201)


@route("POST", "/serials/{code}/unship", summary="Bring a shipped item and its contents back",
       tag="shipments", params={"code": CODE}, body=UNSHIP_BODY, errors=(409,),
       responses=json_ok(UNSHIPPED), permission="override",
       description="A return: items come back `packed` (inside a container) or "
       "`commissioned`; the history keeps both events. 409 `not-shipped` otherwise.")  # fmt: skip
def shipments_unship(call: Call, code: str) -> Reply:
    """Undo a shipment from the item that was shipped (or any shipped item in it)."""
    b = call.body
    result = unship(call.app, code, actor=call.actor, reason=b["reason"],
                    station=b.get("station"))  # fmt: skip
    return Reply({"item": item_view_json(result.item), "count": result.count})

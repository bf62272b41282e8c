"""``/containers``: open a case or pallet, add and remove by scan, close (its label prints),
reopen a closed one, or empty one at once."""

from __future__ import annotations

from labelsvc.services.packing import (
    add_to_container,
    close_container,
    get_container,
    open_container,
    remove_from_container,
    reopen_container,
    unpack_container,
)
from labelsvc.web.api.labels import NAME
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import REASON, STATION, body, obj
from labelsvc.web.api.serials import CODE
from labelsvc.web.api.views import CONTAINER, ITEM_VIEW, container_json, item_view_json

OPEN_BODY = body(
    {
        "level": {"enum": ["case", "pallet"]},
        "gtin": {"type": "string", "pattern": "^[0-9]{14}$",
                 "description": "Product packed (sets the capacity); else the first item's"},
        "pool": NAME,
        "station": STATION,
    },
    required=("level",),
)  # fmt: skip
ADD_BODY = body(
    {"item": CODE, "move": {"type": "boolean", "description": "Take it out of its case first"},
     "reason": REASON, "station": STATION},
    required=("item",),
)  # fmt: skip
REMOVE_BODY = body({"item": CODE, "reason": REASON, "station": STATION}, required=("item",))
CLOSE_BODY = body({"reason": REASON, "printer": NAME, "template": NAME, "station": STATION})
REASON_BODY = body({"reason": REASON, "station": STATION}, required=("reason",))
UNPACKED = obj({"unpacked": {"type": "array", "items": ITEM_VIEW,
                             "description": "What was in it, as it is now"}})  # fmt: skip
PARAMS = {"code": CODE}


@route("POST", "/containers", summary="Open a case or pallet with a new SSCC",
       tag="containers", body=OPEN_BODY, errors=(409,), responses=json_ok(CONTAINER, 201),
       permission="pack")  # fmt: skip
def containers_open(call: Call) -> Reply:
    """A new SSCC from the SSCC pool; the capacity comes from the product."""
    b = call.body
    view = open_container(
        call.app, b["level"], actor=call.actor, gtin=b.get("gtin"), pool=b.get("pool"),
        station=b.get("station"),
    )  # fmt: skip
    return Reply(container_json(view), status=201)


@route("GET", "/containers/{code}", summary="A case or pallet with its count", tag="containers",
       params=PARAMS, responses=json_ok(CONTAINER), permission="read")  # fmt: skip
def containers_get(call: Call, code: str) -> Reply:
    """One container by its SSCC (or any scan of it)."""
    return Reply(container_json(get_container(call.app, code, actor=call.actor)))


@route("POST", "/containers/{code}/items", summary="Pack a scanned unit or case into it",
       tag="containers", params=PARAMS, body=ADD_BODY, errors=(409,),
       responses=json_ok(CONTAINER), permission="pack",
       description="An item already in another container is refused with 409 "
       "`in-another-container` naming that container, unless `move` is true.")  # fmt: skip
def containers_add(call: Call, code: str) -> Reply:
    """Add one item; two stations adding the same unit at once: one wins, one gets 409."""
    b = call.body
    view = add_to_container(
        call.app, code, b["item"], actor=call.actor, station=b.get("station"),
        move=b.get("move", False), reason=b.get("reason"),
    )  # fmt: skip
    return Reply(container_json(view))


@route("POST", "/containers/remove", summary="Take a scanned item out of its container",
       tag="containers", body=REMOVE_BODY, errors=(409,), responses=json_ok(CONTAINER),
       permission="pack",
       description="Answers the container the item was taken out of.")  # fmt: skip
def containers_remove(call: Call) -> Reply:
    """Unpack one item from whatever open container holds it."""
    b = call.body
    view = remove_from_container(
        call.app, b["item"], actor=call.actor, station=b.get("station"), reason=b.get("reason")
    )
    return Reply(container_json(view))


@route("POST", "/containers/{code}/close", summary="Close it; its SSCC label is queued",
       tag="containers", params=PARAMS, body=CLOSE_BODY, errors=(409, 503),
       responses=json_ok(CONTAINER), permission="pack",
       description="Closing early needs a `reason`; `jobs` are its label jobs.")  # fmt: skip
def containers_close(call: Call, code: str) -> Reply:
    """Close and print the case or pallet label."""
    b = call.body
    view = close_container(
        call.app, code, actor=call.actor, reason=b.get("reason"), station=b.get("station"),
        printer=b.get("printer"), template=b.get("template"),
    )  # fmt: skip
    return Reply(container_json(view))


@route("POST", "/containers/{code}/reopen", summary="Open a closed case or pallet again",
       tag="containers", params=PARAMS, body=REASON_BODY, errors=(409,),
       responses=json_ok(CONTAINER), permission="override",
       description="409 `container-open` when it is open, `item-shipped` when it was "
       "shipped (unship it first).")  # fmt: skip
def containers_reopen(call: Call, code: str) -> Reply:
    """A supervisor's correction; the reason is recorded in its history."""
    b = call.body
    view = reopen_container(call.app, code, actor=call.actor, reason=b["reason"],
                            station=b.get("station"))  # fmt: skip
    return Reply(container_json(view))


@route("POST", "/containers/{code}/unpack", summary="Take everything out of a case or pallet",
       tag="containers", params=PARAMS, body=REASON_BODY, errors=(409,),
       responses=json_ok(UNPACKED), permission="pack",
       description="A closed container is reopened first, which also needs permission "
       "`override`. Every child gets an `unpacked` event.")  # fmt: skip
def containers_unpack(call: Call, code: str) -> Reply:
    """Empty the container; its children are answered as they are now."""
    b = call.body
    children = unpack_container(call.app, code, actor=call.actor, reason=b["reason"],
                                station=b.get("station"))  # fmt: skip
    return Reply({"unpacked": [item_view_json(c) for c in children]})

"""``/locations``, ``/moves`` and ``/serials/{code}/location``: sites, zones and bins,
putaway and move by scan, what is in a bin and where an item is."""

from __future__ import annotations

from typing import Any

from labelsvc.services.flow_views import ItemView
from labelsvc.services.location_labels import DEFAULT_TEMPLATE, print_location_labels
from labelsvc.services.locations import (
    LocationView,
    get_location,
    list_locations,
    save_locations,
    spec_from_mapping,
)
from labelsvc.services.putaway import MoveResult, Whereabouts, contents, move_to, where_is
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    INTEGER,
    LIST_QUERY,
    OPT_STRING,
    STATION,
    STRING,
    TIME,
    body,
    obj,
    page,
    page_schema,
)
from labelsvc.web.api.serials import CODE
from labelsvc.web.api.views import ITEM_VIEW, item_view_json

LOCATION_CODE = {"type": "string", "minLength": 1, "maxLength": 40,
                 "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$",
                 "description": "The location's code, e.g. WH1-A-01"}  # fmt: skip
LOCATION = obj({
    "code": STRING, "kind": {"enum": ["site", "zone", "bin"]}, "parent": OPT_STRING,
    "name": STRING, "gln": OPT_STRING, "extension": OPT_STRING,
    "sgln": {"type": ["string", "null"], "description": "urn:epc:id:sgln:… (with a GLN)"},
})  # fmt: skip
LOCATION_BODY = body({
    "kind": {"enum": ["site", "zone", "bin"]},
    "parent": {**LOCATION_CODE, "description": "A zone's site, a bin's zone"},
    "name": {"type": "string", "maxLength": 200},
    "gln": {"type": "string", "pattern": "^[0-9]{13}$", "description": "AI 414"},
    "extension": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,20}$", "description": "AI 254"},
    "prefix_length": {"type": "integer", "minimum": 6, "maximum": 12,
                      "description": "GS1 company prefix length of the GLN (default 7)"},
}, required=("kind",))  # fmt: skip
SCAN_OR_CODE = {"type": "string", "minLength": 1, "maxLength": 120,
                "description": "A location code or a scanned bin label (414 + 254)"}  # fmt: skip
MOVE_BODY = body({
    "location": SCAN_OR_CODE,
    "codes": {"type": "array", "minItems": 1, "maxItems": 500, "items": CODE,
              "description": "Items or containers scanned; containers move with contents"},
    "station": STATION,
}, required=("location", "codes"))  # fmt: skip
MOVED = obj({"item": ITEM_VIEW, "from": OPT_STRING, "count": INTEGER})
MOVE_RESULT = obj({"location": LOCATION, "moved": {"type": "array", "items": MOVED},
                   "count": INTEGER})  # fmt: skip
STEP = obj({"at": TIME, "type": STRING, "from": OPT_STRING, "to": OPT_STRING, "actor": STRING,
            "station": OPT_STRING})  # fmt: skip
WHEREABOUTS = obj({"item": ITEM_VIEW, "location": {"oneOf": [LOCATION, {"type": "null"}]},
                   "history": {"type": "array", "items": STEP}})  # fmt: skip
CONTENTS_QUERY = {**LIST_QUERY, "after": {"type": "string", "pattern": "^[0-9]{1,15}$"}}


def location_json(v: LocationView) -> dict[str, Any]:
    """A site, zone or bin."""
    return {"code": v.code, "kind": v.kind, "parent": v.parent, "name": v.name, "gln": v.gln,
            "extension": v.extension, "sgln": v.sgln}  # fmt: skip


def move_json(r: MoveResult) -> dict[str, Any]:
    """Where things went, and from where."""
    return {"location": location_json(r.location), "count": r.count,
            "moved": [{"item": item_view_json(m.item), "from": m.came_from, "count": m.count}
                      for m in r.moved]}  # fmt: skip


def whereabouts_json(w: Whereabouts) -> dict[str, Any]:
    """Where an item is and where it has been."""
    return {
        "item": item_view_json(w.item),
        "location": location_json(w.location) if w.location else None,
        "history": [{"at": s.at, "type": s.type, "from": s.came_from, "to": s.went_to,
                     "actor": s.actor, "station": s.station} for s in w.history],
    }  # fmt: skip


@route("GET", "/locations", summary="Every site, zone and bin", tag="locations",
       responses=json_ok({"type": "array", "items": LOCATION}), permission="read")  # fmt: skip
def locations_list(call: Call) -> Reply:
    """By code."""
    return Reply([location_json(v) for v in list_locations(call.app, actor=call.actor)])


@route("GET", "/locations/{code}", summary="One location", tag="locations",
       params={"code": SCAN_OR_CODE}, errors=(404,), responses=json_ok(LOCATION),
       permission="read")  # fmt: skip
def locations_get(call: Call, code: str) -> Reply:
    """By code or by its scanned label."""
    return Reply(location_json(get_location(call.app, code, actor=call.actor)))


@route("PUT", "/locations/{code}", summary="Add or change a site, zone or bin", tag="locations",
       params={"code": LOCATION_CODE}, body=LOCATION_BODY, errors=(404,),
       responses=json_ok(LOCATION), permission="manage",
       description="A zone's parent is a site, a bin's a zone (400 `location-invalid` "
       "otherwise). A GLN with an extension names the bin on its label and in EPCIS.")  # fmt: skip
def locations_put(call: Call, code: str) -> Reply:
    """Saved by code: a second PUT changes it."""
    data = {k: str(v) for k, v in call.body.items()}
    save_locations(call.app, [spec_from_mapping({**data, "code": code}, "body")],
                   actor=call.actor)  # fmt: skip
    return Reply(location_json(get_location(call.app, code, actor=call.actor)))


@route("GET", "/locations/{code}/contents", summary="What is in a location", tag="locations",
       params={"code": SCAN_OR_CODE}, query=CONTENTS_QUERY, errors=(404,),
       responses=json_ok(page_schema(ITEM_VIEW)), permission="read",
       description="Containers and everything in them, by item; page with `after`.")  # fmt: skip
def locations_contents(call: Call, code: str) -> Reply:
    """One page of the items in a bin."""
    after = int(call.query.get("after", "0"))

    def fetch(n: int) -> list[ItemView]:
        return contents(call.app, code, actor=call.actor, after_id=after, limit=n)

    return Reply(page(fetch, call.query.get("limit"), lambda v: str(v.id), item_view_json))


LABELS_BODY = body({
    "codes": {"type": "array", "minItems": 1, "maxItems": 250, "items": SCAN_OR_CODE},
    "printer": {"type": "string", "minLength": 1, "maxLength": 64},
    "template": {"type": "string", "minLength": 1, "maxLength": 64,
                 "description": "A template of kind location (default: location)"},
    "station": STATION,
}, required=("codes",))  # fmt: skip


@route("POST", "/locations/labels", summary="Print bin labels (GLN 414 + extension 254)",
       tag="locations", body=LABELS_BODY, errors=(404,),
       responses=json_ok(obj({"jobs": {"type": "array", "items": INTEGER}}), 201),
       permission="label",
       description="One label per location, as GS1-128 and GS1 DataMatrix; a location "
       "without a GLN is refused (400 `location-no-gln`). Follow the jobs at /jobs.")  # fmt: skip
def locations_labels(call: Call) -> Reply:
    """Rendered now, queued in one job, sent by the print workers."""
    b = call.body
    jobs = print_location_labels(call.app, b["codes"], actor=call.actor,
                                 printer=b.get("printer"), station=b.get("station"),
                                 template=b.get("template") or DEFAULT_TEMPLATE)  # fmt: skip
    return Reply({"jobs": jobs}, status=201)


@route("POST", "/moves", summary="Put items or containers away into a location",
       tag="locations", body=MOVE_BODY, errors=(404, 409), responses=json_ok(MOVE_RESULT, 201),
       permission="move",
       description="A container moves with everything in it. All codes move in one "
       "transaction: one refused code (409 `in-container`, `item-shipped`, `already-there`) "
       "moves none.")  # fmt: skip
def moves_create(call: Call) -> Reply:
    """Putaway (first location) or move, with one event per item."""
    b = call.body
    result = move_to(call.app, b["codes"], b["location"], actor=call.actor,
                     station=b.get("station"))  # fmt: skip
    return Reply(move_json(result), status=201)


@route("GET", "/serials/{code}/location", summary="Where an item is and where it has been",
       tag="locations", params={"code": CODE}, errors=(404, 409),
       responses=json_ok(WHEREABOUTS), permission="read")  # fmt: skip
def serials_location(call: Call, code: str) -> Reply:
    """Its current location (null: none recorded) and its location history."""
    return Reply(whereabouts_json(where_is(call.app, code, actor=call.actor)))

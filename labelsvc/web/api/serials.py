"""``/serials/{code}``: one identifier (unit serial or SSCC) — void, reprint, and trace.

``code`` is anything a scanner reads: ``(01)…(21)…``, a GS1 element string, a bare serial
or an SSCC (percent-encoded in the path). A code that cannot be one path segment (a Digital
Link URL, anything with ``/``) is looked up with ``GET /serials?code=…`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labelsvc.services.flow_views import item_view
from labelsvc.services.labeling import reprint, void
from labelsvc.services.metrics_flows import measured_trace
from labelsvc.services.trace import HoldResult, TimelineEntry, Trace, quarantine, release, trace
from labelsvc.web.api.labels import LABEL_RESULT, NAME, label_result_json
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    INTEGER,
    LIST_QUERY,
    OPT_STRING,
    REASON,
    STATION,
    STRING,
    TIME,
    body,
    obj,
    page,
    page_schema,
)
from labelsvc.web.api.views import CONTAINER, ITEM_VIEW, container_json, item_view_json

CODE = {"type": "string", "minLength": 1, "maxLength": 120,
        "description": "A scan: (01)…(21)…, element string, bare serial or SSCC"}  # fmt: skip
PARAMS = {"code": CODE}
CODE_QUERY = {"code": {
    "type": "string", "minLength": 1, "maxLength": 500,
    "description": "A scan, percent-encoded: also a Digital Link URL or an element string "
                   "with GS (%1D)"}}  # fmt: skip
ITEMS = {"type": "array", "items": ITEM_VIEW}
SERIAL = obj({
    "item": ITEM_VIEW,
    "container": {"oneOf": [CONTAINER, {"type": "null"}]},
    "receipts": {"type": "array", "items": STRING},
    "units": {"type": "integer", "description": "Units in it (1 for a unit)"},
    "ais": {"type": "object", "additionalProperties": STRING,
            "description": "AIs its scans carried beyond GTIN, serial, lot and expiry"},
})  # fmt: skip
HIERARCHY = obj({"item": ITEM_VIEW, "ancestors": ITEMS, "descendants": ITEMS})
EVENT = obj({
    "id": INTEGER, "at": TIME, "type": STRING, "actor": STRING, "station": OPT_STRING,
    "item": OPT_STRING, "parent": OPT_STRING, "details": {"type": "object"},
})  # fmt: skip
HOLD = obj({
    "action": {"enum": ["quarantined", "recalled", "released"]}, "reason": STRING,
    "changed": ITEMS, "total": INTEGER,
})  # fmt: skip
EVENT_QUERY = {**LIST_QUERY, "after": {"type": "string", "pattern": "^[0-9]{1,15}$"}}
QUARANTINE_BODY = body(
    {"reason": REASON, "recall": {"type": "boolean", "description": "A recall, not a hold"},
     "station": STATION},
    required=("reason",),
)  # fmt: skip
RELEASE_BODY = body({"reason": REASON, "station": STATION}, required=("reason",))
VOID_BODY = body({"reason": REASON, "station": STATION}, required=("reason",))
REPRINT_BODY = body(
    {"reason": REASON, "printer": NAME, "template": NAME, "station": STATION},
    required=("reason",),
)


def serial_json(t: Trace) -> dict[str, Any]:
    """An identifier, the container it is (if one), and where it was received."""
    return {
        "item": item_view_json(t.item),
        "container": container_json(t.container) if t.container else None,
        "receipts": list(t.receipts), "units": t.units, "ais": dict(t.extra_ais),
    }  # fmt: skip


def event_json(e: TimelineEntry) -> dict[str, Any]:
    """One entry of an item's timeline."""
    return {"id": e.id, "at": e.at, "type": e.type, "actor": e.actor, "station": e.station,
            "item": e.item, "parent": e.parent, "details": e.details}  # fmt: skip


def hold_json(h: HoldResult) -> dict[str, Any]:
    """What a quarantine, recall or release changed."""
    return {"action": h.action, "reason": h.reason,
            "changed": [item_view_json(i) for i in h.items], "total": h.total}  # fmt: skip


def _traced(call: Call, code: str, render: Callable[[Trace], Any]) -> Reply:
    """A trace answered as JSON, timed from its start to the built answer (time to trace)."""
    with measured_trace(call.app, call.actor, code, "api") as clock:
        found = trace(call.app, code, actor=call.actor)
        answer = render(found)
        clock.answered(1 + len(found.descendants))
    return Reply(answer)


@route("GET", "/serials/{code}", summary="A unit serial or SSCC and where it stands",
       tag="serials", params=PARAMS, responses=json_ok(SERIAL), permission="read")  # fmt: skip
def serials_get(call: Call, code: str) -> Reply:
    """State, hold, lot, its container view and its receipts."""
    return _traced(call, code, serial_json)


@route("GET", "/serials", summary="Look a scan up by query (Digital Link URLs, codes with /)",
       tag="serials", query=CODE_QUERY, query_required=("code",), errors=(404, 409),
       responses=json_ok(SERIAL), permission="read",
       description="The same answer as `GET /serials/{code}`, for codes that cannot be a "
       "path segment.")  # fmt: skip
def serials_lookup(call: Call) -> Reply:
    """The query form of :func:`serials_get`."""
    return _traced(call, call.query["code"], serial_json)


@route("GET", "/serials/{code}/hierarchy", summary="Its parent chain and everything in it",
       tag="serials", params=PARAMS, responses=json_ok(HIERARCHY), permission="read")  # fmt: skip
def serials_hierarchy(call: Call, code: str) -> Reply:
    """Ancestors nearest first (case, then pallet); descendants parents before children."""
    return _traced(call, code, lambda t: {
        "item": item_view_json(t.item),
        "ancestors": [item_view_json(i) for i in t.ancestors],
        "descendants": [item_view_json(i) for i in t.descendants],
    })  # fmt: skip


@route("GET", "/serials/{code}/events", summary="Its history, oldest first", tag="serials",
       params=PARAMS, query=EVENT_QUERY, responses=json_ok(page_schema(EVENT)),
       permission="read")  # fmt: skip
def serials_events(call: Call, code: str) -> Reply:
    """Allocation, printing, receiving, packing, holds: one page of the timeline."""
    after = int(call.query.get("after", "-1"))
    timeline = [e for e in trace(call.app, code, actor=call.actor).timeline if e.id > after]
    return Reply(page(lambda n: timeline[:n], call.query.get("limit"), lambda e: str(e.id),
                      event_json))  # fmt: skip


@route("POST", "/serials/{code}/void", summary="Void a serial whose label was destroyed",
       tag="serials", params=PARAMS, body=VOID_BODY, errors=(409,), responses=json_ok(ITEM_VIEW),
       permission="void")  # fmt: skip
def serials_void(call: Call, code: str) -> Reply:
    """The serial is retired and never issued again."""
    b = call.body
    item = void(call.app, code, reason=b["reason"], actor=call.actor, station=b.get("station"))
    return Reply(item_view_json(item_view(item)))


@route("POST", "/serials/{code}/reprint", summary="Print the same serial's label again",
       tag="serials", params=PARAMS, body=REPRINT_BODY, errors=(409, 503),
       responses=json_ok(LABEL_RESULT, 201), permission="reprint")  # fmt: skip
def serials_reprint(call: Call, code: str) -> Reply:
    """A reprint never makes a new serial; it is marked and recorded with its reason."""
    b = call.body
    result = reprint(
        call.app, code, reason=b["reason"], actor=call.actor, printer=b.get("printer"),
        template=b.get("template"), station=b.get("station"),
    )  # fmt: skip
    return Reply(label_result_json(result), status=201)


@route("POST", "/serials/{code}/quarantine", summary="Quarantine or recall it and its contents",
       tag="serials", params=PARAMS, body=QUARANTINE_BODY, responses=json_ok(HOLD),
       permission="quarantine",
       description="Held items are refused by packing, receiving and shipping.")  # fmt: skip
def serials_quarantine(call: Call, code: str) -> Reply:
    """Hold the item and everything below it."""
    b = call.body
    result = quarantine(call.app, code, actor=call.actor, reason=b["reason"],
                        recall=b.get("recall", False), station=b.get("station"))  # fmt: skip
    return Reply(hold_json(result))


@route("POST", "/serials/{code}/release", summary="Release a held item and its contents",
       tag="serials", params=PARAMS, body=RELEASE_BODY, responses=json_ok(HOLD),
       permission="release")  # fmt: skip
def serials_release(call: Call, code: str) -> Reply:
    """Lift a quarantine or recall (a supervisor's decision)."""
    b = call.body
    result = release(call.app, code, actor=call.actor, reason=b["reason"],
                     station=b.get("station"))  # fmt: skip
    return Reply(hold_json(result))

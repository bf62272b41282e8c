"""``/touchpoints``, ``/touchpoint-scans``, ``/counts`` and the metrics of touchpoints and
counts: declared steps, scans at them (a carrier's delivery, a customs check), cycle counts
by serial, scan compliance and inventory accuracy."""

from __future__ import annotations

from typing import Any

from labelsvc.services import counts, metrics_touchpoints, touchpoints
from labelsvc.services.counts import CountView
from labelsvc.services.metrics_touchpoints import ComplianceGroup
from labelsvc.store.touchpoints import TouchpointRow
from labelsvc.web.api.locations import SCAN_OR_CODE
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
    INTEGER,
    OPT_STRING,
    REASON,
    STATION,
    STRING,
    body,
    obj,
)
from labelsvc.web.api.serials import CODE
from labelsvc.web.api.views import ITEM_VIEW, item_view_json

NAME = {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,39}$", "description": "e.g. customs"}
CBV = {"type": "string", "minLength": 2, "maxLength": 200,
       "description": "CBV 2.0 term (bizStep or disposition), e.g. inspecting"}  # fmt: skip
TOUCHPOINT = obj(
    {
        "name": STRING,
        "biz_step": STRING,
        "title": STRING,
        "event_types": {
            "type": "array",
            "items": STRING,
            "description": "Events that count as a scan here",
        },
    }
)
TOUCHPOINT_BODY = body({"biz_step": CBV, "title": {"type": "string", "maxLength": 100}},
                       required=("biz_step",))  # fmt: skip
REQUIRED_BODY = body({"touchpoints": {"type": "array", "items": NAME, "maxItems": 50}},
                     required=("touchpoints",))  # fmt: skip
REQUIRED = obj({"gtin": STRING, "touchpoints": {"type": "array", "items": STRING}})
TIME_TEXT = {"type": "string", "minLength": 10, "maxLength": 40,
             "description": "ISO 8601 UTC"}  # fmt: skip
SCAN_BODY = body({
    "code": CODE, "touchpoint": NAME, "location": SCAN_OR_CODE, "station": STATION,
    "disposition": CBV, "observed_at": {**TIME_TEXT, "description": "When the partner saw it"},
    "reference": {"type": "string", "minLength": 1, "maxLength": 64,
                  "description": "The partner's reference (tracking number, declaration)"},
}, required=("code", "touchpoint"))  # fmt: skip
SCAN_RESULT = obj({"touchpoint": STRING, "biz_step": STRING, "item": ITEM_VIEW,
                   "count": INTEGER, "location": OPT_STRING, "event": INTEGER})  # fmt: skip
LINE = obj({"item": STRING, "difference": {"enum": ["match", "missing", "extra", "wrong-place"]},
            "recorded": OPT_STRING, "resolution": OPT_STRING})  # fmt: skip
COUNT = obj({
    "id": INTEGER, "target": STRING, "blind": BOOLEAN, "state": {"enum": ["open", "closed"]},
    "counted": INTEGER, "expected": {"type": ["integer", "null"]},
    "lines": {"oneOf": [{"type": "array", "items": LINE}, {"type": "null"}],
              "description": "null while a blind count is open"},
})  # fmt: skip
COUNT_PARAMS = {"count_id": {"type": "integer", "minimum": 1, "maximum": 2**53}}
COUNT_BODY = body({"target": {**SCAN_OR_CODE, "description": "A bin's code or a container"},
                   "blind": BOOLEAN, "station": STATION}, required=("target",))  # fmt: skip
COUNT_SCAN_BODY = body({"code": CODE, "station": STATION}, required=("code",))
COUNT_SCAN = obj({"count": INTEGER, "item": STRING, "counted": INTEGER,
                  "difference": OPT_STRING, "detail": STRING})  # fmt: skip
RESOLVE_BODY = body({"code": CODE, "resolution": {"enum": ["accept-found", "keep-record"]},
                     "reason": REASON}, required=("code", "resolution"))  # fmt: skip
PERIOD = {"since": TIME_TEXT, "until": TIME_TEXT}
GROUP = obj({"key": STRING, "items": INTEGER, "scanned": INTEGER, "required": INTEGER,
             "rate": {"type": ["number", "null"]}})  # fmt: skip
GAP = obj({"item": STRING, "gtin": STRING, "site": OPT_STRING,
           "missing": {"type": "array", "items": STRING}})  # fmt: skip
COMPLIANCE = obj({"total": GROUP, "by_product": {"type": "array", "items": GROUP},
                  "by_site": {"type": "array", "items": GROUP},
                  "gaps": {"type": "array", "items": GAP}, "gap_count": INTEGER})  # fmt: skip
ACCURACY = obj({"counts": INTEGER, "lines": INTEGER, "matched": INTEGER,
                "rate": {"type": ["number", "null"]}})  # fmt: skip


def touchpoint_json(t: TouchpointRow) -> dict[str, Any]:
    """A declared touchpoint."""
    return {
        "name": t.name,
        "biz_step": t.biz_step,
        "title": t.title,
        "event_types": list(t.event_types),
    }


def count_json(c: CountView) -> dict[str, Any]:
    """A count with its lines (null while blind and open)."""
    lines = None if c.lines is None else [
        {"item": ln.item, "difference": ln.difference, "recorded": ln.recorded,
         "resolution": ln.resolution} for ln in c.lines]  # fmt: skip
    return {"id": c.id, "target": c.target, "blind": c.blind, "state": c.state,
            "counted": c.counted, "expected": c.expected, "lines": lines}  # fmt: skip


def _group(g: ComplianceGroup) -> dict[str, Any]:
    return {"key": g.key, "items": g.items, "scanned": g.scanned, "required": g.required,
            "rate": g.rate}  # fmt: skip


@route("GET", "/touchpoints", summary="The declared touchpoints", tag="touchpoints",
       responses=json_ok({"type": "array", "items": TOUCHPOINT}), permission="read")  # fmt: skip
def touchpoints_list(call: Call) -> Reply:
    """By name, each with its CBV business step."""
    return Reply(
        [touchpoint_json(t) for t in touchpoints.list_touchpoints(call.app, actor=call.actor)]
    )


@route("PUT", "/touchpoints/{name}", summary="Declare a touchpoint", tag="touchpoints",
       params={"name": NAME}, body=TOUCHPOINT_BODY, responses=json_ok(TOUCHPOINT),
       permission="manage")  # fmt: skip
def touchpoints_put(call: Call, name: str) -> Reply:
    """A named step with its CBV business step, declared once."""
    b = call.body
    row = touchpoints.declare_touchpoint(call.app, name, biz_step=b["biz_step"],
                                         title=b.get("title", ""), actor=call.actor)  # fmt: skip
    return Reply(touchpoint_json(row))


@route("PUT", "/products/{gtin}/touchpoints", summary="The touchpoints a product requires",
       tag="touchpoints", params={"gtin": {"type": "string", "pattern": "^[0-9]{8,14}$"}},
       body=REQUIRED_BODY, errors=(404,), responses=json_ok(REQUIRED), permission="manage",
       description="Replaces the list; scan compliance counts these per unit.")  # fmt: skip
def touchpoints_required(call: Call, gtin: str) -> Reply:
    """In flow order."""
    names = touchpoints.require_touchpoints(call.app, gtin, call.body["touchpoints"],
                                            actor=call.actor)  # fmt: skip
    return Reply({"gtin": gtin, "touchpoints": names})


@route("POST", "/touchpoint-scans", summary="Record a scan at a touchpoint", tag="touchpoints",
       body=SCAN_BODY, errors=(404, 409), responses=json_ok(SCAN_RESULT, 201),
       permission="touchpoint",
       description="An external system (a carrier's delivery, a customs check) or a station "
       "says an item was scanned at a touchpoint; a container's contents are scanned with "
       "it. The event is an EPCIS ObjectEvent OBSERVE with the touchpoint's bizStep.")  # fmt: skip
def touchpoint_scans_create(call: Call) -> Reply:
    """One event per item, with time, location and station."""
    b = call.body
    r = touchpoints.record_scan(
        call.app, b["code"], b["touchpoint"], actor=call.actor, location=b.get("location"),
        station=b.get("station"), disposition=b.get("disposition"),
        observed_at=b.get("observed_at"), reference=b.get("reference"),
    )  # fmt: skip
    return Reply({"touchpoint": r.touchpoint, "biz_step": r.biz_step,
                  "item": item_view_json(r.item), "count": r.count, "location": r.location,
                  "event": r.event_id}, status=201)  # fmt: skip


@route("POST", "/counts", summary="Open a cycle count of a bin or a container", tag="counts",
       body=COUNT_BODY, errors=(404,), responses=json_ok(COUNT, 201), permission="count",
       description="With `blind` the counter is shown neither the expected list nor "
       "whether a scan matched, until the count is closed.")  # fmt: skip
def counts_create(call: Call) -> Reply:
    """What the record expects is taken now."""
    b = call.body
    view = counts.start_count(call.app, b["target"], actor=call.actor,
                              blind=bool(b.get("blind")), station=b.get("station"))  # fmt: skip
    return Reply(count_json(view), status=201)


@route("GET", "/counts/{count_id}", summary="A cycle count and its lines", tag="counts",
       params=COUNT_PARAMS, errors=(404,), responses=json_ok(COUNT),
       permission="count")  # fmt: skip
def counts_get(call: Call, count_id: int) -> Reply:
    """Lines are null while a blind count is open (except for a supervisor)."""
    return Reply(count_json(counts.get_count(call.app, int(count_id), actor=call.actor)))


@route("POST", "/counts/{count_id}/scans", summary="Count one scanned serial", tag="counts",
       params=COUNT_PARAMS, body=COUNT_SCAN_BODY, errors=(404, 409),
       responses=json_ok(COUNT_SCAN, 201), permission="count",
       description="Each serial counts once (409 `already-counted`).")  # fmt: skip
def counts_scan(call: Call, count_id: int) -> Reply:
    """Expected, extra or in the wrong place (not said in blind mode)."""
    r = counts.count_scan(call.app, int(count_id), call.body["code"], actor=call.actor,
                          station=call.body.get("station"))  # fmt: skip
    return Reply({"count": r.count_id, "item": r.item, "counted": r.counted,
                  "difference": r.difference, "detail": r.detail}, status=201)  # fmt: skip


@route("POST", "/counts/{count_id}/close", summary="Close a count: what was not scanned is "
       "missing", tag="counts", params=COUNT_PARAMS, errors=(404, 409),
       responses=json_ok(COUNT), permission="count")  # fmt: skip
def counts_close(call: Call, count_id: int) -> Reply:
    """The differences are shown once closed."""
    return Reply(count_json(counts.close_count(call.app, int(count_id), actor=call.actor)))


@route("POST", "/counts/{count_id}/resolutions", summary="Resolve one difference of a count",
       tag="counts", params=COUNT_PARAMS, body=RESOLVE_BODY, errors=(404, 409),
       responses=json_ok(COUNT), permission="override",
       description="`accept-found` takes the count as right (a missing item leaves the bin, "
       "an extra one is put in it); `keep-record` changes nothing. Both are events.")  # fmt: skip
def counts_resolve(call: Call, count_id: int) -> Reply:
    """A supervisor's decision, one serial at a time."""
    b = call.body
    view = counts.resolve_difference(call.app, int(count_id), b["code"], b["resolution"],
                                     actor=call.actor, reason=b.get("reason"))  # fmt: skip
    return Reply(count_json(view))


@route("GET", "/metrics/scan-compliance", summary="Scanned / required touchpoints per unit",
       tag="metrics", query={"gtin": {"type": "string", "pattern": "^[0-9]{14}$"},
                             "site": {"type": "string", "maxLength": 40}, **PERIOD},
       responses=json_ok(COMPLIANCE), permission="read",
       description="Over the units with activity in `[since, until)`, by product and by "
       "the site they are in; `gaps` lists units that missed required touchpoints.")  # fmt: skip
def metrics_scan_compliance(call: Call) -> Reply:
    """The rate, its groups and the units with gaps."""
    q = call.query
    c = metrics_touchpoints.scan_compliance(call.app, actor=call.actor, gtin=q.get("gtin"),
                                            site=q.get("site"), since=q.get("since"),
                                            until=q.get("until"))  # fmt: skip
    return Reply({
        "total": _group(c.total), "by_product": [_group(g) for g in c.by_product],
        "by_site": [_group(g) for g in c.by_site], "gap_count": c.gap_count,
        "gaps": [{"item": g.item, "gtin": g.gtin, "site": g.site, "missing": list(g.missing)}
                 for g in c.gaps],
    })  # fmt: skip


@route("GET", "/metrics/inventory-accuracy", summary="Inventory accuracy from cycle counts",
       tag="metrics", query=PERIOD, responses=json_ok(ACCURACY), permission="read",
       description="Count lines where record and shelf agree / all lines, over the counts "
       "closed in `[since, until)`.")  # fmt: skip
def metrics_inventory_accuracy(call: Call) -> Reply:
    """Matched lines over all lines."""
    a = metrics_touchpoints.inventory_accuracy(call.app, actor=call.actor,
                                               since=call.query.get("since"),
                                               until=call.query.get("until"))  # fmt: skip
    return Reply({"counts": a.counts, "lines": a.lines, "matched": a.matched, "rate": a.rate})

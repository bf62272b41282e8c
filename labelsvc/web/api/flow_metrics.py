"""``/metrics/*``: the flow metrics as defined: time to trace (p50/p95 of every trace),
recall scope (units held against the units of the same lots) and returns resolution time."""

from __future__ import annotations

from labelsvc.services.metrics_flows import recall_scope, returns_resolution, trace_times
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import INTEGER, STRING, TIME, obj

NUMBER = {"type": ["number", "null"]}
HOURS = {"hours": {"type": "integer", "minimum": 1, "maximum": 24 * 366,
                   "description": "The period, in hours back from now"}}  # fmt: skip
TRACE_TIMES = obj({
    "count": INTEGER, "mean_ms": NUMBER, "p50_ms": NUMBER, "p95_ms": NUMBER,
    "by_surface": {"type": "object", "additionalProperties": INTEGER,
                   "description": "Look-ups per surface: page, api, cli"},
})  # fmt: skip
RECALL = obj({"at": TIME, "actor": STRING, "reason": STRING, "units": INTEGER,
              "lot_units": INTEGER, "lots": INTEGER, "share": NUMBER})  # fmt: skip
RECALLS = obj({"recalls": {"type": "array", "items": RECALL}})
RESOLUTION = obj({
    "count": INTEGER, "mean_hours": NUMBER, "p50_hours": NUMBER, "p95_hours": NUMBER,
    "returns": {"type": "array", "items": obj({"reference": STRING, "hours": {"type": "number"}})},
})  # fmt: skip


@route("GET", "/metrics/trace-time", summary="Time to trace: p50/p95 of every trace look-up",
       tag="metrics", query=HOURS, responses=json_ok(TRACE_TIMES), permission="read",
       description="From a trace query's start to its full answer, on the pages, the API and "
       "the CLI, found or not (default: the last 24 hours).")  # fmt: skip
def metrics_trace_time(call: Call) -> Reply:
    """Trace times of a period."""
    t = trace_times(call.app, call.actor, hours=call.query.get("hours", 24))
    return Reply({"count": t.count, "mean_ms": t.mean_ms, "p50_ms": t.p50_ms,
                  "p95_ms": t.p95_ms, "by_surface": t.by_surface})  # fmt: skip


@route("GET", "/metrics/recall-scope", summary="Units held per recall against their lots",
       tag="metrics", responses=json_ok(RECALLS), permission="read",
       description="`lot_units`: what a lot-level recall would have pulled (the units of the "
       "recalled units' lots, plus recalled units without a lot); `share` in percent.")  # fmt: skip
def metrics_recall_scope(call: Call) -> Reply:
    """The latest recalls, newest first."""
    return Reply({"recalls": [
        {"at": s.at, "actor": s.actor, "reason": s.reason, "units": s.units,
         "lot_units": s.lot_units, "lots": s.lots, "share": s.share}
        for s in recall_scope(call.app, call.actor)
    ]})  # fmt: skip


@route("GET", "/metrics/returns-resolution", summary="How long returns took to resolve",
       tag="metrics", query=HOURS, responses=json_ok(RESOLUTION), permission="read",
       description="From a return's opening to its last unit's disposition, for returns "
       "resolved in the period (default: the last 30 days).")  # fmt: skip
def metrics_returns_resolution(call: Call) -> Reply:
    """Resolved returns of a period."""
    r = returns_resolution(call.app, call.actor, hours=call.query.get("hours", 24 * 30))
    return Reply({"count": r.count, "mean_hours": r.mean_hours, "p50_hours": r.p50_hours,
                  "p95_hours": r.p95_hours,
                  "returns": [{"reference": ref, "hours": h} for ref, h in r.returns]})  # fmt: skip

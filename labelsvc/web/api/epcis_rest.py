"""``/epcis``: the EPCIS 2.0 REST binding's capture and event query (the parts a site needs).

``POST /epcis/capture`` stores a document all or nothing and answers 202 with the capture
job (``Location``: ``/epcis/capture/{id}``); a document that breaks the rules is a 400
problem listing each fault. ``GET /epcis/events`` answers an EPCISQueryDocument page with
the standard parameters; the next page is in the ``Link`` header (``rel="next"``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from labelsvc.services.epcis import declare_error
from labelsvc.services.epcis_capture import capture, capture_job
from labelsvc.services.epcis_query import MAX_PER_PAGE, EventQuery, query_document, query_events
from labelsvc.web.api.registry import PREFIX, Call, Reply, json_ok, route
from labelsvc.web.api.schemas import INTEGER, STRING, body, obj
from labelsvc.web.api.serials import CODE

LIST = {"type": "string", "minLength": 1, "maxLength": 2000,
        "description": "One value or several separated by `|` (any matches)"}  # fmt: skip
INSTANT = {"type": "string", "maxLength": 40,
           "description": "ISO 8601 instant with offset: 2025-01-31T08:00:00+02:00"}  # fmt: skip
QUERY = {
    "EQ_bizStep": LIST, "EQ_disposition": LIST, "EQ_readPoint": LIST, "EQ_bizLocation": LIST,
    "GE_eventTime": {**INSTANT, "description": "eventTime at or after (ISO 8601 instant)"},
    "LT_eventTime": {**INSTANT, "description": "eventTime before (ISO 8601 instant)"},
    "MATCH_epc": {**LIST, "description": "EPC URIs or GS1 Digital Link URIs, `|`-separated"},
    "MATCH_anyEPC": {**LIST, "description": "As MATCH_epc, also as parent of an aggregation"},
    "perPage": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                "description": "Events per page (default 30)"},
    "nextPageToken": {"type": "string", "minLength": 2, "maxLength": 40},
}  # fmt: skip
DOCUMENT = {"type": "object", "required": ["@context", "type", "epcisBody"],
            "properties": {"type": {"const": "EPCISDocument"},
                           "epcisBody": {"type": "object"}}}  # fmt: skip
QUERY_DOCUMENT = {"type": "object", "required": ["@context", "type", "epcisBody"],
                  "properties": {"type": {"const": "EPCISQueryDocument"}}}  # fmt: skip
CAPTURE_JOB = obj({
    "captureID": INTEGER, "running": {"type": "boolean"}, "success": {"type": "boolean"},
    "state": {"enum": ["running", "succeeded", "failed"]}, "events": INTEGER,
    "stored": INTEGER, "errors": {"type": "array", "items": {"type": "object"}},
    "createdAt": STRING, "finishedAt": {"type": ["string", "null"]},
    "receipts": {"type": "array", "items": STRING},
})  # fmt: skip


def _job_json(job: Any, receipts: tuple[str, ...] = ()) -> dict[str, Any]:
    d = asdict(job)
    return {"captureID": d["id"], "running": d["state"] == "running",
            "success": d["state"] == "succeeded", "state": d["state"], "events": d["events"],
            "stored": d["stored"], "errors": d["errors"], "createdAt": d["created_at"],
            "finishedAt": d["finished_at"], "receipts": list(receipts)}  # fmt: skip


@route("POST", "/epcis/capture", summary="Capture EPCIS 2.0 events (all or nothing)",
       tag="epcis", body=DOCUMENT, responses=json_ok(CAPTURE_JOB, 202), permission="capture",
       description="Send an EPCISDocument (`application/json` or `application/ld+json`). A "
       "document that breaks the rules is refused with 400 `epcis-invalid` listing every "
       "fault (`faults`: JSON pointer and detail). Otherwise 202 with the capture job "
       "(`Location` names it): `succeeded` when every event was stored (events without an "
       "eventID get their CBV 2.0 Event Hash ID; an event stored before counts once), "
       "`failed` with the reason and nothing stored. A shipping event with a `desadv` "
       "business transaction becomes a receipt (ASN) of what its aggregation holds.")  # fmt: skip
def epcis_capture(call: Call) -> Reply:
    """Token scope `receive` (or `admin`)."""
    result = capture(call.app, call.actor, call.body)
    location = f"{PREFIX}/epcis/capture/{result.job.id}"
    return Reply(_job_json(result.job, result.receipts), 202, {"Location": location})


@route("GET", "/epcis/capture/{capture_id}", summary="A capture job", tag="epcis",
       params={"capture_id": {"type": "integer", "minimum": 1}},
       responses=json_ok(CAPTURE_JOB), permission="read")  # fmt: skip
def epcis_capture_job(call: Call, capture_id: int) -> Reply:
    """How a capture ended."""
    return Reply(_job_json(capture_job(call.app, call.actor, capture_id)))


def _values(q: dict[str, Any], name: str) -> tuple[str, ...]:
    return tuple(v for v in str(q.get(name) or "").split("|") if v)


@route("GET", "/epcis/events", summary="Query EPCIS events (ours and captured)", tag="epcis",
       query=QUERY, responses={200: {"application/ld+json": QUERY_DOCUMENT}},
       permission="read",
       description="Standard query parameters of the EPCIS 2.0 REST binding. Our events "
       "come first in the order they were written, then captured ones in arrival order. "
       "Times must be ISO 8601 instants with an offset (else 400 `time-invalid`). When more "
       "events match, the `Link` header names the next page (`nextPageToken`).")  # fmt: skip
def epcis_events(call: Call) -> Response:
    """One page of events."""
    q = call.query
    epcs = _values(q, "MATCH_epc") or _values(q, "MATCH_anyEPC")
    page = query_events(call.app, call.actor, EventQuery(
        biz_steps=_values(q, "EQ_bizStep"), dispositions=_values(q, "EQ_disposition"),
        ge_time=q.get("GE_eventTime"), lt_time=q.get("LT_eventTime"), epcs=epcs,
        any_epc=bool(_values(q, "MATCH_anyEPC")), read_points=_values(q, "EQ_readPoint"),
        biz_locations=_values(q, "EQ_bizLocation"), per_page=q.get("perPage", 30),
        token=q.get("nextPageToken"),
    ))  # fmt: skip
    response = Response(json.dumps(query_document(page), ensure_ascii=False),
                        mimetype="application/ld+json")  # fmt: skip
    if page.next_token:
        args = {**{k: v for k, v in request.args.items() if k != "nextPageToken"},
                "nextPageToken": page.next_token}  # fmt: skip
        response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    return response


ERROR_BODY = body({
    "code": {**CODE, "description": "The item (any scan) whose event is in error"},
    "eventID": {"type": "string", "minLength": 10, "maxLength": 200},
    "reason": {"enum": ["did_not_occur", "incorrect_data"]},
    "why": {"type": "string", "minLength": 1, "maxLength": 500},
}, required=("code", "eventID", "reason", "why"))  # fmt: skip


@route("POST", "/epcis/errors", summary="Declare one of our EPCIS events in error (admin fix)",
       tag="epcis", body=ERROR_BODY, errors=(404,), permission="manage",
       responses=json_ok(obj({"declared": STRING}), 201),
       description="The event stays; every export that holds it adds it again with an "
       "`errorDeclaration` (the CBV reason).")  # fmt: skip
def epcis_declare_error(call: Call) -> Reply:
    """Admins only."""
    b = call.body
    declare_error(call.app, call.actor, b["code"], b["eventID"], reason=b["reason"], why=b["why"])
    return Reply({"declared": b["eventID"]}, 201)

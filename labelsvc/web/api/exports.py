"""``/exports/epcis``: an EPCIS 2.0 JSON-LD document of a container, a receipt or a time range."""

from __future__ import annotations

import json

from flask import Response

from labelsvc.services.epcis import export_epcis
from labelsvc.web.api.registry import Call, route
from labelsvc.web.api.serials import CODE

TIMESTAMP = {"type": "string", "maxLength": 40,
             "description": "ISO 8601 UTC, e.g. 2025-01-31T00:00:00Z"}  # fmt: skip
QUERY = {
    "container": {**CODE, "description": "SSCC (or any scan) of a case or pallet"},
    "receipt": {"type": "string", "minLength": 1, "maxLength": 64},
    "since": {**TIMESTAMP, "description": "From this time (inclusive)"},
    "until": {**TIMESTAMP, "description": "Up to this time (exclusive)"},
}
DOCUMENT = {
    "type": "object",
    "required": ["@context", "type", "epcisBody"],
    "properties": {"type": {"const": "EPCISDocument"}, "epcisBody": {"type": "object"}},
}


@route("GET", "/exports/epcis", summary="EPCIS 2.0 events (JSON-LD)", tag="exports",
       query=QUERY, responses={200: {"application/ld+json": DOCUMENT}}, permission="read",
       description="Give one of `container` (with all it holds), `receipt`, or a time "
       "range `since`/`until`.")  # fmt: skip
def exports_epcis(call: Call) -> Response:
    """Commissioning, packing, receiving, shipping and holds as EPCIS events."""
    q = call.query
    document = export_epcis(
        call.app, actor=call.actor, container=q.get("container"), receipt=q.get("receipt"),
        since=q.get("since"), until=q.get("until"),
    )  # fmt: skip
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/ld+json")

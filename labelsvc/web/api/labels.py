"""``/labels``: request N labels (serials allocated and printed), or render one label only."""

from __future__ import annotations

from typing import Any

from flask import Response

from labelsvc.labels.data import KINDS, LabelData
from labelsvc.services.labeling import LabelRequest, request_labels
from labelsvc.store.items import Item
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    INTEGER,
    OPT_INTEGER,
    OPT_STRING,
    STATION,
    STRING,
    body,
    obj,
)
from labelsvc.web.previews import UNSUPPORTED_HEADER, preview_headers

MAX_LABELS = 10_000  # per request: a bigger run is several requests (and several batches)
NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64}
ITEM = obj({
    "kind": {"enum": ["unit", "sscc", "custom"]},
    "gtin": OPT_STRING,
    "serial": {"type": "string", "description": "The serial (AI 21), SSCC or custom value"},
    "lot": OPT_STRING,
    "expiry": OPT_STRING,
})  # fmt: skip
LABEL_RESULT = obj({
    "allocation": OPT_INTEGER,
    "batch": STRING,
    "printer": STRING,
    "template": STRING,
    "items": {"type": "array", "items": ITEM},
    "jobs": {"type": "array", "items": INTEGER},
    "replayed": {"type": "boolean"},
})  # fmt: skip
REQUEST_BODY = body(
    {
        "product": {**NAME, "description": "GTIN or SKU; its unit pool is used"},
        "pool": {**NAME, "description": "Pool to draw from (instead of, or with, a product)"},
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_LABELS},
        "template": NAME,
        "printer": NAME,
        "lot": {"type": "string", "minLength": 1, "maxLength": 20},
        "expiry": {"type": "string", "pattern": "^[0-9]{6}$", "description": "YYMMDD"},
        "station": STATION,
    },
    required=("count",),
)
_TEXT = {"type": "string", "maxLength": 500}
LABEL_DATA = body(
    {
        "kind": {"enum": list(KINDS)},
        **{name: {"type": "string", "maxLength": 100} for name in (
            "gtin", "serial", "sscc", "lot", "expiry", "best_before", "production_date",
            "content_gtin", "sku", "gln", "gln_extension", "location")},
        "description": _TEXT, "ship_from": _TEXT, "ship_to": _TEXT,
        "count": {"type": "integer", "minimum": 1, "maximum": 99_999_999},
        "reprint": {"type": "boolean"},
        "digital_link_base": {"type": "string", "maxLength": 200},
        "extra": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    required=("kind",),
)  # fmt: skip
RENDER_BODY = body(
    {
        "template": NAME,
        "data": LABEL_DATA,
        "dpi": {"enum": [203, 300]},
        "format": {"enum": ["zpl", "png"], "description": "Default zpl"},
    },
    required=("template", "data"),
)


def item_json(item: Item) -> dict[str, Any]:
    """One issued identifier."""
    return {"kind": item.kind, "gtin": item.gtin, "serial": item.value, "lot": item.lot,
            "expiry": item.expiry}  # fmt: skip


def label_result_json(result: LabelRequest) -> dict[str, Any]:
    """Serials and the jobs that print them."""
    allocation = result.allocation
    return {
        "allocation": allocation.id if allocation else None, "batch": result.batch,
        "printer": result.printer, "template": result.template,
        "items": [item_json(i) for i in result.items], "jobs": result.job_ids,
        "replayed": bool(allocation and allocation.replayed),
    }  # fmt: skip


@route("POST", "/labels", summary="Allocate serials and print their labels", tag="labels",
       body=REQUEST_BODY, errors=(409, 503), responses=json_ok(LABEL_RESULT, 201),
       permission="label",
       description="Name a product (its unit pool) or a pool. The labels are queued as print "
       "jobs; follow them at /jobs/{job_id}.")  # fmt: skip
def labels_request(call: Call) -> Reply:
    """Serials and print jobs in one commit; a retry with the same key prints nothing."""
    b = call.body
    result = request_labels(
        call.app, count=b["count"], actor=call.actor, product=b.get("product"),
        pool=b.get("pool"), template=b.get("template"), printer=b.get("printer"),
        lot=b.get("lot"), expiry=b.get("expiry"), station=b.get("station"),
        idempotency_key=call.service_key,
    )  # fmt: skip
    return Reply(label_result_json(result), status=201)


@route("POST", "/labels/render", summary="Render one label to ZPL or PNG (nothing printed)",
       tag="labels", body=RENDER_BODY,
       responses={200: {"text/plain": {"type": "string"},
                        "image/png": {"type": "string", "contentMediaType": "image/png"}}},
       description="Any valid token may render: nothing is allocated, stored or printed. "
       f"A PNG preview names in its `{UNSUPPORTED_HEADER}` header what it could not draw as "
       "the printer prints it (absent when it drew everything).",
       response_headers={UNSUPPORTED_HEADER: "PNG only: ZPL commands the preview did not draw "
                         "as printed, separated by `; ` (absent when there are none)"},
       )  # fmt: skip
def labels_render(call: Call) -> Response:
    """ZPL as text, or a PNG preview drawn from that ZPL (with what it could not draw)."""
    b = call.body
    data = LabelData.from_mapping(b["data"])
    dpi = b.get("dpi", 203)
    if b.get("format", "zpl") == "png":
        drawn = call.app.templates.preview(b["template"], data, dpi)
        return Response(drawn.png(), mimetype="image/png", headers=preview_headers(drawn))
    zpl = call.app.templates.render_zpl(b["template"], data, dpi)
    return Response(zpl, mimetype="text/plain", content_type="text/plain; charset=utf-8")

"""``/receipts``: create from an ASN or PO, read counts and discrepancies, receive, scan, close."""

from __future__ import annotations

from typing import Any

from labelsvc.domain.receipts import DiscrepancyReport
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import (
    LineStatus,
    ReceiptView,
    ScanResult,
    close_receipt,
    get_receipt,
    list_receipts,
    load_receipt,
    receipt_report,
    receive_scan,
    receive_untagged,
)
from labelsvc.web.api.labels import NAME
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
    INTEGER,
    LIST_QUERY,
    OPT_INTEGER,
    OPT_STRING,
    OPT_TIME,
    REASON,
    STATION,
    STRING,
    TIME,
    body,
    obj,
    page_in_memory,
    page_schema,
)
from labelsvc.web.api.serials import CODE
from labelsvc.web.api.views import ITEM_VIEW, item_view_json

REFERENCE = {"type": "string", "minLength": 1, "maxLength": 64}
CODES = {"type": "array", "maxItems": 100_000, "items": {"type": "string", "maxLength": 40}}
ASN_LINE = body(
    {
        "line": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "gtin": {"type": "string", "pattern": "^[0-9]{8,14}$"},
        "sku": {"type": "string", "minLength": 1, "maxLength": 64},
        "quantity": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
        "lot": {"type": "string", "minLength": 1, "maxLength": 20},
        "expiry": {"type": "string", "pattern": "^[0-9]{6}$", "description": "YYMMDD"},
        "serials": CODES,
        "ssccs": CODES,
    }
)
ASN_BODY = body(
    {
        "reference": REFERENCE,
        "kind": {"enum": ["asn", "po"]},
        "supplier": {"type": "string", "maxLength": 200},
        "ssccs": {**CODES, "description": "Expected SSCCs tied to no line (pallets)"},
        "lines": {"type": "array", "minItems": 1, "maxItems": 10_000, "items": ASN_LINE},
    },
    required=("reference", "lines"),
)
LINE = obj({
    "line": INTEGER, "gtin": OPT_STRING, "sku": OPT_STRING, "lot": OPT_STRING,
    "expiry": OPT_STRING, "quantity": INTEGER, "received": INTEGER,
    "listed": {"type": "integer", "description": "Serials the ASN names for this line"},
})  # fmt: skip
FINDING = obj({
    "kind": {"enum": ["over", "short", "unexpected", "duplicate", "rejected"]},
    "detail": STRING, "line": OPT_INTEGER, "quantity": INTEGER,
    "values": {"type": "array", "items": STRING},
})  # fmt: skip
RECEIPT = obj({
    "reference": STRING, "kind": {"enum": ["asn", "po"]}, "supplier": STRING,
    "state": {"enum": ["open", "closed"]}, "created_by": STRING, "created_at": TIME,
    "closed_by": OPT_STRING, "closed_at": OPT_TIME, "close_reason": OPT_STRING,
    "lines": {"type": "array", "items": LINE},
})  # fmt: skip
RECEIPT_DETAIL = obj({
    **RECEIPT["properties"],
    "clean": BOOLEAN,
    "discrepancies": {"type": "array", "items": FINDING},
})  # fmt: skip
RECEIVE_BODY = body(
    {"line": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
     "count": {"type": "integer", "minimum": 1, "maximum": 10_000},
     "printer": NAME, "template": NAME, "station": STATION},
    required=("line", "count"),
)  # fmt: skip
RECEIVED = obj({
    "reference": STRING, "line": INTEGER, "items": {"type": "array", "items": ITEM_VIEW},
    "jobs": {"type": "array", "items": INTEGER},
})  # fmt: skip
SCAN_BODY = body(
    {"code": CODE, "parent": {**CODE, "description": "The case or pallet it arrived in"},
     "level": {"enum": ["case", "pallet"]}, "station": STATION},
    required=("code",),
)  # fmt: skip
SCAN_RESULT = obj({
    "outcome": {"type": "string", "description": "expected, not-expected, over, duplicate, "
                "unknown, wrong-gtin, …"},
    "detail": STRING, "accepted": BOOLEAN,
    "item": {"oneOf": [ITEM_VIEW, {"type": "null"}]},
    "line": {"oneOf": [LINE, {"type": "null"}]},
})  # fmt: skip
CLOSE_BODY = body({"reason": REASON})
RECEIPT_QUERY = {**LIST_QUERY, "state": {"enum": ["open", "closed"]}}
PARAMS = {"reference": REFERENCE}


def line_json(ln: LineStatus) -> dict[str, Any]:
    """One expected line with what arrived."""
    return {
        "line": ln.line_no, "gtin": ln.gtin, "sku": ln.sku, "lot": ln.lot, "expiry": ln.expiry,
        "quantity": ln.quantity, "received": ln.received, "listed": ln.listed,
    }  # fmt: skip


def receipt_json(r: ReceiptView) -> dict[str, Any]:
    """A receipt with its lines and live counts."""
    return {
        "reference": r.reference, "kind": r.kind, "supplier": r.supplier, "state": r.state,
        "created_by": r.created_by, "created_at": r.created_at, "closed_by": r.closed_by,
        "closed_at": r.closed_at, "close_reason": r.close_reason,
        "lines": [line_json(ln) for ln in r.lines],
    }  # fmt: skip


def _report_json(report: DiscrepancyReport) -> dict[str, Any]:
    return {
        "clean": report.clean,
        "discrepancies": [
            {"kind": d.kind, "detail": d.detail, "line": d.line_no, "quantity": d.quantity,
             "values": list(d.values)}
            for d in report.findings
        ],
    }  # fmt: skip


def _scan_json(s: ScanResult) -> dict[str, Any]:
    return {
        "outcome": s.code, "detail": s.detail, "accepted": s.accepted,
        "item": item_view_json(s.item) if s.item else None,
        "line": line_json(s.line) if s.line else None,
    }  # fmt: skip


@route("GET", "/receipts", summary="Receipts (ASNs and POs)", tag="receipts",
       query=RECEIPT_QUERY, responses=json_ok(page_schema(RECEIPT)), permission="read")  # fmt: skip
def receipts_list(call: Call) -> Reply:
    """One page of receipts, by reference."""
    rows = list_receipts(call.app, actor=call.actor, state=call.query.get("state"))
    return Reply(page_in_memory(rows, call.query, lambda r: r.reference, receipt_json))


@route("POST", "/receipts", summary="Create a receipt from an ASN or PO", tag="receipts",
       body=ASN_BODY, errors=(409,), responses=json_ok(RECEIPT, 201),
       permission="receive")  # fmt: skip
def receipts_create(call: Call) -> Reply:
    """Lines name a GTIN or SKU, a quantity, lot and expiry, and optionally the serials."""
    spec = receipt_from_mapping(call.body, "request body")
    return Reply(receipt_json(load_receipt(call.app, spec, actor=call.actor)), status=201)


@route("GET", "/receipts/{reference}", summary="A receipt with counts and discrepancies",
       tag="receipts", params=PARAMS, responses=json_ok(RECEIPT_DETAIL),
       permission="read")  # fmt: skip
def receipts_get(call: Call, reference: str) -> Reply:
    """Counts per line and the over/short/unexpected/duplicate/refused findings so far."""
    view = get_receipt(call.app, reference, actor=call.actor)
    report = receipt_report(call.app, reference, actor=call.actor)
    return Reply({**receipt_json(view), **_report_json(report)})


@route("POST", "/receipts/{reference}/receive", summary="Serialize untagged goods of a line",
       tag="receipts", params=PARAMS, body=RECEIVE_BODY, errors=(409, 503),
       responses=json_ok(RECEIVED, 201), permission="receive",
       description="`count` new serials, commissioned with the line's lot and expiry; "
       "their labels are queued as `jobs`.")  # fmt: skip
def receipts_receive(call: Call, reference: str) -> Reply:
    """Serials and labels for goods that arrived without them."""
    b = call.body
    result = receive_untagged(
        call.app, reference, b["line"], b["count"], actor=call.actor, station=b.get("station"),
        printer=b.get("printer"), template=b.get("template"),
    )  # fmt: skip
    return Reply(
        {"reference": result.reference, "line": result.line_no,
         "items": [item_view_json(i) for i in result.items], "jobs": list(result.job_ids)},
        status=201,
    )  # fmt: skip


@route("POST", "/receipts/{reference}/scans", summary="Check one scanned unit, case or pallet",
       tag="receipts", params=PARAMS, body=SCAN_BODY, errors=(409,),
       responses=json_ok(SCAN_RESULT), permission="receive",
       description="A refused scan is an outcome (`accepted: false` with its reason), not "
       "an error.")  # fmt: skip
def receipts_scan(call: Call, reference: str) -> Reply:
    """Record a scan against the ASN; nesting comes from `parent`."""
    b = call.body
    result = receive_scan(
        call.app, reference, b["code"], actor=call.actor, parent=b.get("parent"),
        level=b.get("level"), station=b.get("station"),
    )  # fmt: skip
    return Reply(_scan_json(result))


@route("POST", "/receipts/{reference}/close", summary="Close a receipt", tag="receipts",
       params=PARAMS, body=CLOSE_BODY, errors=(409,), responses=json_ok(RECEIPT),
       permission="receive",
       description="With discrepancies this needs a token that may override and a "
       "`reason`.")  # fmt: skip
def receipts_close(call: Call, reference: str) -> Reply:
    """Close; findings are recorded in the closing event."""
    view = close_receipt(call.app, reference, actor=call.actor, reason=call.body.get("reason"))
    return Reply(receipt_json(view))

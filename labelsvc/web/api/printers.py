"""``/printers``: every printer with its last known status, or one asked right now."""

from __future__ import annotations

from typing import Any

from labelsvc.printing import PrinterStatus
from labelsvc.services.printers import list_printers, printer_status
from labelsvc.store.printers import PrinterRow
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
    INTEGER,
    LIST_QUERY,
    OPT_TIME,
    STRING,
    obj,
    page_in_memory,
    page_schema,
)

PRINTER = obj({
    "name": STRING, "driver": STRING, "language": {"enum": ["zpl", "escpos"]}, "dpi": INTEGER,
    "description": STRING, "status": STRING, "status_detail": STRING, "status_at": OPT_TIME,
})  # fmt: skip
LIVE = obj({
    "printer": PRINTER,
    "live": obj({"ok": BOOLEAN, "reported": BOOLEAN,
                 "problems": {"type": "array", "items": STRING}}),
})  # fmt: skip


def printer_json(p: PrinterRow) -> dict[str, Any]:
    """A printer and its last known status (the address stays private)."""
    return {
        "name": p.name, "driver": p.driver, "language": p.language, "dpi": p.dpi,
        "description": str(p.options.get("description", "")), "status": p.status,
        "status_detail": p.status_detail, "status_at": p.status_at,
    }  # fmt: skip


def _live(s: PrinterStatus) -> dict[str, Any]:
    return {"ok": s.ok, "reported": s.reported, "problems": list(s.problems)}


@route("GET", "/printers", summary="Printers with their last known status", tag="printers",
       query=LIST_QUERY, responses=json_ok(page_schema(PRINTER)), permission="read")  # fmt: skip
def printers_list(call: Call) -> Reply:
    """One page of printers, by name."""
    rows = list_printers(call.app, call.actor)
    return Reply(page_in_memory(rows, call.query, lambda p: p.name, printer_json))


@route("GET", "/printers/{name}", summary="One printer, asked for its status now",
       tag="printers", responses=json_ok(LIVE), permission="read")  # fmt: skip
def printers_get(call: Call, name: str) -> Reply:
    """Ask the printer (``~HS`` on Zebra); unreachable is a status, not an error."""
    live = printer_status(call.app, call.actor, name)
    rows = [p for p in list_printers(call.app, call.actor) if p.name == name]
    return Reply({"printer": printer_json(rows[0]), "live": _live(live)})

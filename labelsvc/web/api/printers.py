"""``/printers``: every printer with its last known status, or one asked right now."""

from __future__ import annotations

from typing import Any

from labelsvc.printing import PrinterStatus
from labelsvc.services.printers import list_printers, printer_history, printer_status
from labelsvc.store.printers import PrinterRow, Reading
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
    INTEGER,
    LIST_QUERY,
    OPT_STRING,
    OPT_TIME,
    STRING,
    TIME,
    obj,
    page_in_memory,
    page_schema,
)

PRINTER = obj({
    "name": STRING, "driver": STRING, "language": {"enum": ["zpl", "escpos"]}, "dpi": INTEGER,
    "description": STRING, "status": STRING, "status_detail": STRING, "status_at": OPT_TIME,
    "identity": {"type": ["object", "null"], "description": "What the printer says it is "
                 "(~HI): model, firmware, dpi, print_width (dots)"},
})  # fmt: skip
OPT_INT = {"type": ["integer", "null"]}
READING = obj({
    "status": STRING, "detail": STRING, "warnings": {"type": "array", "items": STRING},
    "model": OPT_STRING, "firmware": OPT_STRING, "dpi": OPT_INT, "label_counter": OPT_INT,
    "head_life": OPT_INT, "read_at": TIME,
})  # fmt: skip
HISTORY = obj({"printer": STRING, "readings": {"type": "array", "items": READING}})
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
        "status_detail": p.status_detail, "status_at": p.status_at, "identity": p.identity,
    }  # fmt: skip


def reading_json(r: Reading) -> dict[str, Any]:
    """One reading of a printer's history."""
    return {
        "status": r.status, "detail": r.detail, "warnings": r.warnings, "model": r.model,
        "firmware": r.firmware, "dpi": r.dpi, "label_counter": r.label_counter,
        "head_life": r.head_life, "read_at": r.read_at,
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
       tag="printers", responses=json_ok(LIVE), permission="read", errors=(503,),
       description="Unreachable is a status (200); a printer answering garbage is a "
       "printer fault: 503 `printer-garbage`.")  # fmt: skip
def printers_get(call: Call, name: str) -> Reply:
    """Ask the printer (``~HS`` on Zebra); unreachable is a status, garbage a fault (503)."""
    live = printer_status(call.app, call.actor, name)
    rows = [p for p in list_printers(call.app, call.actor) if p.name == name]
    return Reply({"printer": printer_json(rows[0]), "live": _live(live)})


@route("GET", "/printers/{name}/history", summary="What a printer said about itself, by change",
       tag="printers", responses=json_ok(HISTORY), permission="read",
       description="Status, warnings (ribbon low, paper near end...), identity and counters "
       "as polled on a schedule (printing.status_poll_seconds); one reading per change, "
       "newest first.")  # fmt: skip
def printers_history(call: Call, name: str) -> Reply:
    """The printer's readings, newest first."""
    readings = printer_history(call.app, call.actor, name)
    return Reply({"printer": name, "readings": [reading_json(r) for r in readings]})

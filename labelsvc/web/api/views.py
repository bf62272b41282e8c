"""JSON of the item and container views that receiving, packing and trace return."""

from __future__ import annotations

from typing import Any

from labelsvc.services.flow_views import ContainerView, ItemView
from labelsvc.web.api.schemas import INTEGER, OPT_INTEGER, OPT_STRING, OPT_TIME, STRING, TIME, obj

ITEM_VIEW = obj({
    "name": {"type": "string", "description": "As a person reads it: (01)…(21)… or SSCC …"},
    "kind": {"enum": ["unit", "sscc", "custom"]},
    "level": OPT_STRING,
    "gtin": OPT_STRING,
    "serial": {"type": "string", "description": "The serial, SSCC or custom value"},
    "lot": OPT_STRING,
    "expiry": OPT_STRING,
    "state": STRING,
    "hold": OPT_STRING,
    "parent": {"type": ["string", "null"], "description": "Name of the container it is in"},
})  # fmt: skip
CONTAINER = obj({
    "sscc": STRING,
    "level": {"enum": ["case", "pallet"]},
    "state": {"enum": ["open", "closed"]},
    "capacity": OPT_INTEGER,
    "count": INTEGER,
    "gtin": OPT_STRING,
    "item": ITEM_VIEW,
    "opened_by": STRING,
    "opened_at": TIME,
    "closed_by": OPT_STRING,
    "closed_at": OPT_TIME,
    "close_reason": OPT_STRING,
    "jobs": {"type": "array", "items": INTEGER},
})  # fmt: skip


def item_view_json(v: ItemView) -> dict[str, Any]:
    """An item as receiving, packing and trace show it."""
    return {
        "name": v.name, "kind": v.kind, "level": v.level, "gtin": v.gtin, "serial": v.value,
        "lot": v.lot, "expiry": v.expiry, "state": v.state, "hold": v.hold, "parent": v.parent,
    }  # fmt: skip


def container_json(c: ContainerView) -> dict[str, Any]:
    """A case or pallet with its count and the label jobs the call queued."""
    return {
        "sscc": c.sscc, "level": c.level, "state": c.state, "capacity": c.capacity,
        "count": c.count, "gtin": c.gtin, "item": item_view_json(c.item),
        "opened_by": c.opened_by, "opened_at": c.opened_at, "closed_by": c.closed_by,
        "closed_at": c.closed_at, "close_reason": c.close_reason, "jobs": list(c.job_ids),
    }  # fmt: skip

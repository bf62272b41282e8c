"""``/pools``: list and get with capacity and usage; allocate serials."""

from __future__ import annotations

from typing import Any

from labelsvc.services.allocation import Allocation, allocate
from labelsvc.services.pools import PoolStatus, get_pool, list_pools
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
    INTEGER,
    LIST_QUERY,
    OPT_INTEGER,
    OPT_STRING,
    STATION,
    STRING,
    TIME,
    body,
    obj,
    page_in_memory,
    page_schema,
)

POOL = obj({
    "name": STRING,
    "kind": {"enum": ["unit", "sscc", "custom"]},
    "strategy": {"enum": ["sequential", "random"]},
    "state": {"enum": ["active", "suspended", "exhausted", "retired"]},
    "gtins": {"type": "array", "items": STRING},
    "company_prefix": OPT_STRING,
    "extension_digit": OPT_INTEGER,
    "pattern": OPT_STRING,
    "alphabet": OPT_STRING,
    "length": OPT_INTEGER,
    "range_start": OPT_INTEGER,
    "range_end": OPT_INTEGER,
    "description": STRING,
    "capacity": INTEGER,
    "used": INTEGER,
    "remaining": INTEGER,
    "percent_used": {"type": "number"},
    "low_water": INTEGER,
    "low": BOOLEAN,
    "guessable": BOOLEAN,
})  # fmt: skip
ALLOCATION = obj({
    "id": INTEGER, "pool": STRING, "gtin": OPT_STRING, "count": INTEGER,
    "serials": {"type": "array", "items": STRING}, "created_at": TIME, "replayed": BOOLEAN,
})  # fmt: skip
ALLOCATE_BODY = body(
    {
        "count": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "gtin": {"type": "string", "pattern": "^[0-9]{14}$"},
        "station": STATION,
    },
    required=("count",),
)


def pool_json(p: PoolStatus) -> dict[str, Any]:
    """A pool with its counters."""
    s = p.spec
    return {
        "name": s.name, "kind": s.kind, "strategy": s.strategy, "state": s.state,
        "gtins": list(s.gtins), "company_prefix": s.company_prefix,
        "extension_digit": s.extension_digit, "pattern": s.pattern, "alphabet": s.alphabet,
        "length": s.length,
        "range_start": s.range_start, "range_end": s.range_end, "description": s.description,
        "capacity": p.capacity, "used": p.used, "remaining": p.remaining,
        "percent_used": round(p.percent_used, 4), "low_water": s.low_water, "low": p.low,
        "guessable": p.guessable,
    }  # fmt: skip


def allocation_json(a: Allocation) -> dict[str, Any]:
    """An allocation with its serials."""
    return {
        "id": a.id, "pool": a.pool, "gtin": a.gtin, "count": a.count, "serials": a.serials,
        "created_at": a.created_at, "replayed": a.replayed,
    }  # fmt: skip


@route("GET", "/pools", summary="Serial pools with capacity and usage", tag="pools",
       query=LIST_QUERY, responses=json_ok(page_schema(POOL)), permission="read")  # fmt: skip
def pools_list(call: Call) -> Reply:
    """One page of pools, by name."""
    rows = list_pools(call.app.store, call.actor)
    return Reply(page_in_memory(rows, call.query, lambda p: p.spec.name, pool_json))


@route("GET", "/pools/{name}", summary="One pool with capacity and usage", tag="pools",
       responses=json_ok(POOL), permission="read")  # fmt: skip
def pools_get(call: Call, name: str) -> Reply:
    """One pool."""
    return Reply(pool_json(get_pool(call.app.store, name, call.actor)))


@route("POST", "/pools/{name}/allocations", summary="Allocate serials (all or nothing)",
       tag="pools", body=ALLOCATE_BODY, errors=(409,), responses=json_ok(ALLOCATION, 201),
       permission="label",
       description="An exhausted or suspended pool answers 409 with `remaining`.")  # fmt: skip
def pools_allocate(call: Call, name: str) -> Reply:
    """Allocate ``count`` serials; with an Idempotency-Key a retry returns the same ones."""
    result = allocate(
        call.app.store, name, call.body["count"], actor=call.actor,
        idempotency_key=call.service_key, gtin=call.body.get("gtin"),
        station=call.body.get("station"), limit=call.app.settings.limits.max_allocation,
    )  # fmt: skip
    return Reply(allocation_json(result), status=201)

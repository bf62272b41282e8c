"""``/pools``: list and get with capacity and usage; allocate serials (by collection id,
in pages), page an allocation's serials and give back the ones never printed."""

from __future__ import annotations

from typing import Any

from labelsvc.domain.leases import COLLECTION_ID_MAX, SERIALS_PAGE
from labelsvc.services.allocation_returns import (
    SerialsPage,
    request_serials,
    return_serials,
    serials_page,
)
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
SERIALS = {"type": "array", "items": STRING}
ALLOCATION = obj({
    "id": INTEGER, "pool": STRING, "gtin": OPT_STRING, "count": INTEGER,
    "held": {"type": "integer", "description": "Serials it still holds (count less returned)"},
    "collection_id": OPT_STRING, "serials": SERIALS,
    "continuation": {"type": ["integer", "null"],
                     "description": f"More serials: GET /allocations/{{id}}/serials?continuation="
                                    f"<this>; null on the last page ({SERIALS_PAGE:,} a page)"},
    "created_at": TIME, "replayed": BOOLEAN,
})  # fmt: skip
ALLOCATION["examples"] = [{
    "id": 41, "pool": "demo-units", "gtin": "09506000134352", "count": 25000, "held": 25000,
    "collection_id": "line-2-0017", "serials": ["100001", "100002", "..."],
    "continuation": 90310, "created_at": "2026-12-02T04:00:00.000Z", "replayed": False,
}]  # fmt: skip
ALLOCATE_BODY = body(
    {
        "count": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "gtin": {"type": "string", "pattern": "^[0-9]{14}$"},
        "station": STATION,
        "collection_id": {
            "type": "string", "minLength": 1, "maxLength": COLLECTION_ID_MAX,
            "pattern": "^[ -~]+$",
            "description": "The request's id (OPEN-SCS SNCollectionID), per client: asking "
                           "again with it answers the same serials",
        },
    },
    required=("count",),
)  # fmt: skip
ALLOCATE_BODY["examples"] = [{"count": 25000, "collection_id": "line-2-0017"}]
RETURN_BODY = body(
    {"serials": {"type": "array", "minItems": 1, "maxItems": SERIALS_PAGE,
                 "items": {"type": "string", "minLength": 1, "maxLength": 40}}},
    required=("serials",),
)  # fmt: skip
RETURN_BODY["examples"] = [{"serials": ["100002", "100003"]}]
RETURNED = obj({
    "allocation": INTEGER, "pool": STRING, "serials": SERIALS,
    "block": {"type": "integer", "description": "The supply block they wait in"},
})  # fmt: skip
RETURNED["examples"] = [{"allocation": 41, "pool": "demo-units", "serials": ["100002"],
                         "block": 7}]  # fmt: skip
PAGE_QUERY = {
    "continuation": {"type": "integer", "minimum": 0, "maximum": 2**53,
                     "description": "The `continuation` of the previous page"},
}  # fmt: skip
ALLOCATION_ID = {"allocation_id": {"type": "integer", "minimum": 1, "maximum": 2**53}}


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


def allocation_json(a: SerialsPage) -> dict[str, Any]:
    """An allocation with one page of its serials."""
    return {
        "id": a.id, "pool": a.pool, "gtin": a.gtin, "count": a.count, "held": a.held,
        "collection_id": a.collection_id, "serials": a.serials,
        "continuation": a.continuation, "created_at": a.created_at, "replayed": a.replayed,
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
       tag="pools", body=ALLOCATE_BODY, errors=(409,),
       responses={**json_ok(ALLOCATION, 201), **json_ok(ALLOCATION)},
       permission="label",
       description="An exhausted or suspended pool answers 409 with `remaining`. The answer "
       f"holds the first {SERIALS_PAGE:,} serials; `continuation` pages the rest. The same "
       "`collection_id` (or Idempotency-Key) answers the same serials again; reused for "
       "another pool or count: 409 `collection-id-mismatch`.")  # fmt: skip
def pools_allocate(call: Call, name: str) -> Reply:
    """Allocate ``count`` serials; a retry with the same collection id returns the same ones."""
    result = request_serials(
        call.app.store, name, call.body["count"], actor=call.actor,
        collection_id=call.body.get("collection_id"), idempotency_key=call.service_key,
        gtin=call.body.get("gtin"), station=call.body.get("station"),
        limit=call.app.settings.limits.max_allocation,
    )  # fmt: skip
    return Reply(allocation_json(result), status=200 if result.replayed else 201)


@route("GET", "/allocations/{allocation_id}/serials", summary="A page of an allocation's serials",
       tag="pools", params=ALLOCATION_ID, query=PAGE_QUERY, errors=(409,),
       responses=json_ok(ALLOCATION), permission="read",
       description="Serials in the order they were issued, after `continuation`; returned "
       "serials are left out. Only the client that allocated (or an admin) may read "
       "them.")  # fmt: skip
def allocations_serials(call: Call, allocation_id: int) -> Reply:
    """The next page."""
    found = serials_page(call.app.store, allocation_id, actor=call.actor,
                         continuation=call.query.get("continuation"))  # fmt: skip
    return Reply(allocation_json(found))


@route("POST", "/allocations/{allocation_id}/returns", summary="Give back serials never printed",
       tag="pools", params=ALLOCATION_ID, body=RETURN_BODY, errors=(409,),
       responses=json_ok(RETURNED), permission="label",
       description="All or nothing: each serial must still be the allocation's, never printed, "
       "voided, packed or queued for printing, else 409 `serial-used` or "
       "`serial-not-in-allocation` naming it. Returned serials go back into the pool's supply "
       "and are issued again.")  # fmt: skip
def allocations_return(call: Call, allocation_id: int) -> Reply:
    """Return unused serials."""
    done = return_serials(call.app.store, allocation_id, call.body["serials"], actor=call.actor)
    return Reply({"allocation": done.allocation, "pool": done.pool, "serials": done.serials,
                  "block": done.block})  # fmt: skip

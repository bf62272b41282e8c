"""``/leases``: at a serial authority, a site asks for a block of a pool and reads it back.

A request names a ``collection_id``; the same id answers the same lease again (200), so a
site that lost an answer retries safely. Serials come in pages of at most 10,000: follow
``continuation`` until it is null.
"""

from __future__ import annotations

import re
from typing import Any

from labelsvc.domain.errors import Conflict, InvalidInput
from labelsvc.domain.leases import COLLECTION_ID_MAX, SERIALS_PAGE, LeaseOutcome, LeaseState
from labelsvc.services import lease_grant
from labelsvc.store.leases import LeaseRow
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    INTEGER,
    LIST_QUERY,
    OPT_INTEGER,
    OPT_STRING,
    OPT_TIME,
    STRING,
    TIME,
    body,
    obj,
    page,
    page_schema,
)

SERIALS: dict[str, Any] = {"type": "array", "items": STRING}
LEASE_FIELDS: dict[str, Any] = {
    "id": INTEGER, "site": STRING, "pool": STRING, "gtin": OPT_STRING,
    "collection_id": STRING, "requested": INTEGER, "granted": INTEGER,
    "outcome": {"enum": list(LeaseOutcome)}, "reason": OPT_STRING,
    "state": {"enum": list(LeaseState)}, "expires_at": OPT_TIME, "used": INTEGER,
    "returned": INTEGER, "voided": INTEGER, "outstanding": INTEGER, "created_at": TIME,
}  # fmt: skip
LEASE = obj(LEASE_FIELDS)
CONTINUATION = {**OPT_INTEGER, "description": "Offset of the next page of serials; null: done"}
GRANTED = obj({**LEASE_FIELDS, "serials": SERIALS, "continuation": CONTINUATION})
SERIALS_PAGE_SCHEMA = obj({"lease": INTEGER, "serials": SERIALS, "continuation": CONTINUATION})
REQUEST_BODY = body(
    {"pool": {"type": "string", "minLength": 1, "maxLength": 100},
     "count": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
     "collection_id": {"type": "string", "minLength": 1, "maxLength": COLLECTION_ID_MAX,
                       "description": "The request's id: the same id gets the same answer"},
     "gtin": {"type": "string", "pattern": "^[0-9]{14}$"}},
    required=("pool", "count", "collection_id"),
)  # fmt: skip
LEASE_ID = {"lease_id": {"type": "integer", "minimum": 1, "maximum": 2**53}}
LEASES_QUERY = {**LIST_QUERY, "site": {"type": "string", "maxLength": 64},
                "pool": {"type": "string", "maxLength": 100}}  # fmt: skip
SERIALS_QUERY = {
    "continuation": {"type": "integer", "minimum": 0, "maximum": 2**53,
                     "description": "The `continuation` of the previous page"},
}  # fmt: skip


def lease_json(lease: LeaseRow) -> dict[str, Any]:
    """A lease without its serials."""
    return {
        "id": lease.id, "site": lease.site, "pool": lease.pool, "gtin": lease.gtin,
        "collection_id": lease.collection_id, "requested": lease.requested,
        "granted": lease.granted, "outcome": lease.outcome, "reason": lease.reason,
        "state": lease.state, "expires_at": lease.expires_at, "used": lease.used,
        "returned": lease.returned, "voided": lease.voided, "outstanding": lease.outstanding,
        "created_at": lease.created_at,
    }  # fmt: skip


@route("POST", "/leases", summary="Lease a block of a pool's serials", tag="leases",
       body=REQUEST_BODY, errors=(409,), permission="lease",
       responses={**json_ok(GRANTED, 201), **json_ok(GRANTED)},
       description="A site's token only (403 `not-a-site` otherwise). Granted in full or in "
       "part (`outcome` partial with `reason`): 201 with the first page of `serials`; the same "
       "`collection_id` again: 200 and the same lease. Nothing granted: 409 `lease-refused` "
       "with `reason` and `lease` (its id).")  # fmt: skip
def leases_create(call: Call) -> Reply:
    """Grant a block to the calling site (or refuse it with the reason)."""
    b = call.body
    answer = lease_grant.request_lease(
        call.app.store, actor=call.actor, pool=b["pool"], count=b["count"],
        collection_id=b["collection_id"], gtin=b.get("gtin"), settings=call.app.settings.leases,
    )  # fmt: skip
    lease = answer.lease
    if lease.outcome == LeaseOutcome.REFUSED:
        raise Conflict("lease-refused", f"No serials of pool {lease.pool} were leased: "
                       f"{lease.reason}", reason=lease.reason, lease=lease.id)  # fmt: skip
    shown = {**lease_json(lease), "serials": answer.serials, "continuation": answer.continuation}
    return Reply(shown, status=200 if answer.replayed else 201)


@route("GET", "/leases", summary="Leases, newest first", tag="leases", query=LEASES_QUERY,
       responses=json_ok(page_schema(LEASE)), permission="lease",
       description="An admin sees every site's (`site` narrows them); a site its own.")  # fmt: skip
def leases_list(call: Call) -> Reply:
    """One page of leases."""
    after = call.query.get("after")
    if after is not None and not re.fullmatch(r"[0-9]{1,18}", str(after)):
        raise InvalidInput("cursor-invalid", "after must be a `next` value.", field="after")

    def rows(n: int) -> list[LeaseRow]:
        return lease_grant.list_leases(
            call.app.store, call.actor, site=call.query.get("site"),
            pool=call.query.get("pool"), before=int(after) if after else None, limit=n,
        )  # fmt: skip

    return Reply(page(rows, call.query.get("limit"), lambda r: str(r.id), lease_json))


@route("GET", "/leases/{lease_id}", summary="One lease", tag="leases", params=LEASE_ID,
       responses=json_ok(LEASE), permission="lease",
       description="Its holder or an admin; without serials (see `/serials`).")  # fmt: skip
def leases_get(call: Call, lease_id: int) -> Reply:
    """A lease's counters."""
    answer = lease_grant.page(call.app.store, lease_id, actor=call.actor, limit=0)
    return Reply(lease_json(answer.lease))


@route("GET", "/leases/{lease_id}/serials", summary="A page of a lease's serials",
       tag="leases", params=LEASE_ID, query=SERIALS_QUERY,
       responses=json_ok(SERIALS_PAGE_SCHEMA), permission="lease",
       description=f"At most {SERIALS_PAGE:,} serials in the order granted, from "
       "`continuation` (0 when absent); the answer's `continuation` is the next page's, null "
       "after the last.")  # fmt: skip
def leases_serials(call: Call, lease_id: int) -> Reply:
    """One page of serials."""
    offset = int(call.query.get("continuation") or 0)
    answer = lease_grant.page(call.app.store, lease_id, actor=call.actor, offset=offset)
    return Reply({"lease": lease_id, "serials": answer.serials,
                  "continuation": answer.continuation})  # fmt: skip

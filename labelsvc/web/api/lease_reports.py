"""``/leases/reports`` and friends, at an authority: a site's usage reports and returns, the
lease state per site and pool, and the discrepancies an admin resolves."""

from __future__ import annotations

import re
from typing import Any

from labelsvc.domain.errors import InvalidInput
from labelsvc.domain.leases import DiscrepancyKind
from labelsvc.domain.reconcile import DiscrepancyState
from labelsvc.domain.topics import Topic
from labelsvc.services import lease_state
from labelsvc.services.lease_reconcile import Applied, apply_report, return_serials
from labelsvc.store.lease_reports import Discrepancy, SummaryRow
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
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

APPLIED = obj({"applied": INTEGER, "refused": INTEGER, "duplicate": BOOLEAN})
REPORT_BODY = body(
    {"id": {"type": "string", "minLength": 1, "maxLength": 100,
            "description": "The outbox message id: a redelivery is applied once"},
     "topic": {"enum": [str(Topic.LEASE_USAGE), str(Topic.LEASE_RETURNED)]},
     "subject": OPT_STRING, "created_at": STRING,
     "data": {"type": "object", "description": "The message: see the README, 'Leases'"}},
    required=("id", "topic", "data"),
)  # fmt: skip
RETURN_BODY = body(
    {"serials": {"type": "array", "minItems": 1, "maxItems": 100_000,
                 "items": {"type": "string", "minLength": 1, "maxLength": 100}},
     "reason": {"enum": ["on-demand", "expired", "decommissioned"]}},
    required=("serials",),
)  # fmt: skip
SUMMARY = obj({
    "site": STRING, "pool": STRING, "leases": INTEGER, "granted": INTEGER, "used": INTEGER,
    "returned": INTEGER, "voided": INTEGER, "expired": INTEGER, "outstanding": INTEGER,
})  # fmt: skip
DISCREPANCY = obj({
    "id": INTEGER, "kind": {"enum": list(DiscrepancyKind)}, "site": STRING,
    "lease": OPT_INTEGER, "namespace": OPT_STRING, "value": STRING, "detail": STRING,
    "message_id": OPT_STRING, "state": {"enum": list(DiscrepancyState)}, "created_at": TIME,
    "resolved_by": OPT_STRING, "resolved_at": OPT_TIME, "note": OPT_STRING,
})  # fmt: skip
DISCREPANCY_QUERY = {**LIST_QUERY, "state": {"enum": [*DiscrepancyState, "all"],
                                            "description": "Default: open"}}  # fmt: skip
LEASE_ID = {"lease_id": {"type": "integer", "minimum": 1}}
DISCREPANCY_ID = {"discrepancy_id": {"type": "integer", "minimum": 1}}
RESOLVE_BODY = body({"note": {"type": "string", "maxLength": 500}})


def applied_json(a: Applied) -> dict[str, Any]:
    """What a report did."""
    return {"applied": a.applied, "refused": a.refused, "duplicate": a.duplicate}


def summary_json(r: SummaryRow) -> dict[str, Any]:
    """One site and pool."""
    return {"site": r.site, "pool": r.pool, "leases": r.leases, "granted": r.granted,
            "used": r.used, "returned": r.returned, "voided": r.voided, "expired": r.expired,
            "outstanding": r.outstanding}  # fmt: skip


def discrepancy_json(d: Discrepancy) -> dict[str, Any]:
    """One refused report of one serial."""
    return {"id": d.id, "kind": d.kind, "site": d.site, "lease": d.lease_id,
            "namespace": d.namespace, "value": d.value, "detail": d.detail,
            "message_id": d.message_id, "state": d.state, "created_at": d.created_at,
            "resolved_by": d.resolved_by, "resolved_at": d.resolved_at,
            "note": d.note}  # fmt: skip


@route("POST", "/leases/reports", summary="Apply a site's usage report or return",
       tag="leases", body=REPORT_BODY, responses=json_ok(APPLIED), permission="lease",
       description="The body is the outbox envelope a site's dispatcher sends (topic "
       "`lease.usage` or `lease.returned`), authenticated with the site's token. Applied "
       "once per `id` (a redelivery answers `duplicate: true`). Serials that cannot be right "
       "(leased to another site, never leased, a return of a used one) are `refused` as "
       "discrepancies; a refusal never fails the request.")  # fmt: skip
def leases_report(call: Call) -> Reply:
    """Apply one report."""
    return Reply(applied_json(apply_report(call.app.store, call.body, actor=call.actor)))


@route("POST", "/leases/{lease_id}/returns", summary="Return unused serials of a lease",
       tag="leases", params=LEASE_ID, body=RETURN_BODY, responses=json_ok(APPLIED),
       permission="lease",
       description="The synchronous form of a `lease.returned` report: serials never reported "
       "used are taken back and may be leased again; the others are refused "
       "(`return-of-used`).")  # fmt: skip
def leases_return(call: Call, lease_id: int) -> Reply:
    """Take back unused serials now."""
    done = return_serials(call.app.store, lease_id, call.body["serials"], actor=call.actor,
                          reason=call.body.get("reason", "on-demand"))  # fmt: skip
    return Reply(applied_json(done))


@route("GET", "/leases/summary", summary="Lease state per site and pool", tag="leases",
       responses=json_ok(obj({"items": {"type": "array", "items": SUMMARY}})),
       permission="lease",
       description="Serials granted, reported used (of them voided), returned, and unused: "
       "`expired` in leases past their expiry, `outstanding` in leases still in force. A "
       "site's token sees its own rows.")  # fmt: skip
def leases_summary(call: Call) -> Reply:
    """Every site and pool."""
    rows = lease_state.lease_summary(call.app.store, actor=call.actor)
    return Reply({"items": [summary_json(r) for r in rows]})


@route("GET", "/leases/discrepancies", summary="Refused reports", tag="leases",
       query=DISCREPANCY_QUERY, responses=json_ok(page_schema(DISCREPANCY)),
       permission="lease",
       description="Newest first; `state=all` lists resolved ones too.")  # fmt: skip
def leases_discrepancies(call: Call) -> Reply:
    """One page of discrepancies."""
    after = call.query.get("after")
    if after is not None and not re.fullmatch(r"[0-9]{1,18}", str(after)):
        raise InvalidInput("cursor-invalid", "after must be a `next` value.", field="after")
    state = call.query.get("state", DiscrepancyState.OPEN)

    def rows(n: int) -> list[Discrepancy]:
        return lease_state.list_discrepancies(
            call.app.store, actor=call.actor, state=None if state == "all" else state,
            after=int(after or 0), limit=n,
        )  # fmt: skip

    return Reply(page(rows, call.query.get("limit"), lambda d: str(d.id), discrepancy_json))


@route("POST", "/leases/discrepancies/{discrepancy_id}/resolve",
       summary="Resolve a discrepancy", tag="leases", params=DISCREPANCY_ID, body=RESOLVE_BODY,
       errors=(409,), responses=json_ok(DISCREPANCY), permission="manage",
       description="An admin looked into it; `note` says what was found. 409 "
       "`discrepancy-resolved` when it was resolved before.")  # fmt: skip
def leases_resolve(call: Call, discrepancy_id: int) -> Reply:
    """Mark it resolved."""
    done = lease_state.resolve_discrepancy(call.app.store, discrepancy_id, actor=call.actor,
                                           note=call.body.get("note", ""))  # fmt: skip
    return Reply(discrepancy_json(done))

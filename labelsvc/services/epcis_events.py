"""EPCIS 2.0 events built from our event rows: what, when, where, why, and their hash id.

Sources and destinations come from what was written with the events: the site's SGLN on
the row, a shipment's partner in its details, a receipt's supplier in its ``receipt-loaded``
event, so master data edited later never changes an event.

One EPCIS event is one row, or the whole ``batch`` of rows one write recorded together, so
the same event is the same in every export that holds it. Where (read point, business
location, UTC offset) comes from the row as it was written, or from its ``details`` when a
writer named them (see :data:`labelsvc.domain.epcis.OVERRIDES`). The ``eventID`` is the CBV
2.0 Event Hash ID of the event itself, so it survives exports, copies and moves.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from labelsvc.domain.epcis import (
    CORRECTION_REASON_KEY,
    CORRECTIONS,
    CORRECTS_KEY,
    BizTransactionType,
    ErrorReason,
    SourceDestType,
)
from labelsvc.gs1.dates import calendar_date
from labelsvc.gs1.event_hash import event_hash_id
from labelsvc.gs1.locations import SGLN
from labelsvc.store import Tx
from labelsvc.store.events import EventRow
from labelsvc.store.items import Item

EXTRA_CONTEXT = {"cbvmda": "urn:epcglobal:cbv:mda:"}  # said out loud so every reader expands it


@dataclass(frozen=True)
class Mapping:
    """How one of our event types appears in EPCIS."""

    isa: str
    action: str
    biz_step: str
    disposition: str | None


MAPPINGS: dict[str, Mapping] = {
    "commissioned": Mapping("ObjectEvent", "ADD", "commissioning", "active"),
    "container-opened": Mapping("ObjectEvent", "ADD", "commissioning", "active"),
    "packed": Mapping("AggregationEvent", "ADD", "packing", "in_progress"),
    "unpacked": Mapping("AggregationEvent", "DELETE", "unpacking", "in_progress"),
    "container-closed": Mapping("ObjectEvent", "OBSERVE", "packing", "container_closed"),
    "container-reopened": Mapping("ObjectEvent", "OBSERVE", "packing", "container_open"),
    "received": Mapping("ObjectEvent", "OBSERVE", "receiving", "in_progress"),
    "shipped": Mapping("ObjectEvent", "OBSERVE", "shipping", "in_transit"),
    "unshipped": Mapping("ObjectEvent", "OBSERVE", "receiving", "returned"),
    "quarantined": Mapping("ObjectEvent", "OBSERVE", "holding", "non_sellable_other"),
    "recalled": Mapping("ObjectEvent", "OBSERVE", "holding", "recalled"),
    "released": Mapping("ObjectEvent", "OBSERVE", "inspecting", "conformant"),
    "voided": Mapping("ObjectEvent", "DELETE", "decommissioning", "inactive"),
    "putaway": Mapping("ObjectEvent", "OBSERVE", "storing", "in_progress"),
    "moved": Mapping("ObjectEvent", "OBSERVE", "storing", "in_progress"),
    "touchpoint-scanned": Mapping("ObjectEvent", "OBSERVE", "other", None),
    "counted": Mapping("ObjectEvent", "OBSERVE", "cycle_counting", None),
    "count-resolved": Mapping("ObjectEvent", "OBSERVE", "cycle_counting", None),
    "picked": Mapping("ObjectEvent", "OBSERVE", "picking", "in_progress"),
    "return-received": Mapping("ObjectEvent", "OBSERVE", "receiving", "returned"),
    "return-disposed": Mapping("ObjectEvent", "OBSERVE", "inspecting", None),  # CBV in details
}


def mapping_of(row: EventRow) -> Mapping | None:
    """How a row appears in EPCIS: its type's mapping, or, for a type this module does not
    know (a putaway, a touchpoint) whose writer named a CBV ``biz_step`` in its details, an
    ObjectEvent OBSERVE of its item. None: not an EPCIS event."""
    found = MAPPINGS.get(row.type)
    if found is None and row.item_id and row.details.get("biz_step"):
        return Mapping("ObjectEvent", "OBSERVE", str(row.details["biz_step"]), None)
    return found


RECEIVED_NESTING = Mapping("AggregationEvent", "OBSERVE", "receiving", "in_progress")


def group_key(row: EventRow) -> str:
    """Rows with the same key are one EPCIS event."""
    return f"b:{row.batch}" if row.batch else f"r:{row.id}"


def _iso_date(yymmdd: str) -> str:
    return calendar_date(yymmdd).isoformat()  # day 00 is the month's last day


def _measure(value: str, decimals: int) -> dict[str, Any]:
    return {"value": int(value) / 10**decimals, "unitCode": "KGM"}


#: AIs with a CBV 2.0 instance/lot master data attribute, and how the value is written.
_CBV_ATTRIBUTES: dict[str, tuple[str, Any]] = {
    "15": ("cbvmda:bestBeforeDate", _iso_date),
    "16": ("cbvmda:sellByDate", _iso_date),
    "7006": ("cbvmda:firstFreezeDate", _iso_date),
    **{f"310{d}": ("cbvmda:netWeight", lambda v, d=d: _measure(v, d)) for d in range(6)},
    **{f"330{d}": ("cbvmda:grossWeight", lambda v, d=d: _measure(v, d)) for d in range(6)},
}


def _one(values: Iterable[Any]) -> Any:
    found = set(values)
    return next(iter(found)) if len(found) == 1 and None not in found else None


def ilmd(rows: list[EventRow], items: dict[int, Item]) -> dict[str, Any]:
    """Lot master data the rows share: lot, expiry and the AIs with a CBV attribute. Values
    written into the event's details win over the item's (they cannot change later)."""
    known = [r for r in rows if r.item_id in items]
    out: dict[str, Any] = {}
    lot = _one(r.details.get("lot", items[r.item_id or 0].lot) for r in known)
    expiry = _one(r.details.get("expiry", items[r.item_id or 0].expiry) for r in known)
    if lot:
        out["cbvmda:lotNumber"] = str(lot)
    if expiry:
        out["cbvmda:itemExpirationDate"] = _iso_date(str(expiry))
    extras = [dict(r.details.get("ais") or {}) for r in known]
    for ai, (name, convert) in _CBV_ATTRIBUTES.items():
        value = _one(extra.get(ai) for extra in extras)
        if value is not None and extras:
            out[name] = convert(str(value))
    return out


def _gln_of(sgln: str | None) -> str | None:
    """The GLN (with check digit) an SGLN URN names, or None."""
    m = SGLN.fullmatch(sgln or "")
    if not m:
        return None
    from labelsvc.gs1.check import check_digit

    body = m.group(1) + m.group(2)
    return body + check_digit(body)


def _party(sgln: str) -> str:
    """The PGLN (owning party) of the company an SGLN belongs to."""
    m = SGLN.fullmatch(sgln)
    assert m
    return f"urn:epc:id:pgln:{m.group(1)}.{m.group(2)}"


@dataclass
class Context:
    """What building events needs beside the rows, read once per export."""

    tx: Tx
    uri: Any  # item id -> EPC URI or None
    items: dict[int, Item]
    # receipt reference -> (kind, the supplier's SGLN as recorded when it was loaded)
    receipts: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def _bt(issuer_sgln: str | None, kind: BizTransactionType, ref: str, what: str) -> dict[str, str]:
    gln = _gln_of(issuer_sgln)
    uri = (f"urn:epcglobal:cbv:bt:{gln}:{quote(ref, safe='')}" if gln
           else f"urn:labelsvc:{what}:{quote(ref, safe='')}")  # fmt: skip
    return {"type": str(kind), "bizTransaction": uri}


def _flows(ctx: Context, row: EventRow, site: str | None) -> dict[str, Any]:
    """Business transactions, sources and destinations of a receipt or shipment."""
    d = row.details
    out: dict[str, Any] = {}
    if "receipt" in d:
        ref = str(d["receipt"])
        kind, theirs = ctx.receipts.get(ref, ("asn", None))
        if kind == "po":
            out["bizTransactionList"] = [_bt(site, BizTransactionType.PO, ref, "receipt")]
        else:
            out["bizTransactionList"] = [_bt(theirs, BizTransactionType.DESADV, ref, "receipt")]
        if theirs:
            out["sourceList"] = _places("source", theirs)
        if site:
            out["destinationList"] = _places("destination", site)
    elif "reference" in d:
        ref = str(d["reference"])
        out["bizTransactionList"] = [_bt(site, BizTransactionType.DESADV, ref, "shipment")]
        if site:
            out["sourceList"] = _places("source", site)
        if d.get("destination_sgln"):
            out["destinationList"] = _places("destination", str(d["destination_sgln"]))
    return out


def _places(key: str, sgln: str) -> list[dict[str, str]]:
    return [{"type": str(SourceDestType.OWNING_PARTY), key: _party(sgln)},
            {"type": str(SourceDestType.LOCATION), key: sgln}]  # fmt: skip


def build(ctx: Context, rows: list[EventRow], m: Mapping) -> dict[str, Any] | None:
    """The EPCIS event of one group of rows (None when none of its items has an EPC)."""
    first, d = rows[0], rows[0].details
    children = [u for u in (ctx.uri(r.item_id) for r in rows) if u]
    if not children:
        return None
    action = m.action
    if first.type == "received" and d.get("ais") and m.isa == "ObjectEvent":
        # Supplier data (weights, dates...) enters our records here; EPCIS carries lot-level
        # master data (ILMD) only on ADD, so such a receipt adds the items to our scope.
        action = "ADD"
    event: dict[str, Any] = {"type": m.isa, "eventTime": first.at,
                             "eventTimeZoneOffset": first.tz_offset or "+00:00"}  # fmt: skip
    if m.isa == "AggregationEvent":
        parent = ctx.uri(first.parent_id)
        if parent:
            event["parentID"] = parent
        event["childEPCs"] = children
    else:
        event["epcList"] = children
    event["action"] = action
    event["bizStep"] = str(d.get("biz_step") or m.biz_step)
    disposition = d.get("disposition") or m.disposition
    if disposition:
        event["disposition"] = str(disposition)
    site = str(d.get("biz_location") or first.biz_location or "") or None
    point = d.get("read_point") or first.read_point
    if point:
        event["readPoint"] = {"id": str(point)}
    if site:
        event["bizLocation"] = {"id": site}
    event.update(_flows(ctx, first, first.biz_location))
    if action == "ADD" and m.isa == "ObjectEvent":
        found = ilmd(rows, ctx.items)
        if found:
            event["ilmd"] = found
    event["eventID"] = event_hash_id(event, EXTRA_CONTEXT)
    return event


def corrected_rows(tx: Tx, row: EventRow) -> tuple[list[int], ErrorReason] | None:
    """Ids of the rows one corrective row declares in error, and why (None: corrects none)."""
    if CORRECTS_KEY in row.details:
        reason = ErrorReason(row.details.get(CORRECTION_REASON_KEY, ErrorReason.INCORRECT_DATA))
        return [int(i) for i in row.details[CORRECTS_KEY]], reason
    rule = CORRECTIONS.get(row.type)
    subject = row.parent_id if rule and rule.via_parent else row.item_id
    if rule is None or subject is None:
        return None
    earlier = [r for r in tx.events.for_item(subject)
               if r.type == rule.corrects and r.id < row.id and r.item_id == subject]  # fmt: skip
    return ([earlier[-1].id], rule.reason) if earlier else None


def declaration(original: dict[str, Any], at: str, reason: ErrorReason,
                corrective: list[str]) -> dict[str, Any]:  # fmt: skip
    """The original event again, declared in error (its eventID stays: the hash leaves the
    declaration out), pointing at the events that correct it."""
    event = copy.deepcopy(original)
    declared: dict[str, Any] = {"declarationTime": at, "reason": str(reason)}
    if corrective:
        declared["correctiveEventIDs"] = corrective
    event["errorDeclaration"] = declared
    return event

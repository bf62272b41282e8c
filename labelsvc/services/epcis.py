"""EPCIS 2.0 export (JSON-LD) of what happened to a container, a receipt or a time range.

Our events map to EPCIS events with CBV 2.0 business steps and dispositions:
commissioning (ObjectEvent ADD), packing and unpacking (AggregationEvent ADD / DELETE),
closing a container, receiving (ObjectEvent OBSERVE, and AggregationEvent OBSERVE for
nesting as it arrived), shipping, holding (quarantine, recall), release and voiding.
Events that our log wrote for many items at once (same type, time and details) become one
EPCIS event with all their EPCs. Identifiers are EPC pure-identity URIs (TDS 2.x), built
with the product's GS1 company prefix length (for SSCCs the pool's company prefix).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any
from urllib.parse import quote

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.gs1.dates import calendar_date
from labelsvc.services.app import App
from labelsvc.services.flow_views import need_item
from labelsvc.store import Tx
from labelsvc.store.events import EventRow
from labelsvc.store.items import Item

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
DEFAULT_PREFIX_LENGTH = 7
PAGE = 5000
# Characters of GS1 character set 82 that an EPC URI must percent-encode (TDS, Table I.3.1-1).
_EPC_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


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
}
RECEIVED_NESTING = Mapping("AggregationEvent", "OBSERVE", "receiving", "in_progress")


def epc_escape(text: str) -> str:
    """Percent-encode the characters an EPC URI may not carry as they are."""
    return "".join(_EPC_ESCAPES.get(c, c) for c in text)


def sgtin_uri(gtin: str, serial: str, prefix_length: int) -> str:
    """``urn:epc:id:sgtin:CompanyPrefix.IndicatorItemReference.Serial`` for a GTIN-14."""
    if len(gtin) != 14 or not gtin.isdigit() or not 4 <= prefix_length <= 12:
        raise InvalidInput("epc-invalid", f"cannot build an SGTIN from {gtin}/{prefix_length}.")
    company, item_ref = gtin[1 : 1 + prefix_length], gtin[0] + gtin[1 + prefix_length : 13]
    return f"urn:epc:id:sgtin:{company}.{item_ref}.{epc_escape(serial)}"


def sscc_uri(sscc: str, prefix_length: int) -> str:
    """``urn:epc:id:sscc:CompanyPrefix.ExtensionSerialReference`` for an 18-digit SSCC."""
    if len(sscc) != 18 or not sscc.isdigit() or not 4 <= prefix_length <= 12:
        raise InvalidInput("epc-invalid", f"cannot build an SSCC EPC from {sscc}/{prefix_length}.")
    company, reference = sscc[1 : 1 + prefix_length], sscc[0] + sscc[1 + prefix_length : 17]
    return f"urn:epc:id:sscc:{company}.{reference}"


class _Epcs:
    """EPC URIs of items, with product and pool prefix lengths read once each."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.items: dict[int, Item] = {}
        self._lengths: dict[str, int] = {}

    def load(self, ids: Iterable[int]) -> None:
        missing = sorted({i for i in ids if i and i not in self.items})
        self.items.update({i.id: i for i in self.tx.items.by_ids(missing)})

    def _product_length(self, gtin: str | None) -> int | None:
        if not gtin:
            return None
        key = f"gtin:{gtin}"
        if key not in self._lengths:
            product = self.tx.products.get(gtin)
            self._lengths[key] = product.company_prefix_length if product else 0
        return self._lengths[key] or None

    def _pool_length(self, pool: str | None) -> int | None:
        if not pool:
            return None
        key = f"pool:{pool}"
        if key not in self._lengths:
            row = self.tx.pools.get(pool)
            self._lengths[key] = len(row.spec.company_prefix or "") if row else 0
        return self._lengths[key] or None

    def uri(self, item_id: int | None) -> str | None:
        item = self.items.get(item_id or 0)
        if item is None:
            return None
        if item.kind == "unit" and item.gtin:
            length = self._product_length(item.gtin) or DEFAULT_PREFIX_LENGTH
            return sgtin_uri(item.gtin, item.value, length)
        if item.kind == "sscc":
            row = self.tx.containers.get(item.id)
            gtin = row.gtin if row else None
            length = (
                self._pool_length(item.pool) or self._product_length(gtin) or DEFAULT_PREFIX_LENGTH
            )
            return sscc_uri(item.value, length)
        return None


def _event_id(app: App, rows: list[EventRow]) -> str:
    name = f"labelsvc:{app.store.describe()}:{rows[0].id}-{rows[-1].id}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _biz_transactions(rows: list[EventRow], kinds: dict[str, str]) -> list[dict[str, str]]:
    details = rows[0].details
    if "receipt" in details:
        ref = str(details["receipt"])
        return [{"type": "po" if kinds.get(ref) == "po" else "desadv",
                 "bizTransaction": f"urn:labelsvc:receipt:{quote(ref, safe='')}"}]  # fmt: skip
    if "reference" in details:
        ref = str(details["reference"])
        return [{"bizTransaction": f"urn:labelsvc:shipment:{quote(ref, safe='')}"}]
    return []


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


def _ilmd(items: list[Item], extras: list[dict[str, str]]) -> dict[str, Any]:
    lots = {i.lot for i in items}
    expiries = {i.expiry for i in items}
    ilmd: dict[str, Any] = {}
    if len(lots) == 1 and None not in lots:
        ilmd["cbvmda:lotNumber"] = str(next(iter(lots)))
    if len(expiries) == 1 and None not in expiries:
        ilmd["cbvmda:itemExpirationDate"] = _iso_date(str(next(iter(expiries))))
    for ai, (name, convert) in _CBV_ATTRIBUTES.items():
        values = {extra.get(ai) for extra in extras}
        if len(values) == 1 and None not in values and len(extras) == len(items):
            ilmd[name] = convert(str(next(iter(values))))
    return ilmd


def _epcis_event(
    app: App, epcs: _Epcs, rows: list[EventRow], m: Mapping, kinds: dict[str, str]
) -> dict[str, Any] | None:
    children = [u for u in (epcs.uri(r.item_id) for r in rows) if u]
    if not children:
        return None
    if rows[0].type == "received" and rows[0].details.get("ais"):
        # Supplier data (weights, dates...) enters our records here; EPCIS carries lot-level
        # master data (ILMD) only on ADD, so such a receipt adds the items to our scope.
        m = Mapping(m.isa, "ADD", m.biz_step, m.disposition)
    event: dict[str, Any] = {
        "type": m.isa, "eventTime": rows[0].at, "eventTimeZoneOffset": "+00:00",
        "eventID": _event_id(app, rows), "action": m.action,
    }  # fmt: skip
    if m.isa == "AggregationEvent":
        parent = epcs.uri(rows[0].parent_id)
        if parent:
            event["parentID"] = parent
        event["childEPCs"] = children
    else:
        event["epcList"] = children
    event["bizStep"] = m.biz_step
    if m.disposition:
        event["disposition"] = m.disposition
    bts = _biz_transactions(rows, kinds)
    if bts:
        event["bizTransactionList"] = bts
    if m.action == "ADD" and m.isa == "ObjectEvent":
        items = [epcs.items[r.item_id] for r in rows if r.item_id in epcs.items]
        ilmd = _ilmd(items, [dict(r.details.get("ais") or {}) for r in rows
                             if r.item_id in epcs.items])  # fmt: skip
        if ilmd:
            event["ilmd"] = ilmd
    return event


def _group_key(r: EventRow) -> tuple[Any, ...]:
    return (r.type, r.at, r.parent_id, r.actor, r.station, json.dumps(r.details, sort_keys=True))


def _events_of_items(tx: Tx, ids: Iterable[int]) -> list[EventRow]:
    """Every event of these items (as subject or as parent), oldest first."""
    seen: dict[int, EventRow] = {}
    for item_id in ids:
        for row in tx.events.for_item(item_id):
            seen[row.id] = row
    return [seen[k] for k in sorted(seen)]


def _events_between(tx: Tx, since: str | None, until: str | None) -> list[EventRow]:
    rows: list[EventRow] = []
    while True:
        page = tx.events.query(types=list(MAPPINGS), since=since, until=until,
                               after_id=rows[-1].id if rows else 0, limit=PAGE)  # fmt: skip
        rows.extend(page)
        if len(page) < PAGE:
            return rows


def _select(
    tx: Tx, app: App, container: str | None, receipt: str | None, since: str | None,
    until: str | None,
) -> list[EventRow]:  # fmt: skip
    if container:
        item = need_item(tx, app, container)
        tree = [item.id, *(i.id for i in tx.containers.descendants(item.id))]
        return _events_of_items(tx, tree)
    if receipt:
        row = tx.receipts.get(receipt)
        if row is None:
            raise NotFound("receipt-not-found", f"There is no receipt {receipt!r}.")
        return _events_of_items(tx, tx.receipts.item_ids(row.id))
    if since or until:
        return _events_between(tx, since, until)
    raise InvalidInput("export-scope", "Export a container, a receipt or a time range.")


def export_epcis(
    app: App, *, actor: Actor, container: str | None = None, receipt: str | None = None,
    since: str | None = None, until: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """An EPCIS 2.0 JSON-LD document for a container (with all it holds), a receipt's items
    or a time range (``since`` inclusive, ``until`` exclusive, ISO 8601 UTC)."""
    require(actor, "read")
    with app.store.read() as tx:
        rows = [r for r in _select(tx, app, container, receipt, since, until) if r.type in MAPPINGS]
        epcs = _Epcs(tx)
        epcs.load([r.item_id or 0 for r in rows] + [r.parent_id or 0 for r in rows])
        refs = {str(r.details["receipt"]) for r in rows if "receipt" in r.details}
        kinds = {ref: row.kind for ref in refs if (row := tx.receipts.get(ref))}
        events: list[dict[str, Any]] = []
        for _, group in groupby(rows, key=_group_key):
            batch = list(group)
            mapped = [MAPPINGS[batch[0].type]]
            if batch[0].type == "received" and batch[0].parent_id:
                mapped.append(RECEIVED_NESTING)
            for m in mapped:
                event = _epcis_event(app, epcs, batch, m, kinds)
                if event:
                    events.append(event)
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "epcisBody": {"eventList": events},
    }

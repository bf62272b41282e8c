"""EPCIS 2.0 export (JSON-LD) of what happened to a container, a receipt or a time range.

Our events map to EPCIS events with CBV 2.0 business steps and dispositions (see
:mod:`labelsvc.services.epcis_events`): commissioning (ObjectEvent ADD), packing and
unpacking (AggregationEvent ADD / DELETE), closing a container, receiving (ObjectEvent
OBSERVE, and AggregationEvent OBSERVE for nesting as it arrived), shipping, holding
(quarantine, recall), release and voiding. Corrections (unship, a void or an unpack after
shipping, admin fixes) also emit the events they correct again with an ``errorDeclaration``.
Identifiers are EPC pure-identity URIs (TDS 2.x), built with the product's GS1 company
prefix length (for SSCCs the pool's company prefix).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.epcis import CORRECTION_REASON_KEY, CORRECTS_KEY, ERROR_DECLARED, ErrorReason
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.instants import stored_instant
from labelsvc.services import epcis_events as ev
from labelsvc.services.app import App
from labelsvc.services.flow_views import need_item
from labelsvc.store import Tx
from labelsvc.store.events import EventRow
from labelsvc.store.items import Item

CONTEXT: list[Any] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                      ev.EXTRA_CONTEXT]  # fmt: skip
MAPPINGS = ev.MAPPINGS


def exported(row: EventRow) -> bool:
    """Whether an export shows this row (an EPCIS event, or an admin's error declaration)."""
    return row.type == ERROR_DECLARED or ev.mapping_of(row) is not None


DEFAULT_PREFIX_LENGTH = 7
PAGE = 5000
# Characters of GS1 character set 82 that an EPC URI must percent-encode (TDS, Table I.3.1-1).
_EPC_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


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


def _events_of_items(tx: Tx, ids: Iterable[int]) -> list[EventRow]:
    """Every event of these items (as subject or as parent), oldest first."""
    seen: dict[int, EventRow] = {}
    for item_id in ids:
        for row in tx.events.for_item(item_id):
            seen[row.id] = row
    return [seen[k] for k in sorted(seen)]


def _events_between(tx: Tx, since: str | None, until: str | None) -> list[EventRow]:
    since, until = stored_instant(since, "since"), stored_instant(until, "until")
    rows: list[EventRow] = []
    while True:
        page = tx.events.query(since=since, until=until,
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


def _whole_batches(tx: Tx, rows: list[EventRow]) -> list[EventRow]:
    """The selected rows plus the rest of every batch they belong to (one EPCIS event is
    its whole batch, whichever container or receipt was asked for)."""
    batches = {r.batch for r in rows if r.batch}
    by_id = {r.id: r for r in rows}
    by_id.update({r.id: r for r in tx.events.of_batches(b for b in batches if b)})
    return [by_id[k] for k in sorted(by_id)]


def epcis_events(tx: Tx, rows: list[EventRow]) -> list[dict[str, Any]]:
    """EPCIS events of our event rows (whole batches), with error declarations after the
    events that correct them, in the order the rows were written."""
    return [e for _, events in epcis_groups(tx, rows) for e in events]


def epcis_groups(tx: Tx, rows: list[EventRow]) -> list[tuple[int, list[dict[str, Any]]]]:
    """:func:`epcis_events` per group of rows: (the group's first row id, its events)."""
    rows = _whole_batches(tx, [r for r in rows if exported(r)])
    epcs, ctx, groups = _context(tx, rows)
    built: dict[str, list[dict[str, Any]]] = {}
    out: list[tuple[int, list[dict[str, Any]]]] = []
    for key, batch in groups.items():
        built[key] = [] if batch[0].type == ERROR_DECLARED else _build_group(ctx, epcs, batch)
        out.append((batch[0].id, [*built[key], *_declarations(tx, ctx, epcs, batch, built)]))
    return out


def _context(tx: Tx, rows: list[EventRow]) -> tuple[_Epcs, ev.Context, dict[str, list[EventRow]]]:
    """EPCs, receipts and the groups (one EPCIS event each) of whole-batch rows."""
    epcs = _Epcs(tx)
    epcs.load([r.item_id or 0 for r in rows] + [r.parent_id or 0 for r in rows])
    refs = {str(r.details["receipt"]) for r in rows if "receipt" in r.details}
    receipts = {ref: (r.kind, _supplier_place(tx, ref)) for ref in refs
                if (r := tx.receipts.get(ref))}  # fmt: skip
    groups: dict[str, list[EventRow]] = {}
    for row in rows:
        groups.setdefault(ev.group_key(row), []).append(row)
    return epcs, ev.Context(tx, epcs.uri, epcs.items, receipts), groups


def declare_error(
    app: App, actor: Actor, scan: str, event_id: str, *, reason: str, why: str
) -> int:
    """An admin fix: declare one of an item's exported events in error (``did_not_occur`` or
    ``incorrect_data``, and why). The event stays; exports add its error declaration."""
    require(actor, "manage")
    try:
        code = ErrorReason(reason)
    except ValueError as exc:
        known = ", ".join(ErrorReason)
        raise InvalidInput("reason-invalid", f"reason is one of {known}.", field="reason") from exc
    if not why.strip():
        raise InvalidInput("reason-required", "Say why the event is in error.", field="why")
    with app.store.write() as tx:
        item = need_item(tx, app, scan)
        mine = [r for r in tx.events.for_item(item.id) if ev.mapping_of(r)]
        rows = _whole_batches(tx, mine)
        epcs, ctx, groups = _context(tx, rows)
        ids = next((
            [r.id for r in batch] for batch in groups.values()
            if any(e["eventID"] == event_id for e in _build_group(ctx, epcs, batch))
        ), None)  # fmt: skip
        if ids is None:
            raise NotFound("event-not-found", f"{scan} has no EPCIS event {event_id}.")
        return tx.events.append(
            ERROR_DECLARED, actor=actor.label, station=actor.station, item_id=item.id,
            details={CORRECTS_KEY: ids[:1], CORRECTION_REASON_KEY: str(code), "why": why},
        )  # fmt: skip


def _supplier_place(tx: Tx, reference: str) -> str | None:
    """The supplier's SGLN as recorded when the receipt was loaded (None: not a partner)."""
    rows = tx.events.for_subject(f"receipt:{reference}")
    loaded = next((r for r in rows if r.type == "receipt-loaded"), None)
    place = loaded.details.get("source_sgln") if loaded else None
    return str(place) if place else None


def _build_group(ctx: ev.Context, epcs: _Epcs, batch: list[EventRow]) -> list[dict[str, Any]]:
    first = ev.mapping_of(batch[0])
    assert first is not None
    mapped = [first]
    if batch[0].type == "received" and batch[0].parent_id:
        mapped.append(ev.RECEIVED_NESTING)
    events = [ev.build(ctx, batch, m) for m in mapped]
    return [e for e in events if e]


def _declarations(
    tx: Tx, ctx: ev.Context, epcs: _Epcs, batch: list[EventRow],
    built: dict[str, list[dict[str, Any]]],
) -> list[dict[str, Any]]:  # fmt: skip
    """Error declarations on the events this group corrects (each original once)."""
    corrective = [e["eventID"] for e in built[ev.group_key(batch[0])]]
    if not corrective and batch[0].type != ERROR_DECLARED:
        return []
    targets: dict[int, ErrorReason] = {}
    for row in batch:
        found = ev.corrected_rows(tx, row)
        if found:
            targets.update(dict.fromkeys(found[0], found[1]))
    originals = {r.id: r for r in tx.events.by_ids(sorted(targets))}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row_id, reason in targets.items():
        orig = originals.get(row_id)
        if orig is None or not ev.mapping_of(orig) or ev.group_key(orig) in seen:
            continue
        seen.add(ev.group_key(orig))
        group = _whole_batches(tx, [orig])
        epcs.load([r.item_id or 0 for r in group] + [r.parent_id or 0 for r in group])
        for original in built.get(ev.group_key(orig)) or _build_group(ctx, epcs, group):
            out.append(ev.declaration(original, batch[0].at, reason, corrective))
    return out


def export_epcis(
    app: App, *, actor: Actor, container: str | None = None, receipt: str | None = None,
    since: str | None = None, until: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """An EPCIS 2.0 JSON-LD document for a container (with all it holds), a receipt's items
    or a time range (``since`` inclusive, ``until`` exclusive, ISO 8601 instants)."""
    require(actor, "read")
    with app.store.read() as tx:
        events = epcis_events(tx, _select(tx, app, container, receipt, since, until))
    return document(events)


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    """An EPCIS 2.0 JSON-LD document holding ``events``."""
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "epcisBody": {"eventList": events},
    }

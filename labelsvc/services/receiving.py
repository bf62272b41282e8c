"""Receiving against an ASN or PO: serialize untagged goods, check tagged ones, close.

Untagged goods get serials and unit labels in one step (lot and expiry from the line).
Tagged goods are scanned; every scan gets an outcome with a stable reason code (see
:mod:`labelsvc.domain.receipts`) and is logged, accepted or not. Scanning a pallet SSCC,
then its cases (``parent=`` the pallet), then their units records the hierarchy as it
arrived. Closing with discrepancies needs a supervisor and a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.receipts import (
    DiscrepancyReport,
    LineCount,
    Outcome,
    classify,
    discrepancies,
)
from labelsvc.services import asn_capture, labeling, outbound
from labelsvc.services.allocation import allocate_in
from labelsvc.services.app import App
from labelsvc.services.commissioning import commission
from labelsvc.services.flow_views import ItemView, view_of, views
from labelsvc.services.identity import supplier_place
from labelsvc.services.lookup import describe, resolve, scan_of
from labelsvc.services.receipt_files import ReceiptSpec
from labelsvc.services.receipt_identity import Identity, facts, identify
from labelsvc.store import Tx
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.items import Item
from labelsvc.store.receipts import LineRow, ReceiptRow
from labelsvc.store.scans import ScanRepo

#: Refused outcomes the report lists as "rejected" (duplicates have their own finding).
REJECTED = frozenset(
    {"unknown", "wrong-gtin", "wrong-lot", "known-elsewhere", "item-voided",
     "item-decommissioned", "item-quarantined", "item-recalled", "unreadable", "ambiguous"}
)  # fmt: skip


@dataclass(frozen=True)
class LineStatus:
    """One line with its live count."""

    line_no: int
    gtin: str | None
    sku: str | None
    lot: str | None
    expiry: str | None
    quantity: int
    received: int
    listed: int  # serials the ASN names for this line

    @property
    def remaining(self) -> int:
        """How many are still to come (never below zero)."""
        return max(self.quantity - self.received, 0)


@dataclass(frozen=True)
class ReceiptView:
    """A receipt with its lines and live counts."""

    reference: str
    kind: str
    supplier: str
    state: str
    created_by: str
    created_at: str
    closed_by: str | None
    closed_at: str | None
    close_reason: str | None
    lines: tuple[LineStatus, ...]


@dataclass(frozen=True)
class UntaggedResult:
    """Serials made for untagged goods on a line, and the jobs printing their labels."""

    reference: str
    line_no: int
    items: tuple[ItemView, ...]
    job_ids: tuple[int, ...]


@dataclass(frozen=True)
class ScanResult:
    """The outcome of one receiving scan, for the operator's screen."""

    code: str  # expected, not-expected, over, duplicate, unknown, wrong-gtin, ...
    detail: str
    accepted: bool
    item: ItemView | None
    line: LineStatus | None
    replayed: bool = False  # a repeated scan_id: the first outcome, nothing done again


def _line_status(row: LineRow) -> LineStatus:
    return LineStatus(row.line_no, row.gtin, row.sku, row.lot, row.expiry, row.quantity,
                      row.received, row.listed)  # fmt: skip


def _view(tx: Tx, row: ReceiptRow) -> ReceiptView:
    lines = tuple(_line_status(ln) for ln in tx.receipts.lines(row.id))
    return ReceiptView(
        row.reference, row.kind, row.supplier, row.state, row.created_by, row.created_at,
        row.closed_by, row.closed_at, row.close_reason, lines,
    )  # fmt: skip


def _receipt(tx: Tx, reference: str, *, open_only: bool = False) -> ReceiptRow:
    row = tx.receipts.get(reference)
    if row is None:
        raise NotFound("receipt-not-found", f"There is no receipt {reference!r}.")
    if open_only and row.state != "open":
        raise Conflict(
            "receipt-closed", f"Receipt {reference} is closed; a supervisor can reopen it."
        )
    return row


def load_receipt(app: App, spec: ReceiptSpec, *, actor: Actor) -> ReceiptView:
    """Store an ASN or PO with its lines and listed serials/SSCCs (SKUs resolved to GTINs)."""
    require(actor, "receive")
    with app.store.write() as tx:
        return load_receipt_in(tx, spec, actor)


def load_receipt_in(tx: Tx, spec: ReceiptSpec, actor: Actor) -> ReceiptView:
    """:func:`load_receipt` in the caller's transaction (a capture makes its ASN so)."""
    try:
        rid = tx.receipts.create(reference=spec.reference, kind=spec.kind,
                                 supplier=spec.supplier, created_by=actor.label)  # fmt: skip
    except IntegrityViolation as exc:
        raise Conflict(
            "receipt-exists", f"Receipt {spec.reference} was loaded before; use another "
            "reference or work on that one.", reference=spec.reference,
        ) from exc  # fmt: skip
    for line in spec.lines:
        gtin = line.gtin
        if gtin is None:
            product = tx.products.by_sku(line.sku or "")
            if product is None:
                raise InvalidInput(
                    "receipt-invalid", f"line {line.line_no}: no product has SKU {line.sku!r}.",
                    field="sku",
                )  # fmt: skip
            gtin = product.gtin
        line_id = tx.receipts.add_line(rid, line_no=line.line_no, gtin=gtin, sku=line.sku,
                                       quantity=line.quantity, lot=line.lot,
                                       expiry=line.expiry)  # fmt: skip
        tx.receipts.add_expected(rid, line_id, "sgtin", gtin, list(line.serials))
        tx.receipts.add_expected(rid, line_id, "sscc", "", list(line.ssccs))
    tx.receipts.add_expected(rid, None, "sscc", "", list(spec.ssccs))
    tx.events.append(
        "receipt-loaded", actor=actor.label, station=actor.station,
        subject=f"receipt:{spec.reference}",
        details={"lines": len(spec.lines), "kind": spec.kind, "supplier": spec.supplier,
                 **supplier_place(tx, spec.supplier)},
    )  # fmt: skip
    return _view(tx, _receipt(tx, spec.reference))


def get_receipt(app: App, reference: str, *, actor: Actor) -> ReceiptView:
    """A receipt with its lines and live counts."""
    require(actor, "read")
    with app.store.read() as tx:
        return _view(tx, _receipt(tx, reference))


def list_receipts(app: App, *, actor: Actor, state: str | None = None) -> list[ReceiptView]:
    """Receipts, newest first (only open or closed ones when ``state`` says so)."""
    require(actor, "read")
    with app.store.read() as tx:
        return [_view(tx, r) for r in tx.receipts.all(state)]


RECEIVE_PART = 1_000  # units serialized per transaction: each part commits on its own


def receive_untagged(
    app: App, reference: str, line_no: int, count: int, *, actor: Actor,
    station: str | None = None, printer: str | None = None, template: str | None = None,
) -> UntaggedResult:  # fmt: skip
    """Serialize untagged goods of a line: ``count`` serials, commissioned, labels queued.

    Lot and expiry come from the line; more than the line still expects is refused. The
    count is capped by ``limits.max_labels_per_request``; above :data:`RECEIVE_PART` units
    the work is cut into parts of that size, each one consistent and committed on its own,
    so no other station waits long behind a big receipt.
    """
    require(actor, "receive")
    labeling.check_label_count(app, count)
    station = station or actor.station
    views_out: list[ItemView] = []
    jobs: list[int] = []
    done = 0
    while done < count:
        part = min(RECEIVE_PART, count - done)
        part_views, part_jobs = _receive_part(
            app, reference, line_no, part, actor=actor, station=station, printer=printer,
            template=template, asked=count - done,
        )  # fmt: skip
        views_out.extend(part_views)
        jobs.extend(part_jobs)
        done += part
        labeling.wake_printers(app, printer)
    return UntaggedResult(reference, line_no, tuple(views_out), tuple(jobs))


def _receive_part(
    app: App, reference: str, line_no: int, count: int, *, actor: Actor, station: str | None,
    printer: str | None, template: str | None, asked: int,
) -> tuple[list[ItemView], list[int]]:  # fmt: skip
    with app.store.write() as tx:
        row = _receipt(tx, reference, open_only=True)
        line = next((ln for ln in tx.receipts.lines(row.id) if ln.line_no == line_no), None)
        if line is None or line.gtin is None:
            raise NotFound("line-not-found", f"Receipt {reference} has no line {line_no}.")
        if asked > line.quantity - line.received:
            raise Conflict(
                "line-over", f"Line {line_no} expects {line.quantity - line.received} more; "
                f"{asked} asked for.", remaining=line.quantity - line.received,
            )  # fmt: skip
        product = tx.products.get(line.gtin)
        if product is None or not product.unit_pool:
            raise Conflict(
                "pool-required", f"Product {line.gtin} has no serial pool; an admin must set one."
            )
        allocation = allocate_in(tx, product.unit_pool, count, actor=actor, gtin=line.gtin,
                                 station=station, lot=line.lot, expiry=line.expiry)  # fmt: skip
        items = tx.items.of_allocation(allocation.id)
        ids = [i.id for i in items]
        tx.items.set_state(ids, "commissioned")
        tx.receipts.add_items(row.id, ids, line_id=line.id, how="labeled", actor=actor.label,
                              station=station)  # fmt: skip
        items = tx.items.of_allocation(allocation.id)
        commission(tx, items, actor=actor.label, station=station,
                   details={"receipt": reference, "line": line_no})  # fmt: skip
        jobs = labeling.enqueue_item_labels(
            tx, app, items, actor=actor, station=station, template=template, printer=printer
        )
        return list(views(tx, items)), jobs


def _parent(tx: Tx, app: App, row: ReceiptRow, parent: str | None) -> Item | None:
    """The container a scan is nested in, which must have been received on this receipt."""
    if not parent:
        return None
    found = resolve(tx, scan_of(parent, app.settings))
    if found is None or row.reference not in tx.receipts.receipts_of(found.id):
        raise InvalidInput(
            "parent-not-received", f"{parent!r} was not received on {row.reference}; scan it first."
        )
    return found


def _store_received(
    tx: Tx, who: Identity, line: LineRow | None, level: str | None, parent: Item | None,
    actor: Actor,
) -> Item:  # fmt: skip
    """Insert (or update) the received item; an SSCC becomes a closed container."""
    level = (level or ("case" if parent else "pallet")) if who.kind == "sscc" else "unit"
    lot = who.lot or (line.lot if line else None)
    expiry = who.expiry or (line.expiry if line else None)
    item = who.item
    if item is None:
        namespace = "sscc" if who.kind == "sscc" else f"01:{who.gtin}"
        item = tx.items.insert_seen(
            namespace=namespace, value=who.value, kind="sscc" if who.kind == "sscc" else "unit",
            gtin=who.gtin, level=level, state="commissioned", lot=lot, expiry=expiry,
        )  # fmt: skip
    else:
        tx.items.set_state([item.id], "commissioned")
        if item.kind == "unit" and item.lot is None:
            tx.items.set_lot([item.id], lot, expiry)
    tx.items.set_extra_ais(item.id, who.extra)
    if who.kind == "sscc" and tx.containers.get(item.id) is None and level in ("case", "pallet"):
        tx.containers.create(item.id, level=level, capacity=None, gtin=None, station=actor.station,
                             opened_by=actor.label)  # fmt: skip
        tx.containers.close(item.id, by=actor.label, reason="received closed")
    if parent is not None:
        try:
            nested = tx.containers.attach_received(item.id, parent.id)
        except IntegrityViolation as exc:
            raise InvalidInput(
                "nest-level", f"{who.name} cannot be inside {describe(parent)} (levels only go up)."
            ) from exc
        if not nested:
            raise Conflict("in-another-container", f"{who.name} is in another container already.")
    fresh = tx.items.get(item.id)
    assert fresh is not None
    return fresh


def receive_scan(
    app: App, reference: str, scan: str, *, actor: Actor, parent: str | None = None,
    level: str | None = None, station: str | None = None, scan_id: str | None = None,
) -> ScanResult:  # fmt: skip
    """Check one scanned unit, case or pallet against the receipt and record the outcome.

    ``parent`` is the scan of a case or pallet received just before, to record nesting as
    it arrived; ``level`` says whether an SSCC is a ``case`` or ``pallet`` (default: a
    case inside a parent, else a pallet). A refused scan is an outcome, not an error.
    ``scan_id`` (made by the station page) is claimed in the same transaction: a repeat
    answers with the first outcome and changes nothing.
    """
    require(actor, "receive")
    station = station or actor.station
    with app.store.write() as tx:
        if scan_id and not ScanRepo(tx).claim(
            scan_id, page=f"receipt:{reference}", code=scan, actor=actor.label, station=station
        ):
            return _replay(tx, scan_id)
        row = _receipt(tx, reference, open_only=True)
        lines = tx.receipts.lines(row.id)
        who = identify(tx, app, scan, lines, station)
        container = _parent(tx, app, row, parent)
        if isinstance(who, Outcome):
            outcome, name, item = who, scan, None
        else:
            outcome, name, item = classify(facts(tx, row, who, lines)), who.name, who.item
            outcome = asn_capture.foreign_refusal(tx, reference, who, container) or outcome
        line_id = outcome.line_id or None
        line = next((ln for ln in lines if ln.id == line_id), None)
        if outcome.accepted and isinstance(who, Identity):
            item = _store_received(tx, who, line, level, container, actor)
            tx.receipts.add_items(row.id, [item.id], line_id=line_id, how="scanned",
                                  actor=actor.label, station=station)  # fmt: skip
            tx.events.append(
                "received", actor=actor.label, station=station, item_id=item.id,
                parent_id=container.id if container else None,
                details={"receipt": reference, "line": line.line_no if line else None,
                         "outcome": outcome.code,
                         **({"ais": who.extra} if isinstance(who, Identity) and who.extra
                            else {})},
            )  # fmt: skip
        tx.receipts.log_scan(row.id, raw=scan, name=name, outcome=outcome.code,
                             accepted=outcome.accepted, item_id=item.id if item else None,
                             line_id=line_id, actor=actor.label, station=station)  # fmt: skip
        now_line = next((ln for ln in tx.receipts.lines(row.id) if ln.id == line_id), None)
        if scan_id:
            ScanRepo(tx).finish(scan_id, ok=outcome.accepted, outcome=outcome.code,
                                detail=outcome.detail, subject=name)  # fmt: skip
        return ScanResult(
            outcome.code, outcome.detail, outcome.accepted,
            view_of(tx, item) if item and outcome.accepted else None,
            _line_status(now_line) if now_line else None,
        )  # fmt: skip


def _replay(tx: Tx, scan_id: str) -> ScanResult:
    """The first outcome of a scan sent again (its answer was lost on the way)."""
    first = ScanRepo(tx).get(scan_id)
    assert first is not None and first.outcome is not None, "claimed and finished together"
    return ScanResult(first.outcome, first.detail or "", bool(first.ok), None, None, True)


def _report(tx: Tx, row: ReceiptRow) -> DiscrepancyReport:
    missing = tx.receipts.missing(row.id)
    lines = [
        LineCount(ln.line_no, ln.gtin, ln.sku, ln.lot, ln.quantity, ln.received,
                  tuple(missing.get(ln.id, ())))
        for ln in tx.receipts.lines(row.id)
    ]  # fmt: skip
    scans = tx.receipts.scans(row.id, ["not-expected", "duplicate", *sorted(REJECTED)])
    return discrepancies(
        row.reference, lines,
        unexpected=[s.name for s in scans if s.outcome == "not-expected"],
        duplicates=[s.name for s in scans if s.outcome == "duplicate"],
        rejected=[(s.name, s.outcome) for s in scans if s.outcome in REJECTED],
        missing_unlined=missing.get(0, ()),
    )  # fmt: skip


def receipt_report(app: App, reference: str, *, actor: Actor) -> DiscrepancyReport:
    """Over, short (with the missing serials), unexpected, duplicate and refused scans."""
    require(actor, "read")
    with app.store.read() as tx:
        return _report(tx, _receipt(tx, reference))


def close_receipt(
    app: App, reference: str, *, actor: Actor, reason: str | None = None
) -> ReceiptView:
    """Close a receipt; with discrepancies this needs a supervisor and a reason."""
    require(actor, "receive")
    with app.store.write() as tx:
        row = _receipt(tx, reference, open_only=True)
        report = _report(tx, row)
        if not report.clean:
            require(actor, "override")
            if not (reason or "").strip():
                raise InvalidInput(
                    "reason-required",
                    f"Receipt {reference} has {len(report.findings)} discrepancies; say why it "
                    "is closed anyway.", field="reason",
                )  # fmt: skip
        tx.receipts.set_closed(row.id, by=actor.label, reason=reason)
        tx.events.append(
            "receipt-closed", actor=actor.label, station=actor.station,
            subject=f"receipt:{reference}",
            details={"reason": reason, "findings": [f.detail for f in report.findings]},
        )  # fmt: skip
        outbound.receipt_closed(tx, reference, report, by=actor.label, reason=reason)
        return _view(tx, _receipt(tx, reference))


def reopen_receipt(app: App, reference: str, *, actor: Actor, reason: str) -> ReceiptView:
    """Open a closed receipt again (supervisor, with a reason)."""
    require(actor, "override")
    if not reason.strip():
        raise InvalidInput("reason-required", "Say why the receipt is reopened.", field="reason")
    with app.store.write() as tx:
        row = _receipt(tx, reference)
        if not tx.receipts.reopen(row.id):
            raise Conflict("receipt-open", f"Receipt {reference} is open already.")
        tx.events.append("receipt-reopened", actor=actor.label, station=actor.station,
                         subject=f"receipt:{reference}", details={"reason": reason})  # fmt: skip
        return _view(tx, _receipt(tx, reference))

"""Labels for items: request, reprint and void. Rendering happens in the transaction that
queues the job, so a job always carries exactly the bytes the printer will receive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.labels.data import LabelData
from labelsvc.services.allocation import Allocation, allocate_in
from labelsvc.services.app import App
from labelsvc.services.lookup import describe, resolve_scan
from labelsvc.services.print_queue import enqueue_labels
from labelsvc.store import Tx
from labelsvc.store.items import Item, content_summary
from labelsvc.store.printers import PrinterRow
from labelsvc.store.products import Product

DEFAULT_TEMPLATE = {"unit": "unit", "case": "case", "pallet": "pallet"}
VOIDABLE = {"allocated", "labeled", "commissioned"}


@dataclass(frozen=True)
class LabelRequest:
    """What a label request produced: the serials and the print jobs that carry them."""

    allocation: Allocation | None
    items: list[Item]
    job_ids: list[int]
    batch: str
    printer: str
    template: str


def label_data_for(tx: Tx, app: App, item: Item, *, reprint: bool = False) -> LabelData:
    """Everything printed on an item's label, read from the records."""
    mark = reprint and app.settings.printing.mark_reprints
    if item.kind == "unit":
        product = tx.products.get(item.gtin or "")
        return LabelData(
            kind="unit", gtin=item.gtin, serial=item.value, lot=item.lot, expiry=item.expiry,
            description=product.description if product else "", sku=(product and product.sku) or "",
            reprint=mark, digital_link_base=app.settings.gs1.digital_link_base,
        )  # fmt: skip
    if item.kind == "sscc":
        level = item.level if item.level in ("case", "pallet") else "case"
        summary = content_summary(tx, item.id)
        single = len(summary.gtins) == 1
        product = tx.products.get(summary.gtins[0]) if single else None
        return LabelData(
            kind=level,  # type: ignore[arg-type]
            sscc=item.value,
            content_gtin=summary.gtins[0] if single else None,
            count=summary.units if single and summary.units else None,
            lot=summary.lots[0] if single and len(summary.lots) == 1 else None,
            expiry=summary.expiries[0] if single and len(summary.expiries) == 1 else None,
            description=product.description if product else "",
            reprint=mark,
        )
    raise InvalidInput(
        "label-kind", f"{describe(item)} is a custom serial; print it with a custom template."
    )


def _printer(tx: Tx, app: App, name: str | None) -> PrinterRow:
    chosen = name or app.settings.printing.default_printer
    printer = tx.printers.get(chosen)
    if printer is None:
        raise NotFound("printer-not-found", f"There is no printer named {chosen!r}.")
    return printer


def enqueue_item_labels(
    tx: Tx, app: App, items: list[Item], *, actor: Actor, station: str | None = None,
    template: str | None = None, printer: str | None = None, reprint: bool = False,
    reason: str | None = None, batch: str | None = None,
) -> list[int]:  # fmt: skip
    """Render one label per item and queue them (in chunks) in the caller's transaction."""
    target = _printer(tx, app, printer)
    labels, name = [], ""
    for item in items:
        data = label_data_for(tx, app, item, reprint=reprint)
        name = template or DEFAULT_TEMPLATE[data.kind]
        if target.language == "escpos":
            labels.append(app.templates.render_escpos(name, data))
        else:
            labels.append(app.templates.render_zpl(name, data, target.dpi))
    return enqueue_labels(
        tx, printer=target.name, template=name, labels=labels, item_ids=[[i.id] for i in items],
        requested_by=actor.label, station=station or actor.station, reprint=reprint,
        reason=reason, batch=batch or uuid.uuid4().hex,
    )  # fmt: skip


def wake_printers(app: App, printer: str | None = None) -> None:
    """Tell the print workers that jobs are waiting (call after the commit)."""
    app.wake(printer)


def request_labels(
    app: App, *, count: int, actor: Actor, product: str | None = None, pool: str | None = None,
    template: str | None = None, printer: str | None = None, lot: str | None = None,
    expiry: str | None = None, station: str | None = None, idempotency_key: str | None = None,
) -> LabelRequest:  # fmt: skip
    """Allocate ``count`` serials (by product or pool) and queue their labels, in one commit.

    With an idempotency key seen before, nothing is allocated or printed again: the first
    request's serials and jobs are returned.
    """
    require(actor, "label")
    with app.store.write() as tx:
        gtin, pool_name = _pool_for(tx, product, pool)
        allocation = allocate_in(
            tx, pool_name, count, actor=actor, idempotency_key=idempotency_key, gtin=gtin,
            station=station,
        )  # fmt: skip
        items = tx.items.id_range(allocation.first_item_id, allocation.last_item_id)
        batch = f"alloc-{allocation.id}"
        if allocation.replayed:
            jobs = tx.jobs.query(batch=batch)
            return LabelRequest(
                allocation, items, [j.id for j in jobs], batch,
                jobs[0].printer if jobs else (printer or ""), jobs[0].template if jobs else "",
            )  # fmt: skip
        if lot or expiry:
            _check_lot(lot, expiry)
            tx.items.set_lot([i.id for i in items], lot, expiry)
            items = tx.items.id_range(allocation.first_item_id, allocation.last_item_id)
        job_ids = enqueue_item_labels(
            tx, app, items, actor=actor, station=station, template=template, printer=printer,
            batch=batch,
        )  # fmt: skip
        chosen = tx.jobs.get(job_ids[0])
        assert chosen is not None
    wake_printers(app, chosen.printer)
    return LabelRequest(allocation, items, job_ids, batch, chosen.printer, chosen.template)


def _check_lot(lot: str | None, expiry: str | None) -> None:
    from labelsvc.gs1.ai import validate_value

    if lot:
        validate_value("10", lot)
    if expiry:
        validate_value("17", expiry)


def _pool_for(tx: Tx, product: str | None, pool: str | None) -> tuple[str | None, str]:
    """The GTIN and pool a request names: a product (its unit pool) or a pool directly."""
    if product:
        found = _product(tx, product)
        chosen = pool or found.unit_pool
        if not chosen:
            raise InvalidInput(
                "pool-required",
                f"Product {found.gtin} has no serial pool; name one or set its unit_pool.",
                field="pool",
            )
        return found.gtin, chosen
    if not pool:
        raise InvalidInput("pool-required", "Name a product or a pool.", field="pool")
    return None, pool


def _product(tx: Tx, gtin_or_sku: str) -> Product:
    from labelsvc.gs1.check import normalize_gtin

    found = tx.products.by_sku(gtin_or_sku)
    if found is None and gtin_or_sku.isdigit():
        found = tx.products.get(normalize_gtin(gtin_or_sku))
    if found is None:
        raise NotFound("product-not-found", f"No product has GTIN or SKU {gtin_or_sku!r}.")
    return found


def _item(tx: Tx, app: App, scan: str) -> Item:
    item = resolve_scan(tx, scan, app.settings)
    if item is None:
        raise NotFound("item-not-found", f"Nothing with the code {scan!r} was ever issued here.")
    return item


def reprint(
    app: App, scan: str, *, reason: str, actor: Actor, printer: str | None = None,
    template: str | None = None, station: str | None = None,
) -> LabelRequest:  # fmt: skip
    """Print the same serial's label again (never a new serial); supervisors only."""
    require(actor, "reprint")
    if not reason.strip():
        raise InvalidInput("reason-required", "Say why the label is reprinted.", field="reason")
    with app.store.write() as tx:
        item = _item(tx, app, scan)
        if item.state == "voided":
            raise Conflict(
                "item-voided", f"{describe(item)} is voided; its label may not be printed again."
            )
        tx.events.append(
            "reprint-requested", actor=actor.label, station=station or actor.station,
            item_id=item.id, details={"reason": reason},
        )  # fmt: skip
        batch = uuid.uuid4().hex
        job_ids = enqueue_item_labels(
            tx, app, [item], actor=actor, station=station, template=template, printer=printer,
            reprint=True, reason=reason, batch=batch,
        )  # fmt: skip
        job = tx.jobs.get(job_ids[0])
        assert job is not None
    wake_printers(app, job.printer)
    return LabelRequest(None, [item], job_ids, batch, job.printer, job.template)


def void(app: App, scan: str, *, reason: str, actor: Actor, station: str | None = None) -> Item:
    """Retire a serial whose label was destroyed; it is never issued again."""
    require(actor, "void")
    if not reason.strip():
        raise InvalidInput("reason-required", "Say why the serial is voided.", field="reason")
    with app.store.write() as tx:
        item = _item(tx, app, scan)
        if item.state not in VOIDABLE or item.parent_id is not None:
            where = " and is packed; unpack it first" if item.parent_id else ""
            raise Conflict(
                "item-not-voidable",
                f"{describe(item)} is {item.state}{where}; only allocated, labeled or "
                "commissioned items that are not packed can be voided.",
                state=item.state,
            )
        inside = tx.containers.child_count(item.id)
        if inside:
            raise Conflict(
                "container-not-empty",
                f"{describe(item)} still holds {inside} item(s); unpack it before voiding its "
                "label.",
                count=inside,
            )
        tx.items.set_state([item.id], "voided")
        tx.events.append(
            "voided", actor=actor.label, station=station or actor.station, item_id=item.id,
            details={"reason": reason, "from": item.state},
        )  # fmt: skip
        voided = tx.items.get(item.id)
        assert voided is not None
    return voided

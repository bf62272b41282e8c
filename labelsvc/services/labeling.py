"""Labels for items: request, reprint and void.

A request allocates its serials (in chunks when large) and then queues print jobs that say
what to render; the print worker renders them from the committed rows and stores the bytes
it sends (:mod:`labelsvc.services.label_render`), so no write transaction waits on
rendering.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.services.allocation import Allocation, allocate
from labelsvc.services.app import App
from labelsvc.services.label_render import DEFAULT_TEMPLATE, label_kind, render_spec
from labelsvc.services.lookup import describe, resolve_scan
from labelsvc.services.print_queue import enqueue_labels, notify
from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.printers import PrinterRow
from labelsvc.store.products import Product

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
    """Queue one label per item (jobs of up to 250) in the caller's transaction.

    Nothing is rendered here: the jobs say what to render and the worker renders them after
    commit. The template is checked now, so a wrong name is refused to the requester.
    """
    target = _printer(tx, app, printer)
    kinds = {label_kind(item) for item in items}
    name = template or DEFAULT_TEMPLATE[sorted(kinds)[0]]
    expected = app.templates.kind_of(name)
    if kinds - {expected}:
        raise InvalidInput(
            "label-template-kind",
            f"template {name} prints {expected} labels; these items need "
            f"{', '.join(sorted(kinds))} labels.",
            template=name,
        )
    return enqueue_labels(
        tx, printer=target.name, template=name, item_ids=[[i.id] for i in items],
        requested_by=actor.label, station=station or actor.station, reprint=reprint,
        reason=reason, batch=batch or uuid.uuid4().hex,
        render=render_spec(name, reprint=reprint),
    )  # fmt: skip


def wake_printers(app: App, printer: str | None = None) -> None:
    """Tell the print workers that jobs are waiting (call after the commit)."""
    notify(app, printer)


def request_labels(
    app: App, *, count: int, actor: Actor, product: str | None = None, pool: str | None = None,
    template: str | None = None, printer: str | None = None, lot: str | None = None,
    expiry: str | None = None, station: str | None = None, idempotency_key: str | None = None,
) -> LabelRequest:  # fmt: skip
    """Allocate ``count`` serials (by product or pool) and queue their labels.

    Two short steps: the allocation (chunked when large, all or nothing), then one
    transaction that queues the jobs. With an idempotency key seen before, nothing is
    allocated or printed again: the first request's serials and jobs are returned; a retry
    after a crash between the steps queues the jobs once.
    """
    require(actor, "label")
    check_label_count(app, count)
    if lot or expiry:
        _check_lot(lot, expiry)
    with app.store.read() as tx:
        gtin, pool_name = _pool_for(tx, product, pool)
        _printer(tx, app, printer)
    allocation = allocate(
        app.store, pool_name, count, actor=actor, idempotency_key=idempotency_key, gtin=gtin,
        station=station, lot=lot, expiry=expiry, limit=app.settings.limits.max_allocation,
    )  # fmt: skip
    batch = f"alloc-{allocation.id}"
    with app.store.write() as tx:
        tx.pools.allocation(allocation.id)  # lock it: two retries queue its jobs once
        items = tx.items.of_allocation(allocation.id)
        jobs = tx.jobs.query(batch=batch, limit=len(items) + 1)
        if jobs:
            return LabelRequest(
                allocation, items, [j.id for j in jobs], batch, jobs[0].printer, jobs[0].template
            )
        job_ids = enqueue_item_labels(
            tx, app, items, actor=actor, station=station, template=template, printer=printer,
            batch=batch,
        )  # fmt: skip
        chosen = tx.jobs.get(job_ids[0])
        assert chosen is not None
    wake_printers(app, chosen.printer)
    return LabelRequest(allocation, items, job_ids, batch, chosen.printer, chosen.template)


def check_label_count(app: App, count: int) -> None:
    """The one cap on labels per request, the same on every surface (a setting)."""
    limit = app.settings.limits.max_labels_per_request
    if not 1 <= count <= limit:
        raise InvalidInput(
            "count-invalid",
            f"count must be 1 to {limit:,} labels per request (setting "
            f"limits.max_labels_per_request), not {count:,}; split larger runs.",
            field="count",
            limit=limit,
        )


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

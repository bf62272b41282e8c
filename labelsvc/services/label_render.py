"""Label bytes for print jobs, rendered from committed rows outside any write transaction.

A use case queues a job with what to render (template, reprint); the print worker that
claims it calls :func:`render_job`, which reads the job's items, their products and
contents once per job, renders every label and returns the bytes. Holding no write lock
while rendering is what keeps a 1,000-label request from stalling every other writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labelsvc.domain.errors import InvalidInput
from labelsvc.labels.data import LabelData
from labelsvc.services.app import App
from labelsvc.services.lookup import describe
from labelsvc.store import Tx
from labelsvc.store.items import Item, content_summary
from labelsvc.store.jobs import Job
from labelsvc.store.products import Product

DEFAULT_TEMPLATE = {"unit": "unit", "case": "case", "pallet": "pallet"}


@dataclass
class _Products:
    """Products read once per batch, not once per label."""

    tx: Tx
    seen: dict[str, Product | None] = field(default_factory=dict)

    def get(self, gtin: str) -> Product | None:
        if gtin not in self.seen:
            self.seen[gtin] = self.tx.products.get(gtin)
        return self.seen[gtin]


def label_kind(item: Item) -> str:
    """unit, case or pallet: what label an item gets (custom serials get none by default)."""
    if item.kind == "unit":
        return "unit"
    if item.kind == "sscc":
        return item.level if item.level in ("case", "pallet") else "case"
    raise InvalidInput(
        "label-kind", f"{describe(item)} is a custom serial; print it with a custom template."
    )


def label_data_for(
    tx: Tx, app: App, item: Item, *, reprint: bool = False, products: _Products | None = None
) -> LabelData:
    """Everything printed on an item's label, read from the records."""
    mark = reprint and app.settings.printing.mark_reprints
    catalog = products or _Products(tx)
    kind = label_kind(item)
    if kind == "unit":
        product = catalog.get(item.gtin or "")
        return LabelData(
            kind="unit", gtin=item.gtin, serial=item.value, lot=item.lot, expiry=item.expiry,
            description=product.description if product else "", sku=(product and product.sku) or "",
            reprint=mark, digital_link_base=app.settings.gs1.digital_link_base,
        )  # fmt: skip
    summary = content_summary(tx, item.id)
    single = len(summary.gtins) == 1
    product = catalog.get(summary.gtins[0]) if single else None
    return LabelData(
        kind=kind,  # type: ignore[arg-type]
        sscc=item.value,
        content_gtin=summary.gtins[0] if single else None,
        count=summary.units if single and summary.units else None,
        lot=summary.lots[0] if single and len(summary.lots) == 1 else None,
        expiry=summary.expiries[0] if single and len(summary.expiries) == 1 else None,
        description=product.description if product else "",
        reprint=mark,
    )


def render_spec(template: str, *, reprint: bool) -> dict[str, Any]:
    """What a deferred job records about how to render its labels."""
    return {"template": template, "reprint": reprint}


def render_items(
    tx: Tx, app: App, items: list[Item], *, template: str, language: str, dpi: int,
    reprint: bool,
) -> list[bytes]:  # fmt: skip
    """One label per item, in order, with products read once."""
    products = _Products(tx)
    labels = []
    for item in items:
        data = label_data_for(tx, app, item, reprint=reprint, products=products)
        if language == "escpos":
            labels.append(app.templates.render_escpos(template, data))
        else:
            labels.append(app.templates.render_zpl(template, data, dpi))
    return labels


def render_job(app: App, job: Job) -> bytes:
    """The bytes of a deferred job, rendered from what is committed now."""
    spec = job.render or {}
    with app.store.read() as tx:
        printer = tx.printers.get(job.printer)
        items = tx.items.by_ids(job.item_ids)
        if printer is None:
            raise InvalidInput("printer-not-found", f"There is no printer {job.printer!r}.")
        labels = render_items(
            tx, app, items, template=str(spec.get("template") or job.template),
            language=printer.language, dpi=printer.dpi, reprint=bool(spec.get("reprint")),
        )  # fmt: skip
    return b"".join(labels)

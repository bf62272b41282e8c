"""Label bytes for print jobs, rendered from committed rows outside any write transaction.

A use case queues a job with what to render (template, reprint); the print worker that
claims it calls :func:`render_stream`, which reads the job's items, their products and
contents once per job (one read transaction, closed before the first byte is sent), then
renders the labels lazily in growing pieces, so the first labels are on the wire while the
rest are made. Holding no write lock while rendering is what keeps a 1,000-label request
from stalling every other writer.

A batch renders its template once per label *shape* (everything but the serial, and the
serial's length) and fills the serial in per label (:class:`BatchRenderer`): the form is
the label rendered with a stand-in serial, cut where the stand-in appears; it is used only
when the real first label of the shape, rendered in full, is byte-for-byte the form filled
with its serial, the template does not name ``serial`` itself, and the serial is letters
and digits (so its ``^FH`` escape, DataMatrix and Digital Link forms are the serial
itself). Every 100th label is rendered in full again and compared.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle, islice
from operator import attrgetter
from typing import Any

from labelsvc.domain.errors import InvalidInput
from labelsvc.labels.data import LabelData
from labelsvc.printing.stored_format import StoredForm, expand, format_body, make_form
from labelsvc.services.app import App
from labelsvc.services.lookup import describe
from labelsvc.store import Tx
from labelsvc.store.items import Item, content_summary
from labelsvc.store.jobs import Job
from labelsvc.store.products import Product

DEFAULT_TEMPLATE = {"unit": "unit", "case": "case", "pallet": "pallet"}
FIRST_PIECE = 8  # labels in the first piece sent; pieces double up to MAX_PIECE
MAX_PIECE = 256
SPOT_CHECK = 100  # every this many labels rendered from a form, one is rendered in full
_STAND_IN = "ZQXJVWKY"
log = logging.getLogger(__name__)


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


class BatchRenderer:
    """Renders the labels of one job: a template filled per label where that is proven."""

    def __init__(
        self, app: App, template: str, *, language: str, dpi: int, stored: bool = False
    ) -> None:
        self.app, self.template, self.language, self.dpi = app, template, language, dpi
        library = app.templates
        self.fillable = language == "zpl" and "serial" not in library.source(template)
        self.stored = stored  # the printer takes stored formats (^DF/^XF)
        self.forms: dict[tuple[Any, int], list[bytes] | None] = {}
        self.stored_forms: dict[tuple[Any, int], StoredForm] = {}
        self.filled = 0

    def _full(self, data: LabelData) -> bytes:
        if self.language == "escpos":
            return self.app.templates.render_escpos(self.template, data)
        return self.app.templates.render_zpl(self.template, data, self.dpi)

    def render(self, data: LabelData) -> bytes:
        """One label's bytes."""
        serial = data.serial
        if not self.fillable or not serial or not (serial.isascii() and serial.isalnum()):
            return self._full(data)
        key = (_shape(data), len(serial))
        if key not in self.forms:
            full = self._full(data)
            stand_in = "".join(islice(cycle(_STAND_IN), len(serial)))
            shape = self._full(dataclasses.replace(data, serial=stand_in))
            parts = shape.split(stand_in.encode())
            self.forms[key] = parts if serial.encode().join(parts) == full else None
            stored = (
                make_form(shape, stand_in.encode()) if self.stored and self.forms[key] else None
            )
            if stored is not None and _recalls(stored, serial, full):
                self.stored_forms[key] = stored
                return stored.download + stored.recall(serial.encode())
            return full
        form = self.forms[key]
        if form is None:
            return self._full(data)
        self.filled += 1
        stored = self.stored_forms.get(key)
        if stored is not None:
            label = stored.recall(serial.encode())
            check = self.filled % SPOT_CHECK == 0 and not _recalls(stored, serial, self._full(data))
        else:
            label = serial.encode().join(form)
            check = self.filled % SPOT_CHECK == 0 and label != self._full(data)
        if check:
            log.warning(
                "template %s: a filled label differs from its full render; rendering "
                "each label in full from now on",
                self.template,
            )
            self.forms[key] = None
            self.stored_forms.pop(key, None)
            return self._full(data)
        return label


def _recalls(stored: StoredForm, serial: str, full: bytes) -> bool:
    """The printer fills the stored format with this serial into exactly the full label."""
    formats = {stored.name: format_body(stored.download)}
    return expand(stored.recall(serial.encode()), formats) == full.rstrip()


_SHAPE_FIELDS = tuple(
    f.name for f in dataclasses.fields(LabelData) if f.name not in ("serial", "extra")
)
_shape_of = attrgetter(*_SHAPE_FIELDS)


def _shape(data: LabelData) -> tuple[Any, ...]:
    """Everything on a label but its serial (one C call: this runs once per label)."""
    shape: tuple[Any, ...] = _shape_of(data)
    return (shape, tuple(sorted(data.extra.items()))) if data.extra else shape


def render_stream(app: App, job: Job) -> Iterator[bytes]:
    """A deferred job's bytes in pieces of whole labels, the first piece small and soon.

    What the first piece needs is read at once; the rest in a second read after the first
    piece went out (each read one short transaction, closed before rendering).
    """
    spec = job.render or {}
    with app.store.read() as tx:
        printer = tx.printers.get(job.printer)
        if printer is None:
            raise InvalidInput("printer-not-found", f"There is no printer {job.printer!r}.")
        products = _Products(tx)
        first = _label_data(tx, app, job.item_ids[:FIRST_PIECE], spec, products)
    renderer = BatchRenderer(app, str(spec.get("template") or job.template),
                             language=printer.language, dpi=printer.dpi,
                             stored=bool(printer.options.get("stored_formats")))  # fmt: skip
    return _pieces(app, renderer, first, job.item_ids[FIRST_PIECE:], spec, products)


def _label_data(
    tx: Tx, app: App, item_ids: list[int], spec: dict[str, Any], products: _Products
) -> list[LabelData]:
    products.tx = tx  # the products read for the first piece are not read again
    reprint = bool(spec.get("reprint"))
    return [label_data_for(tx, app, item, reprint=reprint, products=products)
            for item in tx.items.by_ids(item_ids)]  # fmt: skip


def _pieces(
    app: App, renderer: BatchRenderer, first: list[LabelData], rest: list[int],
    spec: dict[str, Any], products: _Products,
) -> Iterator[bytes]:  # fmt: skip
    if first:
        yield b"".join(renderer.render(d) for d in first)
    if not rest:
        return
    with app.store.read() as tx:
        datas = _label_data(tx, app, rest, spec, products)
    start, size = 0, FIRST_PIECE * 2
    while start < len(datas):
        yield b"".join(renderer.render(d) for d in datas[start : start + size])
        start, size = start + size, min(size * 2, MAX_PIECE)


def render_job(app: App, job: Job) -> bytes:
    """The bytes of a deferred job, rendered from what is committed now."""
    return b"".join(render_stream(app, job))

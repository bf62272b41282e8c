"""Barcodes for the pages: command codes, the scanner check symbol, label thumbnails."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image, ImageOps

from labelsvc.domain.actors import Actor, require
from labelsvc.labels import symbols
from labelsvc.labels.preview import preview
from labelsvc.services.app import App
from labelsvc.services.label_render import render_job


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _printable(bitmap: Image.Image, quiet: int) -> Image.Image:
    """Dark bars on white (the bitmaps have 1 = dark) with the quiet zone scanners need."""
    return ImageOps.expand(ImageOps.invert(bitmap.convert("L")), border=quiet, fill=255)


def code128_png(text: str) -> bytes:
    """A Code 128 of ``text`` (a command code such as ``OPEN CASE``), 3 dots per module."""
    return _png(_printable(symbols.scaled(symbols.code128(text, False), 3, 70), 30))


def gs1_datamatrix_png(element_string: str) -> bytes:
    """A GS1 DataMatrix of an element string (GS between AIs), 8 dots per module."""
    return _png(_printable(symbols.scaled(symbols.datamatrix(element_string, True), 8), 16))


def label_thumbnail_png(zpl: bytes, dpi: int = 203) -> bytes:
    """The label a printer was sent, drawn from its ZPL and shrunk to a thumbnail."""
    image = preview(zpl, dpi).image.convert("L")
    image.thumbnail((360, 360))
    return _png(image)


def job_thumbnail(app: App, actor: Actor, job_id: int) -> bytes:
    """The thumbnail of what a print job prints (an SSCC label after a close, say)."""
    require(actor, "jobs")
    with app.store.read() as tx:
        job = tx.jobs.get(job_id)
        payload = tx.jobs.payload(job_id)
    dpi = 203
    if job is not None:
        row = _printer_dpi(app, job.printer)
        dpi = row or dpi
        if not payload and job.render is not None and job.item_ids:
            # Not rendered by the worker yet: draw its first label from the records now,
            # so a page that asks at once never caches an empty picture.
            payload = render_job(app, replace(job, item_ids=job.item_ids[:1], label_count=1))
    return label_thumbnail_png(payload, dpi)


def _printer_dpi(app: App, printer: str) -> int | None:
    with app.store.read() as tx:
        row = tx.printers.get(printer)
    return row.dpi if row is not None else None

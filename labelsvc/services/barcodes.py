"""Barcodes for the pages: command codes, the scanner check symbol, label thumbnails."""

from __future__ import annotations

import io

from labelsvc.labels import symbols
from labelsvc.labels.preview import preview


def _png(image: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")  # type: ignore[attr-defined]
    return out.getvalue()


def code128_png(text: str) -> bytes:
    """A Code 128 of ``text`` (a command code such as ``OPEN CASE``), 3 dots per module."""
    return _png(symbols.scaled(symbols.code128(text, False), 3, 70).convert("L"))


def gs1_datamatrix_png(element_string: str) -> bytes:
    """A GS1 DataMatrix of an element string (GS between AIs), 8 dots per module."""
    return _png(symbols.scaled(symbols.datamatrix(element_string, True), 8).convert("L"))


def label_thumbnail_png(zpl: bytes, dpi: int = 203) -> bytes:
    """The label a printer was sent, drawn from its ZPL and shrunk to a thumbnail."""
    image = preview(zpl, dpi).image.convert("L")
    image.thumbnail((360, 360))
    return _png(image)

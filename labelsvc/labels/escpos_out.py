"""ESC/POS output of a label: text lines, the barcode as a raster image, feed and cut.

Receipt printers have no GS1 DataMatrix of their own, so the symbol is drawn by zint and
sent as a ``GS v 0`` raster image; what it carries equals the ZPL label's barcode.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

from labelsvc.escpos_import import escpos_printer
from labelsvc.gs1.element import Element, build_element_string
from labelsvc.labels import symbols
from labelsvc.labels.data import LabelData

DM_MODULE = 6  # dots per DataMatrix module: 0.75 mm at 203 dpi
BAR_MODULE = 2  # dots per GS1-128 module
BAR_HEIGHT = 96
PROFILE = "TM-T20II"  # 80 mm, 203 dpi, 576 dots: a common ESC/POS printer
QUIET = 10  # modules of white around 1-D symbols (2 are enough for DataMatrix)


def _on_white(
    symbol: Image.Image, module: int, quiet: int, height: int | None = None
) -> Image.Image:
    """``symbol`` (1 = dark) as a black-on-white image with a quiet zone."""
    bars = symbols.scaled(symbol, module, height)
    margin = quiet * module
    image = Image.new("1", (bars.width + 2 * margin, bars.height + 2 * margin), 1)
    image.paste(0, (margin, margin, margin + bars.width, margin + bars.height), bars)
    return image


def datamatrix_image(elements: Sequence[Element], module: int = DM_MODULE) -> Image.Image:
    """GS1 DataMatrix of ``elements`` ready to print."""
    data = build_element_string(list(elements), associations=False)  # one symbol of a label
    return _on_white(symbols.datamatrix(data, True), module, 2)


def gs1_128_image(elements: Sequence[Element], module: int = BAR_MODULE) -> Image.Image:
    """GS1-128 of ``elements`` ready to print."""
    symbol = symbols.code128(build_element_string(list(elements), associations=False), True)
    return _on_white(symbol, module, QUIET, BAR_HEIGHT)


def _hri_lines(elements: Sequence[Element]) -> list[str]:
    return [f"({ai}) {value}" for ai, value in elements]


def escpos_label(data: LabelData, profile: str = PROFILE) -> bytes:
    """The label as ESC/POS bytes for a receipt printer (``profile``: a python-escpos name)."""
    p = escpos_printer().Dummy(profile=profile)
    if data.reprint:
        p.set(bold=True, invert=True)
        p.text(" REPRINT \n")
        p.set(bold=False, invert=False)
    if data.description:
        p.set(bold=True)
        p.text(data.description + "\n")
        p.set(bold=False)
    if data.sku:
        p.text(f"SKU {data.sku}\n")
    main = data.elements()
    if data.kind == "unit":
        p.image(datamatrix_image(main), impl="bitImageRaster")
    else:
        p.image(gs1_128_image(main), impl="bitImageRaster")
    p.text("\n".join(_hri_lines(main)) + "\n")
    content = data.content_elements()
    if content:
        p.image(datamatrix_image(content), impl="bitImageRaster")
        p.text("\n".join(_hri_lines(content)) + "\n")
    for title, lines in (("FROM", data.ship_from_lines), ("TO", data.ship_to_lines)):
        if lines:
            p.text(f"{title}: " + "\n      ".join(lines) + "\n")
    p.ln(3)
    p.cut()
    return bytes(p.output)

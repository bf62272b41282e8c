"""ESC/POS output: the barcode really is in the bytes, as a raster image that decodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PIL import Image, ImageOps

from labelsvc.gs1 import Element
from labelsvc.labels import LabelData, TemplateLibrary

Decoded = list[tuple[str, str]]
GS_V_0 = b"\x1dv0"


def raster_images(output: bytes) -> list[Image.Image]:
    """Every ``GS v 0 m xL xH yL yH d1...dk`` image in ``output`` (1 bits are black)."""
    images = []
    pos = output.find(GS_V_0)
    while pos >= 0:
        head = pos + len(GS_V_0)
        width_bytes = output[head + 1] | output[head + 2] << 8
        rows = output[head + 3] | output[head + 4] << 8
        start = head + 5
        bits = output[start : start + width_bytes * rows]
        image = Image.frombytes("1", (width_bytes * 8, rows), bits)
        images.append(ImageOps.invert(image.convert("L")))
        pos = output.find(GS_V_0, start + len(bits))
    return images


def _on_margin(image: Image.Image) -> Image.Image:
    canvas = Image.new("L", (image.width + 40, image.height + 40), 255)
    canvas.paste(image, (20, 20))
    return canvas


def test_unit_datamatrix_decodes_from_the_raster_bytes(
    library: TemplateLibrary,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
) -> None:
    data = replace(LabelData.sample("unit"), reprint=True)
    output = library.render_escpos("unit", data)
    [image] = raster_images(output)
    [(symbology, text)] = decode(_on_margin(image))
    assert symbology == "]d2"
    assert gs1(symbology, text) == data.elements()
    assert b"Organic Oat Muesli 500 g" in output
    assert b"(21) A7K2M9Q4" in output
    assert b"REPRINT" in output
    assert output.endswith(b"\x1bd\x06\x1dV\x00")  # feed six lines, full cut


def test_pallet_sscc_and_content_decode(
    library: TemplateLibrary,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
) -> None:
    data = LabelData.sample("pallet")
    images = raster_images(library.render_escpos("pallet", data))
    found = [gs1(s, t) for image in images for s, t in decode(_on_margin(image))]
    assert found == [data.elements(), data.content_elements()]

"""Every shipped template through a ZPL renderer that is not ours: Zebrash.

Our PNG preview is drawn by our own ZPL interpreter (``labelsvc.labels.preview``), so a mistake
shared by the ZPL writer and that interpreter would pass every preview test. Zebrash
(IngridHQ's Go ZPL renderer, MIT; run as WASM from the npm package ``zpl-renderer-js``, MIT,
pinned in ``tests/labels/independent/package.json``) shares no code with us. It reads the
``^BX`` escape character (without ``,,,,_`` our ``_1`` would be data and the symbol would not
be GS1), ``>;`` / ``>8`` / ``>6`` in ``^BC``, ``^FH\\`` hex escapes, ``^CI28`` and ``^FR``, and
it clips at ``^PW`` and at the label height we give it (``^LL``), so a symbol placed off the
label does not decode.

The test command installs it with ``npm ci --prefix tests/labels/independent``. Without Node or
that install the tests skip on a laptop and fail under ``CI=true``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
import zebrash_driver
import zxingcpp
from PIL import Image, ImageOps
from zebrash_driver import Rendered

from labelsvc.gs1 import GS, Element, parse_element_string
from labelsvc.labels import LabelData, TemplateLibrary

ROOT = Path(__file__).resolve().parents[2]

TEMPLATES = ["unit", "unit-4x6", "case", "pallet"]
DPIS = [203, 300]
# Text a ZPL writer must escape: without ^FH\ escapes ^XZ would end the label before its
# barcodes and ~JR would reach the printer as a command; UTF-8 needs ^CI28.
HOSTILE = "Müsli ^XZ^XA^FDX^FS~JR\\ «Bio»"  # printed text first: an empty label is dropped
DATASETS = ["sample", "hostile"]


def _data(kind: str, dataset: str) -> LabelData:
    data = LabelData.sample(kind)  # type: ignore[arg-type]
    if dataset == "hostile":
        return replace(data, description=HOSTILE, sku="X^XZ^XA~JR^FS", reprint=True)
    return data


@cache
def _render_all() -> tuple[str, dict[tuple[str, int, str], Rendered]]:
    """Every (template, dpi, dataset) rendered in one Node process (loading the WASM takes ~1 s)."""
    library = TemplateLibrary(ROOT / "zpl")
    keys = [(n, d, s) for n in TEMPLATES for d in DPIS for s in DATASETS]
    zpls = [library.render_zpl(n, _data(library.kind_of(n), s), d) for n, d, s in keys]
    renderer, rendered = zebrash_driver.render(zpls, [dpi for _, dpi, _ in keys])
    return renderer, dict(zip(keys, rendered, strict=True))


@pytest.fixture(scope="module")
def zebrash() -> tuple[str, dict[tuple[str, int, str], Rendered]]:
    zebrash_driver.require()
    return _render_all()


def _symbols(image: Image.Image) -> list[tuple[str, str]]:
    results = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    return [(r.symbology_identifier, r.text) for r in results]


def _gs1(symbology: str, text: str) -> list[Element]:
    # One symbol of a label: association rules hold over the whole label, not one symbol.
    return parse_element_string(text.removeprefix(GS), associations=False)


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", TEMPLATES)
def test_an_independent_renderer_reads_the_gs1_data_from_our_zpl(
    zebrash: tuple[str, dict[tuple[str, int, str], Rendered]],
    library: TemplateLibrary,
    name: str,
    dpi: int,
    dataset: str,
) -> None:
    renderer, rendered = zebrash
    label = rendered[(name, dpi, dataset)]
    zpl = label.zpl.decode("utf-8")
    assert label.error is None, f"{renderer} refused our ZPL: {label.error}\n{zpl}"
    # One label: text that escaped ^FH\ (^XZ^XA in a description) would make two.
    assert len(label.images) == 1, f"{renderer} found {len(label.images)} labels in\n{zpl}"
    [image] = label.images
    assert image.size == label.size  # the canvas is the label: ^PW x ^LL dots
    # Zebrash clips at the label's edges, and a 1D barcode still decodes from what is left:
    # so check that nothing was drawn within 1 mm of an edge (or past it).
    ink = ImageOps.invert(image.convert("L")).getbbox()
    assert ink is not None
    width, height = label.size
    margins = {"left": ink[0], "top": ink[1], "right": width - ink[2], "bottom": height - ink[3]}
    assert min(margins.values()) >= dpi / 25.4, f"{name} at {dpi} dpi: margins {margins} (dots)"
    data = _data(library.kind_of(name), dataset)

    symbols = _symbols(image)
    context = f"{renderer}, {name} at {dpi} dpi ({dataset} data), decoded {symbols}\n{zpl}"
    # A ^BX whose _1 was not read as FNC1 decodes as ]d1, a ^BC without >8 as ]C0.
    assert {s for s, _ in symbols} <= {"]d2", "]C1", "]Q1"}, context
    gs1: dict[str, list[list[Element]]] = {}
    for symbology, text in symbols:
        if symbology != "]Q1":
            gs1.setdefault(symbology, []).append(_gs1(symbology, text))
    urls = [text for symbology, text in symbols if symbology == "]Q1"]

    if data.kind == "unit":
        assert gs1 == {"]d2": [data.elements()]}, context
        assert data.digital_link_base
        identity = "/".join(f"{ai}/{v}" for ai, v in data.elements() if ai in ("01", "21"))
        assert urls == [f"{data.digital_link_base}/{identity}"], context
    else:
        assert data.content_elements(), "the samples of case and pallet are homogeneous"
        # (02)+(37) fit one GS1-128 within GS1 limits on 4 in; the DataMatrix holds it all.
        content = [("02", data.content_elements()[0][1]), ("37", str(data.count))]
        assert sorted(gs1["]C1"]) == sorted([data.elements(), content]), context
        assert gs1.get("]d2", []) == [[*data.elements(), *data.content_elements()]], context
        assert urls == [], context

"""The preview of every shipped template beside two independent ZPL renderers.

What a person reads off the preview must be what the printer prints: the same barcode data,
each symbol where the printer puts it (within 2 dots), and each line of text as wide as it
prints (within 5 %). Before the preview set font 0 in its own widths, text came out 25-37 %
wider than it prints and the QR code 10 dots higher.

The renderers: Zebrash (Go, via npm ``zpl-renderer-js``), the one the widths are held to,
and zplkit (Rust, PyPI), whose ``zd621`` profile draws font 0 from bitmaps captured on a real
Zebra printer. Neither shares code with labelsvc or with the other. They do not agree with each
other on text to 5 %: Zebrash sets digits 0.5 em wide from unhinted outlines, zplkit's captured
glyphs are 0.47 em with wider side bearings, so short digit strings ("(17) 261231", "31.12.26")
differ between them by up to 10 %. The preview, set in font 0's own widths, is held within 5 %
of Zebrash and within that 10 % of zplkit; each line starts within 2 dots of where Zebrash
starts it (3 of zplkit). Barcodes they place alike, to the dot.

Each text field is also drawn alone (one field on an empty label) so that its width is measured
from its own ink, not from what stands beside it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import zebrash_driver
import zplkit_driver
import zxingcpp
from PIL import Image, ImageOps

from labelsvc.labels import LabelData, TemplateLibrary, interpret

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ["unit", "unit-4x6", "case", "pallet"]
DPIS = [203, 300]
TEXT_FIELD = re.compile(rb"\^FO\d+,\d+\^A0N,(\d+),(\d+)(?:\^FR)?\^FH\\\^FD(.*?)\^FS")
ENGINES = ["zebrash", "zplkit"]
WIDTH_TOLERANCE = {"zebrash": 0.05, "zplkit": 0.10}  # of the text's width (see above)
POSITION_TOLERANCE = 2  # dots, for barcodes
TEXT_START_TOLERANCE = {"zebrash": 2, "zplkit": 3}  # dots: zplkit's "(" has a wider bearing


Box = tuple[int, int, int, int]
Drawn = tuple[
    str, dict[tuple[str, int], tuple[bytes, Image.Image, list[tuple[bytes, Image.Image]]]]
]  # engine, then by (template, dpi): the ZPL, its image, each text field alone


def _alone(zpl: bytes, field: bytes) -> bytes:
    """The label's setup (^CI28, ^PW, ^LL) with one text field on it, drawn black on white."""
    head = zpl[: zpl.index(b"^LH0,0") + len(b"^LH0,0")]
    return head + field.replace(b"^FR", b"") + b"^XZ"


def _draw(engine: str, zpls: list[bytes], dpis: list[int]) -> list[Image.Image]:
    """One image per ZPL (each holds one label), drawn by ``engine``."""
    if engine == "zplkit":
        drawn = [zplkit_driver.render(zpl, dpi) for zpl, dpi in zip(zpls, dpis, strict=True)]
    else:  # one Node process for all (loading the WASM takes ~1 s)
        answer = zebrash_driver.render(zpls, dpis)[1]
        assert all(one.error is None for one in answer), [one.error for one in answer]
        drawn = [one.images for one in answer]
    assert all(len(images) == 1 for images in drawn)
    return [images[0] for images in drawn]


@cache
def _rendered(engine: str) -> Drawn:
    """Each template at each resolution, whole and field by field, drawn by ``engine``."""
    library = TemplateLibrary(ROOT / "zpl")
    keys, zpls, dpis = [], [], []
    for name in TEMPLATES:
        for dpi in DPIS:
            zpl = library.render_zpl(name, LabelData.sample(library.kind_of(name)), dpi)
            fields = [_alone(zpl, m.group(0)) for m in TEXT_FIELD.finditer(zpl)]
            keys.append((name, dpi, zpl, fields))
            zpls += [zpl, *fields]
            dpis += [dpi] * (1 + len(fields))
    out = {}
    images = iter(_draw(engine, zpls, dpis))
    for name, dpi, zpl, fields in keys:
        whole = next(images)
        out[(name, dpi)] = (zpl, whole, [(f, next(images)) for f in fields])
    return engine, out


@pytest.fixture(scope="module", params=ENGINES)
def independent(request: pytest.FixtureRequest) -> Drawn:
    """What an independent renderer drew (the fixture runs each test once per renderer)."""
    engine: str = request.param
    (zplkit_driver if engine == "zplkit" else zebrash_driver).require()
    return _rendered(engine)


def _symbols(image: Image.Image) -> dict[tuple[str, str], Box]:
    found = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    return {
        (r.symbology_identifier, r.text): (
            r.position.top_left.x, r.position.top_left.y,
            r.position.bottom_right.x, r.position.bottom_right.y,
        )
        for r in found
    }  # fmt: skip


def _ink(image: Image.Image) -> Box:
    box = ImageOps.invert(image.convert("L")).getbbox()
    assert box is not None, "nothing was drawn"
    return box


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", TEMPLATES)
def test_the_preview_puts_every_barcode_where_the_printer_does(
    independent: Drawn, name: str, dpi: int
) -> None:
    zpl, theirs, _ = independent[1][(name, dpi)]
    ours = _symbols(interpret(zpl, dpi)[0].image)
    expected = _symbols(theirs)
    assert ours.keys() == expected.keys()  # decoded data identical, symbol for symbol
    assert len(ours) >= 2  # a unit label has a DataMatrix and a QR, a case three symbols
    for symbol, box in ours.items():
        off = max(abs(a - b) for a, b in zip(box, expected[symbol], strict=True))
        assert off <= POSITION_TOLERANCE, f"{symbol[0]} at {box}, there {expected[symbol]}"


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", TEMPLATES)
def test_the_preview_sets_text_as_wide_as_the_printer(
    independent: Drawn, name: str, dpi: int
) -> None:
    engine, drawn_by = independent
    _, _, fields = drawn_by[(name, dpi)]
    assert len(fields) >= 4
    report = []
    for alone, theirs in fields:
        match = TEXT_FIELD.search(alone)
        assert match is not None
        text = match.group(3)
        [drawn] = interpret(alone, dpi)
        ours, expected = _ink(drawn.image), _ink(theirs)
        got, want = ours[2] - ours[0], expected[2] - expected[0]
        # 5 %, plus the one dot that measuring ink on a pixel grid can move either edge by
        if abs(got - want) > WIDTH_TOLERANCE[engine] * want + 1:
            report.append(f"{text.decode()!r}: {got} dots wide, there {want}")
        if abs(ours[0] - expected[0]) > TEXT_START_TOLERANCE[engine]:
            report.append(f"{text.decode()!r}: starts at {ours[0]}, there {expected[0]}")
    assert report == []


def test_the_preview_names_what_it_cannot_draw_and_not_printer_settings() -> None:
    zpl = (
        "^XA^PW400^LL200^POI^PQ2^JZY^MD10^FWN"
        "^FO10,10^A0R,30,30^FDUP^FS^FO10,60^GC40,2^FS^FO10,120^BCN,40^FD1234^FS~JR^XZ"
    )
    [drawn] = interpret(zpl)
    assert drawn.unsupported == [
        "^POI (print orientation): drawn as ^PON",
        "^A0R: rotated text drawn upright",
        "^GC (circle): not drawn",
        "^BC interpretation line: not drawn",
        "~JR: not drawn",
    ]


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_shipped_template_is_drawn_whole(library: TemplateLibrary, name: str) -> None:
    for dpi in DPIS:
        assert library.preview(name, LabelData.sample(library.kind_of(name)), dpi).unsupported == []

"""Case and pallet labels within GS1 limits (GS1 General Specifications 5.4.4, the symbol
specification table for logistic labels, GS1 Logistic Label Guideline).

Checked on the rendered image: zxing-cpp decodes every symbol, biip (a GS1 parser we did
not write) reads its data, the data characters are counted from what the scanner
transmits, and the narrowest bar is measured in printer dots on a scan line.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import biip
import pytest
import zxingcpp
from PIL import Image

from labelsvc.labels import LabelData, LabelRenderError, TemplateLibrary

LOT20 = "LOT2024ABCDEFGHIJKLM"  # 20 characters, alphanumeric: the longest a lot may be


def _biip(symbology: str, text: str) -> list[tuple[str, str]]:
    message = biip.parse(symbology + text).gs1_message
    assert message is not None, text
    return [(e.ai.ai, e.value) for e in message.element_strings]


def _narrowest_run(image: Image.Image, result: zxingcpp.Result) -> int:
    """The narrowest bar or space (in dots) along the symbol's middle scan line."""
    pos = result.position
    y = (pos.top_left.y + pos.bottom_left.y) // 2
    left, right = min(pos.top_left.x, pos.bottom_left.x), max(pos.top_right.x, pos.bottom_right.x)
    row = [image.getpixel((x, y)) < 128 for x in range(left, right + 1)]
    runs, count = [], 1
    for a, b in itertools.pairwise(row):
        if a == b:
            count += 1
        else:
            runs.append(count)
            count = 1
    return min(runs[1:])  # the first run may be cut by zxing's edge estimate


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("name", ["case", "pallet"])
def test_twenty_character_lot_stays_within_gs1_limits(
    library: TemplateLibrary, name: str, dpi: int
) -> None:
    data = replace(LabelData.sample(name), lot=LOT20)  # type: ignore[arg-type]
    image = library.preview(name, data, dpi).image.convert("L")
    results = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    linear = [r for r in results if r.symbology_identifier == "]C1"]
    assert len(linear) == 2  # content and SSCC
    minimum = math.ceil(0.495 * dpi / 25.4)
    for r in linear:
        assert len(r.text) <= 48, r.text  # AIs, data and FNC1 separators as transmitted
        assert _narrowest_run(image, r) >= minimum
    # Everything the label says is readable: the DataMatrix holds the whole message.
    (matrix,) = [r for r in results if r.symbology_identifier == "]d2"]
    whole = [*data.elements(), *data.content_elements()]
    assert _biip("]d2", matrix.text) == whole
    assert ("10", LOT20) in whole
    read = {e for r in linear for e in _biip("]C1", r.text)}
    assert read == {*data.elements(), ("02", data.content_gtin), ("37", str(data.count))}


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ('[("00", "395060000001343525"), ("91", "' + "A" * 27 + '")] | gs1_128(2, 40, 97.6, 31.75)',
         "data characters, GS1 allows 48"),
        ('[("91", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] | gs1_128(2, 40, 97.6, 31.75)',
         "at the GS1 minimum module of 0.495 mm"),
        ("elements | gs1_128(2, 40, 97.6, 18)", "below the GS1 minimum of 31.75 mm"),
        ("elements | gs1_128(2, 40, 97.6, 31.75, module=1.2)", "above the GS1 maximum"),
    ],
)  # fmt: skip
def test_a_symbol_outside_gs1_limits_is_refused_not_shrunk(
    scratch_library: TemplateLibrary, field: str, problem: str
) -> None:
    text = "{# kind: case #}\n^XA^PW{{ 101.6 | mm }}^LL{{ 152.4 | mm }}\n{{ " + field + " }}\n^XZ\n"
    with pytest.raises(LabelRenderError) as refused:
        scratch_library.add("custom", text)
    assert refused.value.code == "label-render"
    assert problem in refused.value.detail


@pytest.mark.parametrize("name", ["case", "pallet"])
def test_day_00_prints_as_the_last_day_of_the_month(library: TemplateLibrary, name: str) -> None:
    data = replace(LabelData.sample(name), best_before=None, expiry="271100")  # type: ignore[arg-type]
    texts = library.preview(name, data).texts()
    assert "30.11.27" in texts
    assert "00.11.27" not in texts

"""Every shipped template at 203 and 300 dpi: what the preview carries is what the data says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
import zxingcpp
from PIL import Image

from labelsvc.gs1 import Element
from labelsvc.labels import LabelData, TemplateLibrary

TEMPLATES = ["unit", "unit-4x6", "case", "pallet", "location"]
DPIS = [203, 300]

Decoded = list[tuple[str, str]]


def test_the_shipped_templates_are_the_documented_ones(library: TemplateLibrary) -> None:
    assert library.names() == sorted(TEMPLATES)
    kinds = {name: library.kind_of(name) for name in TEMPLATES}
    assert kinds == {"unit": "unit", "unit-4x6": "unit", "case": "case", "pallet": "pallet",
                     "location": "location"}  # fmt: skip


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", TEMPLATES)
def test_preview_barcodes_carry_the_label_data(
    library: TemplateLibrary,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
    name: str,
    dpi: int,
) -> None:
    data = LabelData.sample(library.kind_of(name))
    drawn = library.preview(name, data, dpi)
    decoded = decode(drawn.image)
    by_symbology: dict[str, list[list[Element]]] = {}
    for symbology, text in decoded:
        if symbology.startswith("]Q"):
            by_symbology.setdefault("qr", []).append([("url", text)])
        else:
            by_symbology.setdefault(symbology, []).append(gs1(symbology, text))

    if data.kind == "unit":
        assert by_symbology["]d2"] == [data.elements()]
        assert data.elements() == [
            ("01", "09506000134352"),
            ("21", "A7K2M9Q4"),
            ("10", "L2406-17"),
            ("17", "261231"),
        ]
        link = "https://id.example.com/01/09506000134352/21/A7K2M9Q4"
        assert by_symbology["qr"] == [[("url", link)]]
        assert "]C1" not in by_symbology
    elif data.kind == "location":
        # a bin: (414) GLN + (254) extension, whole in each symbol (never the GLN alone)
        assert data.elements() == [("414", "9506000000008"), ("254", "A-01-03")]
        assert by_symbology["]C1"] == by_symbology["]d2"] == [data.elements()]
    else:
        # Within GS1 limits on 4 in: (02)+(37) fit one GS1-128 at the minimum module, the
        # date and the lot do not; the GS1 DataMatrix carries everything the label says.
        count = str(data.count)
        assert sorted(by_symbology["]C1"]) == sorted(
            [data.elements(), [("02", "19506000134359"), ("37", count)]]
        )
        assert by_symbology["]d2"] == [[*data.elements(), *data.content_elements()]]
    # The HRI of the main barcode is printed as text.
    texts = " ".join(drawn.texts())
    for ai, value in data.elements():
        assert f"({ai}) {value}" in texts
    assert drawn.image.size == {
        ("unit", 203): (406, 203),
        ("unit", 300): (600, 300),
        ("location", 203): (6 * 203, 3 * 203),
        ("location", 300): (6 * 300, 3 * 300),
    }.get((name, dpi), (4 * dpi, 6 * dpi))


@pytest.mark.parametrize("name", TEMPLATES)
def test_decoded_symbols_sit_where_the_zpl_puts_them(library: TemplateLibrary, name: str) -> None:
    data = LabelData.sample(library.kind_of(name))
    drawn = library.preview(name, data, 300)
    boxes = [f for f in drawn.fields if f.kind in ("gs1-datamatrix", "gs1-128", "qr")]
    results = zxingcpp.read_barcodes(drawn.image.convert("L"))
    assert len(results) == len(boxes)
    for result in results:
        corners = [result.position.top_left, result.position.bottom_right]
        assert any(
            all(f.x <= p.x <= f.x + f.width and f.y <= p.y <= f.y + f.height for p in corners)
            for f in boxes
        ), f"{result.text} drawn outside every ZPL barcode field"


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", TEMPLATES)
def test_minimal_data_renders_and_decodes(
    library: TemplateLibrary,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
    name: str,
    dpi: int,
) -> None:
    data = LabelData.minimal(library.kind_of(name))
    decoded = decode(library.preview(name, data, dpi).image)
    main = [gs1(sym, text) for sym, text in decoded if sym in ("]d2", "]C1")]
    assert data.elements() in main
    assert all(sym in ("]d2", "]C1") for sym, _ in decoded)  # no QR without a resolver base


@pytest.mark.parametrize("name", TEMPLATES)
def test_reprint_mark_is_drawn_reversed(library: TemplateLibrary, name: str) -> None:
    data = replace(LabelData.sample(library.kind_of(name)), reprint=True)
    marks = [f for f in library.preview(name, data).fields if f.text == "REPRINT"]
    assert len(marks) == 1 and marks[0].reverse
    plain = library.preview(name, LabelData.sample(library.kind_of(name)))
    assert "REPRINT" not in plain.texts()


@pytest.mark.parametrize("name", ["case", "pallet"])
def test_module_size_follows_the_dpi_and_never_shrinks(library: TemplateLibrary, name: str) -> None:
    data = LabelData.sample(name)  # type: ignore[arg-type]
    for dpi, dots in ((203, 4), (300, 6)):  # the fewest dots at or above 0.495 mm
        zpl = library.render_zpl(name, data, dpi).decode()
        params = [part.split("^")[0].split(",") for part in zpl.split("^BY")[1:]]
        assert [int(p[0]) for p in params] == [dots, dots]
        # bars at least 31.75 mm high
        assert all(int(p[2]) >= 31.75 * dpi / 25.4 - 1 for p in params)


def test_pallet_shows_ship_from_and_ship_to_lines(library: TemplateLibrary) -> None:
    texts = library.preview("pallet", LabelData.sample("pallet")).texts()
    assert "Northern Grocers DC" in texts
    assert "Leeds LS1 4AB, GB" in texts
    assert "31.12.26" in texts  # best before, dd.mm.yy
    bare = replace(LabelData.sample("pallet"), ship_from="", ship_to="")
    assert "TO" not in library.preview("pallet", bare).texts()


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("name", ["unit", "unit-4x6"])
def test_longest_serial_and_lot_still_fit(
    library: TemplateLibrary,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
    name: str,
    dpi: int,
) -> None:
    data = replace(LabelData.sample("unit"), serial="AB_DEFGHIJ0123456789", lot="L" * 20)
    decoded = dict(decode(library.preview(name, data, dpi).image))
    assert gs1("]d2", decoded["]d2"]) == data.elements()
    assert decoded["]Q1"] == "https://id.example.com/01/09506000134352/21/AB_DEFGHIJ0123456789"

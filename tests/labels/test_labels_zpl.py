"""Field data can never become a ZPL command, and the ZPL traps are handled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from labelsvc.gs1 import CSET82, GS, Element
from labelsvc.labels import LabelData, TemplateLibrary, interpret, preview
from labelsvc.labels.code128 import decode_zpl, encode_gs1
from labelsvc.labels.zpl import escape, unescape

Decoded = list[tuple[str, str]]
HACK = "^XZ^XA^FDHACK^FS~JR"


def test_injected_commands_stay_text(
    library: TemplateLibrary,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
) -> None:
    data = replace(LabelData.sample("unit"), description=HACK, sku="~JR^FS")
    zpl = library.render_zpl("unit", data)
    assert zpl.count(b"^XA") == 1 and zpl.count(b"^XZ") == 1
    assert b"~JR" not in zpl and b"HACK^FS" not in zpl
    assert b"\\5EXZ\\5EXA\\5EFDHACK\\5EFS\\7EJR" in zpl
    drawn = preview(zpl)
    assert HACK[:34] in drawn.texts()  # drawn as text, unescaped
    assert "SKU ~JR^FS" in drawn.texts()
    # no ~JR reached the interpreter as a command (^JZ is the printer's error recovery)
    assert [c for c in drawn.ignored if c != "^JZ"] == []
    [(symbology, text)] = [d for d in decode(drawn.image) if d[0] == "]d2"]
    assert gs1(symbology, text) == data.elements()


def test_unicode_text_prints_through_ci28(library: TemplateLibrary) -> None:
    data = replace(LabelData.sample("unit"), description="Müsli – 500 g")
    zpl = library.render_zpl("unit", data)
    assert b"^CI28" in zpl
    assert zpl.isascii()  # every non-ASCII byte travels as a ^FH hex escape
    assert b"M\\C3\\BCsli \\E2\\80\\93 500 g" in zpl
    assert "Müsli – 500 g" in preview(zpl).texts()


def test_underscore_and_angle_bracket_in_gs1_data(
    library: TemplateLibrary,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
) -> None:
    """``_`` is the ^BX escape and ``>`` the ^BC invocation prefix; both are GS1 data too."""
    unit = replace(LabelData.sample("unit"), serial="AB_1>%", lot="L_1")
    zpl = library.render_zpl("unit", unit).decode()
    assert "_1010950600013435221AB__1>%_110L__1_117261231" in zpl
    found = [gs1(s, t) for s, t in decode(preview(zpl).image) if s == "]d2"]
    assert found == [unit.elements()]

    case = replace(LabelData.sample("case"), lot="L>1_2")
    drawn = library.preview("case", case)
    found = [gs1(s, t) for s, t in decode(drawn.image) if s == "]d2"]
    assert [*case.elements(), *case.content_elements()] in found
    assert ("10", "L>1_2") in case.content_elements()


def test_bx_without_explicit_escape_is_not_gs1(decode: Callable[[Image.Image], Decoded]) -> None:
    """The trap: modern firmware's default escape is ``~``, so ``_1`` is plain data."""
    body = "^FO20,20^BXN,6,200^FD_10109506000134352^FS"
    [(symbology, text)] = decode(preview(f"^XA^PW400^LL400{body}^XZ").image)
    assert symbology == "]d1"
    assert text == "_10109506000134352"


def test_labels_concatenate(library: TemplateLibrary) -> None:
    units = [replace(LabelData.sample("unit"), serial=f"S{n}") for n in range(3)]
    zpl = b"".join(library.render_zpl("unit", u) for u in units)
    drawn = interpret(zpl)
    assert [p.fields[1].text for p in drawn] == [
        "01095060001343522" + f"1S{n}{GS}10L2406-17{GS}17261231" for n in range(3)
    ]


@given(st.text())
def test_escape_roundtrip(text: str) -> None:
    escaped = escape(text)
    assert escaped.isascii()
    assert not {"^", "~"} & set(escaped)
    assert all(ord(c) >= 0x20 for c in escaped)
    assert unescape(escaped.encode()) == text.encode()


_value = st.text(alphabet=sorted(CSET82), min_size=1, max_size=20)


@given(st.lists(st.sampled_from(["\x1d", "0", "12", "1234", "ABC", ">"]) | _value, max_size=6))
def test_code128_field_data_roundtrip(parts: list[str]) -> None:
    data = "10" + "".join(parts)
    field, modules = encode_gs1(data)
    assert decode_zpl(field) == (True, data)
    assert (modules - 13) % 11 == 0

"""Turn what a keyboard-wedge scanner typed into GS1 elements, or a bare code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from labelsvc.gs1.ai import CSET82
from labelsvc.gs1.check import is_valid_sscc, normalize_gtin
from labelsvc.gs1.digital_link import (
    PRIMARY_KEYS,
    is_digital_link,
    names_a_gs1_key,
    parse_digital_link,
)
from labelsvc.gs1.element import GS, Element, parse_element_string, parse_hri
from labelsvc.gs1.errors import GS1_INVALID, Gs1Error

Form = Literal["element", "hri", "link", "sscc", "bare"]

#: Symbology identifiers (ISO/IEC 15424) whose data is a GS1 element string. Any other
#: identifier (``]C0``, ``]Q1``, ``]d1``...) says the data is not GS1, however it looks.
GS1_SYMBOLOGIES = frozenset({"]d2", "]C1", "]Q3", "]e0", "]J1"})
#: EAN/UPC identifiers: the data is a GTIN-13 (UPC-A with a leading 0) or a GTIN-8.
EAN_SYMBOLOGIES = frozenset({"]E0", "]E4"})

_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_HRI_START = re.compile(r"^\(\d{2,4}\)")
_WEDGE_NOISE = "\r\n\t"
#: Without a symbology identifier, element strings are only recognised when they start with
#: an identification key, so that a plain serial such as ``10ABC`` is not read as a lot.
_KEY_AIS = (*PRIMARY_KEYS, "02")


@dataclass(frozen=True)
class Scan:
    """One scan, understood: where it came from, what form it had and the data in it."""

    raw: str
    symbology: str | None
    form: Form
    elements: tuple[Element, ...]
    bare: str | None = None

    def get(self, ai: str) -> str | None:
        """The value of ``ai`` in this scan, or None."""
        return next((value for code, value in self.elements if code == ai), None)

    @property
    def gtin(self) -> str | None:
        """AI (01), the 14-digit GTIN."""
        return self.get("01")

    @property
    def serial(self) -> str | None:
        """AI (21)."""
        return self.get("21")

    @property
    def sscc(self) -> str | None:
        """AI (00), the 18-digit SSCC."""
        return self.get("00")

    @property
    def lot(self) -> str | None:
        """AI (10)."""
        return self.get("10")


def parse_scan(text: str, gs_substitute: str = "", *, associations: bool = True) -> Scan:
    """Understand one scan; a fault in data that is clearly GS1 raises a Gs1Error.

    ``gs_substitute`` is the character a scanner was configured to send instead of GS
    (ASCII 29), e.g. ``~`` or ``|``; it must not be in GS1 character set 82.
    ``associations=False`` reads one symbol of a label whose other symbols hold the rest.
    """
    a = associations
    if gs_substitute and any(c in CSET82 for c in gs_substitute):
        raise Gs1Error(
            GS1_INVALID,
            f"GS substitute {gs_substitute!r} is in GS1 character set 82, so it could be data",
        )
    data = text.strip(_WEDGE_NOISE)
    symbology: str | None = None
    if _SYMBOLOGY.match(data):
        symbology, data = data[:3], data[3:]
    if not data:
        raise Gs1Error(GS1_INVALID, "the scan is empty")

    def scan(form: Form, elements: list[Element], bare: str | None = None) -> Scan:
        return Scan(text, symbology, form, tuple(elements), bare)

    with_gs = data.replace(gs_substitute, GS) if gs_substitute else data
    element_data = with_gs.removeprefix(GS)  # a leading FNC1 some scanners transmit as GS

    if symbology in GS1_SYMBOLOGIES:
        return scan("element", parse_element_string(element_data, associations=a))
    if symbology in EAN_SYMBOLOGIES:
        return scan("element", [("01", normalize_gtin(data))])
    if data.lower().startswith(("http://", "https://")):
        scheme = data.split(":", 1)[0]
        if scheme not in ("http", "https", "HTTP", "HTTPS") and is_digital_link(
            scheme.lower() + data[len(scheme) :]
        ):
            raise Gs1Error(GS1_INVALID, f"a Digital Link scheme is all lower or all upper case, "
                           f"not {scheme!r}")  # fmt: skip
        if is_digital_link(data) or names_a_gs1_key(data):
            return scan("link", parse_digital_link(data, associations=a))
        return scan("bare", [], data)
    if symbology is not None and _HRI_START.match(data):
        return scan("bare", [], data)  # (nn) text in a non-GS1 symbol is not GS1 data
    if _HRI_START.match(data):
        return scan("hri", parse_hri(data, associations=a))
    if is_valid_sscc(data):
        return scan("sscc", [("00", data)])
    if symbology is None:
        if GS in with_gs:  # only GS1 data carries separators
            return scan("element", parse_element_string(element_data, associations=a))
        if element_data.startswith(_KEY_AIS):
            try:
                return scan("element", parse_element_string(element_data, associations=a))
            except Gs1Error:
                pass  # looks like GS1 by chance only: a plain serial
    return scan("bare", [], data)

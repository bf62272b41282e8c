"""GS1 limits for barcodes on logistic labels, and how label content is split to meet them.

GS1 General Specifications 5.4.4 and the symbol specification table for logistic units
(GS1 Logistic Label Guideline): a GS1-128 carries at most 48 data characters (AIs, data
and FNC1 separators), is at most 165.1 mm long with its quiet zones of 10 modules, has a
module (X-dimension) of 0.495 to 1.016 mm and bars at least 31.75 mm high; HRI text is at
least 3 mm high and the data content of the text block at least 7 mm. A label that cannot
meet them is refused rather than printed with shrunken bars that scanners may not read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from labelsvc.gs1.ai import lookup
from labelsvc.gs1.element import Element, build_element_string
from labelsvc.labels.code128 import QUIET_MODULES, encode_gs1

MAX_DATA_CHARS = 48
MAX_LENGTH_MM = 165.1
MIN_X_MM = 0.495
MAX_X_MM = 1.016
MIN_BAR_HEIGHT_MM = 31.75
MIN_HRI_MM = 3.0
MIN_DATA_TEXT_MM = 7.0


class Gs1LimitError(ValueError):
    """Label data that no GS1-conformant symbol on this label can carry."""


def min_module_dots(dpi: int) -> int:
    """The narrowest module a printer of ``dpi`` can print at or above the GS1 minimum."""
    return math.ceil(MIN_X_MM * dpi / 25.4 - 1e-9)


def data_chars(elements: Sequence[Element]) -> int:
    """Data characters of a GS1-128: AI digits, data and FNC1 separators (GS)."""
    return len(build_element_string(elements, associations=False))


def symbol_mm(elements: Sequence[Element], module_mm: float) -> float:
    """Length of the GS1-128 of ``elements`` with its quiet zones, in mm."""
    _, modules = encode_gs1(build_element_string(elements, associations=False))
    return (modules + 2 * QUIET_MODULES) * module_mm


def fits(elements: Sequence[Element], width_mm: float, module_mm: float) -> bool:
    """True when one GS1-128 can carry ``elements`` within the limits and ``width_mm``."""
    room = min(width_mm, MAX_LENGTH_MM)
    return data_chars(elements) <= MAX_DATA_CHARS and symbol_mm(elements, module_mm) <= room


def _ordered(elements: list[Element]) -> list[Element]:
    """Predefined-length AIs first, so that no FNC1 separator is spent between them."""
    return sorted(elements, key=lambda e: lookup(e[0]).fnc1_required)


def split_for_gs1_128(
    elements: Sequence[Element], width_mm: float, dpi: int, max_symbols: int
) -> tuple[list[list[Element]], list[Element]]:
    """Pack ``elements`` into at most ``max_symbols`` GS1-128 symbols within the limits.

    First fit, in the given order; what fits no symbol is returned as left over (a long
    alphanumeric lot needs more than a 4 in label's width at the minimum module), for the
    label to carry in its GS1 DataMatrix and its text instead.
    """
    module_mm = min_module_dots(dpi) * 25.4 / dpi
    symbols: list[list[Element]] = []
    left: list[Element] = []
    for element in elements:
        for symbol in symbols:
            if fits(_ordered([*symbol, element]), width_mm, module_mm):
                symbol[:] = _ordered([*symbol, element])
                break
        else:
            if len(symbols) < max_symbols and fits([element], width_mm, module_mm):
                symbols.append([element])
            else:
                left.append(element)
    return symbols, left

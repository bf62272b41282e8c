"""The pure GS1 core: AIs, check digits, element strings, Digital Link and scan parsing.

Every AI, linter and association rule comes from the shipped GS1 Barcode Syntax Dictionary
(``data/``; :func:`dictionary` names its release). Standard library only (plus
``labelsvc.domain.errors``), so every layer may use it.
"""

from labelsvc.gs1.ai import AI_TABLE, CSET82, AIDef, lookup, validate_value
from labelsvc.gs1.check import (
    check_digit,
    has_valid_check_digit,
    is_valid_sscc,
    make_sscc,
    normalize_gtin,
    validate_gln,
)
from labelsvc.gs1.dates import calendar_date
from labelsvc.gs1.dictionary import dictionary
from labelsvc.gs1.digital_link import build_digital_link, is_digital_link, parse_digital_link
from labelsvc.gs1.element import (
    GS,
    Element,
    build_element_string,
    build_hri,
    needs_separator_after,
    parse_element_string,
    parse_hri,
    validate_elements,
)
from labelsvc.gs1.errors import GS1_INVALID, Gs1Error
from labelsvc.gs1.scan import Scan, parse_scan

__all__ = [
    "AI_TABLE",
    "CSET82",
    "GS",
    "GS1_INVALID",
    "AIDef",
    "Element",
    "Gs1Error",
    "Scan",
    "build_digital_link",
    "build_element_string",
    "build_hri",
    "calendar_date",
    "check_digit",
    "dictionary",
    "has_valid_check_digit",
    "is_digital_link",
    "is_valid_sscc",
    "lookup",
    "make_sscc",
    "needs_separator_after",
    "normalize_gtin",
    "parse_digital_link",
    "parse_element_string",
    "parse_hri",
    "parse_scan",
    "validate_elements",
    "validate_gln",
    "validate_value",
]

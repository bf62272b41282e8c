"""What keyboard-wedge scanners send, and what parse_scan makes of it."""

from __future__ import annotations

import pytest

from labelsvc.gs1 import GS, Gs1Error, Scan, parse_scan

GTIN = "09506000134352"
SSCC = "106141411234567897"
UNIT = (("01", GTIN), ("21", "ABC"))


@pytest.mark.parametrize("sym", ["]d2", "]C1", "]Q3", "]e0"])
def test_gs1_symbology_identifiers(sym: str) -> None:
    scan = parse_scan(f"{sym}01{GTIN}21ABC\r\n")
    assert (scan.symbology, scan.form, scan.elements) == (sym, "element", UNIT)
    assert (scan.gtin, scan.serial, scan.sscc, scan.bare) == (GTIN, "ABC", None, None)


def test_raw_keeps_what_was_typed() -> None:
    text = f"]d201{GTIN}21ABC\n"
    assert parse_scan(text).raw == text


def test_separator_as_gs_substitute_and_leading_fnc1() -> None:
    data = f"10L1~01{GTIN}17251231"
    scan = parse_scan(f"]d2~{data}\t", gs_substitute="~")
    assert scan.elements == (("10", "L1"), ("01", GTIN), ("17", "251231"))
    assert scan.lot == "L1"
    assert scan.get("17") == "251231"
    assert scan.get("37") is None


def test_leading_gs_without_symbology_is_element_string() -> None:
    scan = parse_scan(f"{GS}01{GTIN}21ABC")
    assert (scan.symbology, scan.form, scan.elements) == (None, "element", UNIT)


def test_gs_inside_without_symbology_is_element_string() -> None:
    assert parse_scan(f"10L1{GS}21ABC{GS}01{GTIN}").elements == (
        ("10", "L1"),
        ("21", "ABC"),
        ("01", GTIN),
    )
    assert parse_scan(f"10L1|01{GTIN}", gs_substitute="|").form == "element"


def test_symbology_decides_whether_data_is_gs1() -> None:
    # A plain Code 128 (]C0) or QR (]Q1) carrying AI-looking text is not GS1 data.
    assert parse_scan(f"]C0(01){GTIN}(21)ABC").form == "bare"
    assert parse_scan(f"]Q101{GTIN}21ABC").form == "bare"
    assert parse_scan(f"]C101{GTIN}21ABC").form == "element"
    # ... but a plain QR is how a Digital Link is printed.
    assert parse_scan(f"]Q1https://x.test/01/{GTIN}/21/ABC").form == "link"


def test_supplier_codes_with_any_dictionary_ai() -> None:
    scan = parse_scan("]C1000950600000000000153302001234")
    assert scan.elements == (("00", "095060000000000015"), ("3302", "001234"))
    unit = parse_scan(f"]d201{GTIN}21S1{GS}10L1{GS}17271100310300125091SUPPLIER-X")
    assert unit.get("3103") == "001250"
    assert unit.get("91") == "SUPPLIER-X"


def test_plain_element_string_starting_with_key() -> None:
    scan = parse_scan(f"01{GTIN}21ABC")
    assert (scan.form, scan.elements) == ("element", UNIT)
    assert parse_scan(f"00{SSCC}").sscc == SSCC


def test_hri_and_link() -> None:
    assert parse_scan(f"(01){GTIN}(21)ABC").form == "hri"
    assert parse_scan(f"(01){GTIN}(21)ABC").elements == UNIT
    link = parse_scan(f"]Q1https://id.gs1.org/01/{GTIN}/21/ABC\r")
    assert (link.symbology, link.form, link.elements) == ("]Q1", "link", UNIT)


def test_sscc_alone() -> None:
    scan = parse_scan(SSCC + "\r\n")
    assert (scan.form, scan.elements, scan.sscc) == ("sscc", (("00", SSCC),), SSCC)


def test_ean13_scan_is_gtin() -> None:
    scan = parse_scan("]E09506000134352")
    assert (scan.form, scan.gtin) == ("element", GTIN)


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("ABC-123\r\n", "ABC-123"),
        ("10ABC", "10ABC"),  # would be a valid lot, but plain serials must stay serials
        ("106141411234567898", "106141411234567898"),  # 18 digits, wrong check digit
        (f"01{GTIN[:-1]}3", f"01{GTIN[:-1]}3"),  # no symbology: not clearly GS1
        (f"]d1{'01'}{GTIN}", f"01{GTIN}"),  # plain DataMatrix: not an element string
        ("]Q1https://example.com/about", "https://example.com/about"),
        ("]C0PART-7", "PART-7"),
    ],
)
def test_bare(text: str, bare: str) -> None:
    scan = parse_scan(text)
    assert (scan.form, scan.bare, scan.elements) == ("bare", bare, ())


@pytest.mark.parametrize(
    ("text", "ai", "fragment"),
    [
        (f"]d201{GTIN[:-1]}3", "01", "AI (01): check digit should be 2, got 3"),
        (f"]C101{GTIN}21{'S' * 21}", "21", "at most 20"),
        (f"]d201{GTIN}17251399", "17", "invalid month 13"),
        ("]d2891", "89", "unknown application identifier"),
        ("]d221ABC", "21", "requires (01)"),
        (f"https://x.test/01/{GTIN}/21/S/10/L", "10", "not a key qualifier of (01)"),
        (f"{GS}01{GTIN}21A#", "21", "not in GS1 character set 82"),
        (f"(01){GTIN[:-1]}3", "01", "check digit"),
        (f"https://x.test/01/{GTIN[:-1]}3", "01", "check digit"),
        ("]d2\r\n", None, "empty"),
        ("\r\n", None, "empty"),
    ],
)
def test_errors_name_the_ai(text: str, ai: str | None, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        parse_scan(text)
    assert err.value.ai == ai
    assert fragment in str(err.value)


def test_gs_substitute_must_not_be_data() -> None:
    with pytest.raises(Gs1Error, match="character set 82"):
        parse_scan("21A", gs_substitute="/")


def test_substitute_not_applied_inside_urls() -> None:
    scan = parse_scan(f"https://x.test/~shop/01/{GTIN}", gs_substitute="~")
    assert scan.form == "link"
    assert scan.gtin == GTIN


def test_scan_is_frozen() -> None:
    scan = parse_scan("ABC")
    assert isinstance(scan, Scan)
    with pytest.raises(AttributeError):
        scan.form = "element"  # type: ignore[misc]

"""GS1 Digital Link URIs."""

from __future__ import annotations

import pytest

from labelsvc.gs1 import Element, Gs1Error, build_digital_link, parse_digital_link, parse_scan

GTIN = "09506000134352"
SSCC = "106141411234567897"


def test_build_puts_key_and_qualifiers_in_path_in_gs1_order() -> None:
    elements: list[Element] = [
        ("17", "251231"),
        ("21", "S/1+2"),
        ("10", "L1"),
        ("01", GTIN),
        ("22", "V1"),
        ("3103", "000195"),
    ]
    url = build_digital_link(elements, "https://example.com/dl/")
    assert url == f"https://example.com/dl/01/{GTIN}/22/V1/10/L1/21/S%2F1%2B2?17=251231&3103=000195"


def test_build_sscc_and_gln() -> None:
    assert build_digital_link([("00", SSCC), ("02", GTIN), ("37", "6")], "https://x.test") == (
        f"https://x.test/00/{SSCC}?02={GTIN}&37=6"
    )
    assert build_digital_link([("254", "A1"), ("414", "9506000134352")], "https://x.test") == (
        "https://x.test/414/9506000134352/254/A1"
    )


def test_build_percent_encodes_everything_but_unreserved() -> None:
    url = build_digital_link([("01", GTIN), ("21", "a-._%&'()*!:;=<>?\"")], "https://x.test")
    path_serial = url.split("/21/")[1]
    assert path_serial == "a-._%25%26%27%28%29%2A%21%3A%3B%3D%3C%3E%3F%22"


def test_build_needs_primary_key() -> None:
    with pytest.raises(Gs1Error, match="needs a primary key"):
        build_digital_link([("91", "INTERNAL-1")], "https://x.test")


def test_build_refuses_what_gs1_forbids() -> None:
    with pytest.raises(Gs1Error, match=r"AI \(21\): requires"):
        build_digital_link([("21", "S")], "https://x.test")
    with pytest.raises(Gs1Error, match=r"AI \(01\): must not appear together with AI \(37\)"):
        build_digital_link([("01", GTIN), ("37", "5")], "https://x.test")


def test_parse_with_prefix_short_names_and_ignored_params() -> None:
    url = f"https://brand.example/a/b/gtin/{GTIN}/lot/L1/ser/S%2F1?17=251231&linkType=gs1:pip"
    assert parse_digital_link(url) == [("01", GTIN), ("10", "L1"), ("21", "S/1"), ("17", "251231")]


def test_parse_query_attributes_percent_encoding_and_unknown_parameters() -> None:
    url = "https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225&context=x&flag"
    assert parse_digital_link(url) == [
        ("01", "09520123456788"),
        ("3103", "000195"),
        ("3922", "0299"),
        ("17", "201225"),
    ]
    assert parse_digital_link("https://x.test/414/9520123456788/254/32a%2Fb") == [
        ("414", "9520123456788"),
        ("254", "32a/b"),
    ]


def test_parse_gdti_and_tpx_keys_carry_their_data() -> None:
    assert parse_digital_link("https://x.test/253/1231231231232TEST5678901234567") == [
        ("253", "1231231231232TEST5678901234567")
    ]
    assert parse_digital_link(f"https://x.test/01/{GTIN}/235/XYZ?10=ABC123") == [
        ("01", GTIN),
        ("235", "XYZ"),
        ("10", "ABC123"),
    ]


def test_parse_keeps_plus_literal_in_path_and_normalizes_gtin13() -> None:
    url = "HTTP://id.gs1.org/01/9506000134352/21/A+B?30=12#frag"
    assert parse_digital_link(url) == [("01", GTIN), ("21", "A+B"), ("30", "12")]


def test_compressed_links_are_refused_not_read_as_codes() -> None:
    # GS1's compression example for https://id.gs1.org/00/998440410914660971
    compressed = "https://id.gs1.org/AN2yxDhfaiaw"
    with pytest.raises(Gs1Error, match="compressed GS1 Digital Link"):
        parse_digital_link(compressed)
    with pytest.raises(Gs1Error, match="compressed GS1 Digital Link"):
        parse_scan(compressed)
    # A plain web address whose last segment merely looks like base64url stays a plain code.
    assert parse_scan("https://example.com/products/AbCdEfGh12").form == "bare"


@pytest.mark.parametrize(
    ("url", "ai", "fragment"),
    [
        (f"https://x.test/01/{GTIN[:-1]}3", "01", "check digit should be 2, got 3"),
        (f"https://x.test/01/{GTIN}/21/A%20B", "21", "not in GS1 character set 82"),
        (f"https://x.test/01/{GTIN}?17=251301", "17", "invalid month 13"),
        (f"https://x.test/01/{GTIN}?89=1", "89", "unknown application identifier"),
        (f"https://x.test/01/{GTIN}?10=L1", "10", "belongs in the path"),
        (f"https://x.test/01/{GTIN}?8200=x", "8200", "not allowed as a Digital Link data"),
        (f"https://x.test/01/{GTIN}?99=A&99=A", "99", "appears more than once"),
        (f"https://x.test/01/{GTIN}/10/L1/", None, "must end in a GS1 primary key"),
        (f"HtTp://x.test/01/{GTIN}", None, "http(s) URL"),
        (f"https://x.test/01/{GTIN}/21/S/10/L", "10", "not a key qualifier of (01) in this place"),
        (f"https://x.test/01/{GTIN}/17/251231", "17", "not a key qualifier of (01)"),
        ("https://x.test/products/42", None, "must end in a GS1 primary key"),
        (f"ftp://x.test/01/{GTIN}", None, "http(s) URL"),
    ],
)
def test_parse_errors(url: str, ai: str | None, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        parse_digital_link(url)
    assert err.value.ai == ai
    assert fragment in str(err.value)

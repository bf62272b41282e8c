"""GS1 Digital Link URIs."""

from __future__ import annotations

import pytest

from labelsvc.gs1 import Element, Gs1Error, build_digital_link, parse_digital_link

GTIN = "09506000134352"
SSCC = "106141411234567897"


def test_build_puts_key_and_qualifiers_in_path_in_gs1_order() -> None:
    elements: list[Element] = [
        ("17", "251231"),
        ("21", "S/1+2"),
        ("10", "L1"),
        ("01", GTIN),
        ("22", "V1"),
        ("37", "6"),
    ]
    url = build_digital_link(elements, "https://example.com/dl/")
    assert url == f"https://example.com/dl/01/{GTIN}/22/V1/10/L1/21/S%2F1%2B2?17=251231&37=6"


def test_build_sscc_and_gln() -> None:
    assert build_digital_link([("00", SSCC), ("02", GTIN)], "https://x.test") == (
        f"https://x.test/00/{SSCC}?02={GTIN}"
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
        build_digital_link([("10", "L1"), ("21", "S")], "https://x.test")


def test_parse_with_prefix_short_names_and_ignored_params() -> None:
    url = f"https://brand.example/a/b/gtin/{GTIN}/lot/L1/ser/S%2F1?exp=251231&linkType=gs1:pip"
    assert parse_digital_link(url) == [("01", GTIN), ("10", "L1"), ("21", "S/1"), ("17", "251231")]


def test_parse_keeps_plus_literal_and_normalizes_gtin13() -> None:
    url = "HTTP://id.gs1.org/01/9506000134352/21/A+B/?37=12#frag"
    assert parse_digital_link(url) == [("01", GTIN), ("21", "A+B"), ("37", "12")]


@pytest.mark.parametrize(
    ("url", "ai", "fragment"),
    [
        (f"https://x.test/01/{GTIN[:-1]}3", "01", "check digit should be 2, got 3"),
        (f"https://x.test/01/{GTIN}/21/A%20B", "21", "not in GS1 character set 82"),
        (f"https://x.test/01/{GTIN}?17=251301", "17", "invalid month 13"),
        (f"https://x.test/01/{GTIN}?99=1", "99", "unknown application identifier"),
        (f"https://x.test/01/{GTIN}/21/S/10/L", None, "qualifiers in GS1 order"),
        ("https://x.test/products/42", None, "must end in a GS1 primary key"),
        (f"ftp://x.test/01/{GTIN}", None, "http(s) URL"),
    ],
)
def test_parse_errors(url: str, ai: str | None, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        parse_digital_link(url)
    assert err.value.ai == ai
    assert fragment in str(err.value)

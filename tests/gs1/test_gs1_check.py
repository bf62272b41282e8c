"""Check digits and the keys built on them, against published GS1 examples."""

from __future__ import annotations

import pytest

from labelsvc.gs1 import (
    Gs1Error,
    check_digit,
    has_valid_check_digit,
    is_valid_sscc,
    make_sscc,
    normalize_gtin,
    validate_gln,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("0950600013435", "2"),  # GTIN 09506000134352 from the GS1 General Specifications
        ("10614141123456789", "7"),  # SSCC 106141411234567897
        ("9638507", "4"),  # EAN-8 96385074
        ("03600029145", "2"),  # UPC-A 036000291452
        ("000000000000", "0"),
    ],
)
def test_check_digit_known_vectors(body: str, expected: str) -> None:
    assert check_digit(body) == expected
    assert has_valid_check_digit(body + expected)


@pytest.mark.parametrize("body", ["", "12a4", "١٢٣"])
def test_check_digit_rejects_non_digits(body: str) -> None:
    with pytest.raises(Gs1Error):
        check_digit(body)


@pytest.mark.parametrize("number", ["09506000134353", "", "5", "0950600013435X"])
def test_has_valid_check_digit_false(number: str) -> None:
    assert not has_valid_check_digit(number)


@pytest.mark.parametrize(
    ("text", "gtin14"),
    [
        ("09506000134352", "09506000134352"),
        ("9506000134352", "09506000134352"),
        ("036000291452", "00036000291452"),
        ("96385074", "00000096385074"),
        (" 9506000134352\n", "09506000134352"),
    ],
)
def test_normalize_gtin(text: str, gtin14: str) -> None:
    assert normalize_gtin(text) == gtin14


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("09506000134353", "check digit should be 2, got 3"),
        ("950600013435", "check digit should be"),
        ("09506000134", "must be 8 or 12 or 13 or 14 digits, got 11"),
        ("095060001343A2", "digits only"),
    ],
)
def test_normalize_gtin_rejects(text: str, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        normalize_gtin(text)
    assert err.value.ai == "01"
    assert err.value.code == "gs1-invalid"
    assert str(err.value).startswith("AI (01): ")
    assert fragment in str(err.value)


def test_validate_gln() -> None:
    validate_gln("9506000134352")
    with pytest.raises(Gs1Error) as err:
        validate_gln("9506000134353")
    assert err.value.ai == "414"
    with pytest.raises(Gs1Error, match="13 digits"):
        validate_gln("950600013435")


def test_make_sscc_known_vector() -> None:
    assert make_sscc(1, "0614141", 123456789) == "106141411234567897"
    assert make_sscc(1, "0614141", "123456789") == "106141411234567897"
    assert is_valid_sscc("106141411234567897")


def test_make_sscc_pads_int_reference() -> None:
    sscc = make_sscc(0, "9506000", 7)
    assert sscc[:17] == "0950600000000000" + "7"
    assert is_valid_sscc(sscc)


@pytest.mark.parametrize(
    ("ext", "prefix", "ref", "fragment"),
    [
        (10, "0614141", 1, "extension digit"),
        (-1, "0614141", 1, "extension digit"),
        (1, "061", 1, "4-12 digits"),
        (1, "06141A1", 1, "digits only"),
        (1, "0614141", 10**9, "does not fit in 9 digits"),
        (1, "0614141", -1, "does not fit"),
        (1, "0614141", "12345678", "must be 9 digits"),
        (1, "0614141", "1234567890", "must be 9 digits"),
    ],
)
def test_make_sscc_rejects(ext: int, prefix: str, ref: int | str, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        make_sscc(ext, prefix, ref)
    assert err.value.ai == "00"
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    "s", ["106141411234567898", "10614141123456789", "0106141411234567897", "1061414112345678a7"]
)
def test_is_valid_sscc_false(s: str) -> None:
    assert not is_valid_sscc(s)

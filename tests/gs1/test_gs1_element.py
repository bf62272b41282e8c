"""Element strings and HRI text: where separators go and how parsing fails."""

from __future__ import annotations

import pytest

from labelsvc.gs1 import (
    GS,
    Element,
    Gs1Error,
    build_element_string,
    build_hri,
    needs_separator_after,
    parse_element_string,
    parse_hri,
    validate_elements,
)

GTIN = "09506000134352"
UNIT: list[Element] = [("01", GTIN), ("17", "251231"), ("10", "LOT7"), ("21", "ABC")]


def test_separator_only_after_variable_length_not_last() -> None:
    assert build_element_string(UNIT) == f"01{GTIN}17251231" + "10LOT7" + GS + "21ABC"
    assert build_element_string(UNIT, "|") == f"01{GTIN}1725123110LOT7|21ABC"
    assert [needs_separator_after(UNIT, i) for i in range(4)] == [False, False, True, False]


def test_fixed_length_without_predefined_length_gets_separator() -> None:
    elements: list[Element] = [("422", "276"), ("01", GTIN)]
    assert build_element_string(elements) == f"422276{GS}01{GTIN}"


def test_build_hri() -> None:
    assert build_hri([("01", GTIN), ("21", "ABC")]) == f"(01){GTIN}(21)ABC"


def test_build_validates() -> None:
    with pytest.raises(Gs1Error, match=r"^AI \(21\): .*at most 20"):
        build_element_string([("01", GTIN), ("21", "X" * 21)])
    with pytest.raises(Gs1Error, match=r"^AI \(01\): appears twice with different values"):
        build_hri([("01", GTIN), ("01", "09506000134369")])
    with pytest.raises(Gs1Error, match=r"^AI \(21\): requires \(01\) or \(03\) or \(8006\)"):
        build_element_string([("21", "ABC")])
    with pytest.raises(Gs1Error, match=r"^AI \(01\): must not appear together with AI \(37\)"):
        build_element_string([("01", GTIN), ("37", "5")])
    with pytest.raises(Gs1Error, match=r"^AI \(02\): must not appear together with AI \(01\)"):
        build_element_string([("01", GTIN), ("02", GTIN)])
    with pytest.raises(Gs1Error, match=r"^AI \(37\): requires \(00\)"):
        build_element_string([("02", GTIN), ("37", "5")])
    # (02)+(37) belong on a logistic unit: with its SSCC they are valid.
    build_element_string([("00", "106141411234567897"), ("02", GTIN), ("37", "5")])
    with pytest.raises(Gs1Error, match="no GS1 elements"):
        validate_elements([])


def test_parse_element_string() -> None:
    data = f"01{GTIN}1725123110LOT7{GS}21ABC"
    assert parse_element_string(data) == UNIT


def test_parse_tolerates_separator_after_predefined_length() -> None:
    assert parse_element_string(f"01{GTIN}{GS}21ABC") == [("01", GTIN), ("21", "ABC")]


def test_parse_with_custom_separator() -> None:
    assert parse_element_string(f"01{GTIN}10L1~21S1", separator="~") == [
        ("01", GTIN),
        ("10", "L1"),
        ("21", "S1"),
    ]


@pytest.mark.parametrize(
    ("data", "ai", "fragment"),
    [
        (f"01{GTIN[:-1]}3", "01", "check digit should be 2, got 3"),
        (f"01{GTIN[:10]}", "01", "exactly 14 characters, data ends early"),
        (f"01{GTIN[:10]}{GS}21A", "01", "data ends early"),
        (f"01{GTIN}10LOT21" + "S" * 20, "10", "at most 20 allowed (missing separator?)"),
        (f"01{GTIN}89ABC", "89", "unknown application identifier"),
        (f"01{GTIN}7044123", "7044", "unknown application identifier"),
        ("21ABC", "21", "requires (01)"),
        (f"01{GTIN}17251301", "17", "invalid month 13"),
        (f"01{GTIN}21A B", "21", "not in GS1 character set 82"),
        (f"21A{GS}{GS}10B", None, "expected an AI at position 5"),
        (f"01{GTIN}21A{GS}21B", "21", "appears twice with different values"),
    ],
)
def test_parse_element_string_errors(data: str, ai: str | None, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        parse_element_string(data)
    assert err.value.ai == ai
    assert fragment in str(err.value)


def test_parse_hri_plain() -> None:
    text = f"(01){GTIN}(17)251231(10)LOT7(21)ABC"
    assert parse_hri(text) == UNIT


def test_parse_hri_value_with_escaped_parentheses() -> None:
    # GS1 bracketed syntax: "(" in data is written "\(", every other "(" starts an AI.
    assert parse_hri(f"(01){GTIN}(21)A\\(B)(10)L") == [("01", GTIN), ("21", "A(B)"), ("10", "L")]
    with pytest.raises(Gs1Error, match="expected an AI"):
        parse_hri(f"(01){GTIN}(21)A(B)(10)L")


@pytest.mark.parametrize(
    ("text", "ai", "fragment"),
    [
        (f"(01){GTIN[:-1]}3(21)A", "01", "check digit should be 2, got 3"),
        (f"(01){GTIN}(21)", "21", "value is empty"),
        (f"(01){GTIN}(21){'S' * 21}", "21", "at most 20"),
        (f"(89)1(01){GTIN}", "89", "unknown application identifier"),
        (f"(01){GTIN}(37)5", "01", "must not appear together with AI (37)"),
        ("01" + GTIN, None, "must start with an AI in parentheses"),
    ],
)
def test_parse_hri_errors(text: str, ai: str | None, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        parse_hri(text)
    assert err.value.ai == ai
    assert fragment in str(err.value)

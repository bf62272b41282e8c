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
    with pytest.raises(Gs1Error, match=r"^AI \(01\): appears more than once"):
        build_hri([("01", GTIN), ("01", GTIN)])
    with pytest.raises(Gs1Error, match="no GS1 elements"):
        validate_elements([])


def test_parse_element_string() -> None:
    data = f"01{GTIN}1725123110LOT7{GS}21ABC"
    assert parse_element_string(data) == UNIT


def test_parse_tolerates_separator_after_predefined_length() -> None:
    assert parse_element_string(f"01{GTIN}{GS}21ABC") == [("01", GTIN), ("21", "ABC")]


def test_parse_with_custom_separator() -> None:
    assert parse_element_string("10L1~21S1", separator="~") == [("10", "L1"), ("21", "S1")]


@pytest.mark.parametrize(
    ("data", "ai", "fragment"),
    [
        (f"01{GTIN[:-1]}3", "01", "check digit should be 2, got 3"),
        (f"01{GTIN[:10]}", "01", "exactly 14 characters, data ends early"),
        (f"01{GTIN[:10]}{GS}21A", "01", "data ends early"),
        (f"01{GTIN}10LOT21" + "S" * 20, "10", "at most 20 allowed (missing separator?)"),
        (f"01{GTIN}99ABC", "99", "unknown application identifier"),
        (f"01{GTIN}7004123", "7004", "unknown application identifier"),
        (f"01{GTIN}17251301", "17", "invalid month 13"),
        (f"01{GTIN}21A B", "21", "not in GS1 character set 82"),
        (f"21A{GS}{GS}10B", None, "expected an AI at position 5"),
        (f"21A{GS}21B", "21", "appears more than once"),
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


def test_parse_hri_value_with_parentheses() -> None:
    # "(B)" is not an AI, so it stays in the serial; "(10)" starts the next element.
    assert parse_hri(f"(01){GTIN}(21)A(B)(10)L") == [("01", GTIN), ("21", "A(B)"), ("10", "L")]


def test_parse_hri_backtracks_to_a_valid_split() -> None:
    # Splitting at "(20)" would leave VARIANT "X", which is not N2, so "(20)X" is serial data.
    assert parse_hri(f"(01){GTIN}(21)A(20)X") == [("01", GTIN), ("21", "A(20)X")]


@pytest.mark.parametrize(
    ("text", "ai", "fragment"),
    [
        (f"(01){GTIN[:-1]}3(21)A", "01", "check digit should be 2, got 3"),
        (f"(01){GTIN}(21)", "21", "value is empty"),
        (f"(01){GTIN}(21){'S' * 21}", "21", "at most 20"),
        (f"(99)1(01){GTIN}", "99", "unknown application identifier"),
        ("01" + GTIN, None, "must start with an AI in parentheses"),
    ],
)
def test_parse_hri_errors(text: str, ai: str | None, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        parse_hri(text)
    assert err.value.ai == ai
    assert fragment in str(err.value)

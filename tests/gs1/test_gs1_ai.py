"""The AI table and per-AI value rules."""

from __future__ import annotations

import pytest

from labelsvc.gs1 import AI_TABLE, CSET82, Gs1Error, lookup, validate_value

REQUIRED = [
    *("00", "01", "02", "10", "11", "12", "13", "15", "16", "17", "20", "21", "22", "30", "37"),
    *("240", "241", "250", "400", "401", "402", "410", "411", "412", "413", "414", "420"),
    *("421", "422", "3100", "3101", "3102", "3103", "3104", "3105", "7003", "8003", "8004"),
]


def test_required_ais_present_and_consistent() -> None:
    for code in REQUIRED:
        d = AI_TABLE[code]
        assert d.code == code
        assert d.title
        if d.length is not None:
            assert d.max_length == d.length


def test_cset82_is_exactly_82_characters() -> None:
    assert len(CSET82) == 82
    for char in " #$@[\\]^`{|}~\x1d":
        assert char not in CSET82


@pytest.mark.parametrize(
    ("code", "fnc1"),
    [
        ("00", False),
        ("01", False),
        ("02", False),
        ("11", False),
        ("13", False),
        ("15", False),
        ("17", False),
        ("20", False),
        ("3103", False),
        ("410", False),
        ("414", False),
        ("10", True),
        ("21", True),
        ("22", True),
        ("30", True),
        ("37", True),
        ("240", True),
        ("402", True),  # fixed length, but not in the predefined-length table
        ("422", True),
        ("7003", True),
        ("8003", True),
        ("8004", True),
    ],
)
def test_fnc1_required_follows_predefined_length_table(code: str, fnc1: bool) -> None:
    assert lookup(code).fnc1_required is fnc1


def test_shapes_of_common_ais() -> None:
    gtin, serial, expiry = lookup("01"), lookup("21"), lookup("17")
    assert (gtin.length, gtin.numeric, gtin.check_digit) == (14, True, True)
    assert (serial.length, serial.max_length, serial.numeric) == (None, 20, False)
    assert (expiry.length, expiry.date) == (6, True)
    assert lookup("37").length is None
    assert lookup("37").numeric


def test_lookup_unknown() -> None:
    with pytest.raises(Gs1Error) as err:
        lookup("89")
    assert err.value.ai == "89"
    assert str(err.value) == "AI (89): unknown application identifier"


def test_the_whole_dictionary_is_known() -> None:
    # Suppliers print these; each used to refuse a whole scan.
    for code in ("3302", "91", "99", "8008", "8200", "253", "235", "4300", "3922", "7240"):
        assert lookup(code).title
    assert len(AI_TABLE) > 500


@pytest.mark.parametrize(
    ("ai", "value"),
    [
        ("01", "09506000134352"),
        ("00", "106141411234567897"),
        ("17", "251231"),
        ("17", "250200"),  # DD 00: end of month
        ("11", "000229"),  # 2000 was a leap year
        ("15", "240229"),
        ("21", "!\"%&'()*+,-./:;<=>?_"),
        ("21", "A" * 20),
        ("10", "x"),
        ("37", "12345678"),
        ("20", "07"),
        ("3103", "001250"),
        ("402", "95060001343520000"),
        ("414", "9506000134352"),
        ("421", "276D-12345"),
        ("422", "276"),
        ("7003", "2512312359"),
        ("8003", "09506000134352ABC"),
        ("8003", "09506000134352"),
        ("8004", "9506000ASSET-42"),
    ],
)
def test_valid_values(ai: str, value: str) -> None:
    validate_value(ai, value)


@pytest.mark.parametrize(
    ("ai", "value", "fragment"),
    [
        ("01", "09506000134353", "check digit should be 2, got 3"),
        ("01", "0950600013435", "exactly 14 characters, got 13"),
        ("01", "0950600013435A", "digits only, found 'A' at position 14"),
        ("21", "A" * 21, "21 characters, at most 20 allowed"),
        ("21", "AB#C", "'#' at position 3 is not in GS1 character set 82"),
        ("21", "AB C", "' ' at position 3"),
        ("21", "ÄB", "not in GS1 character set 82"),
        ("21", "", "value is empty"),
        ("37", "123456789", "at most 8"),
        ("37", "12a", "digits only"),
        ("17", "251331", "invalid month 13"),
        ("17", "250001", "invalid month 00"),
        ("17", "250230", "invalid day 30"),
        ("17", "250132", "invalid day 32"),
        ("17", "230229", "invalid day 29"),
        ("7003", "2501002359", "invalid day 00"),
        ("7003", "2501012400", "invalid hour 24"),
        ("7003", "2501012360", "invalid minute 60"),
        ("421", "D-123", "digits only"),
        ("421", "276", "too short"),
        ("421", "999ABC", "not an ISO 3166 numeric country code"),
        ("8003", "19506000134352A", "must be 0"),
        ("8003", "09506000134353A", "check digit should be 2"),
        ("8003", "0950600013435", "too short"),
        ("402", "95060001343520009", "check digit should be 0, got 9"),
        ("89", "1", "unknown application identifier"),
        ("4321", "2", "must be 0 (no) or 1 (yes)"),
        ("4300", "A%2", "invalid percent-encoding"),
        ("7030", "998ABC", "not an ISO 3166 country code or 999"),
        ("3912", "0019", "not an ISO 4217 numeric currency code"),
        ("8007", "GB82WEST12345698765433", "IBAN check digits are wrong"),
    ],
)
def test_invalid_values_name_the_ai(ai: str, value: str, fragment: str) -> None:
    with pytest.raises(Gs1Error) as err:
        validate_value(ai, value)
    assert err.value.ai == ai
    assert err.value.fields["ai"] == ai
    assert err.value.code == "gs1-invalid"
    assert err.value.kind == "invalid"
    assert str(err.value).startswith(f"AI ({ai}): ")
    assert fragment in str(err.value)

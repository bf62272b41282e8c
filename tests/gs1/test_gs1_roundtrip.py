"""Property tests: every valid element list survives build → parse in every form, and every
kind of invalid value is rejected with an error that names its AI."""

from __future__ import annotations

import calendar
import string

from hypothesis import assume, given
from hypothesis import strategies as st

from labelsvc.gs1 import (
    AI_TABLE,
    CSET82,
    GS,
    AIDef,
    Element,
    Gs1Error,
    build_digital_link,
    build_element_string,
    build_hri,
    check_digit,
    lookup,
    parse_digital_link,
    parse_element_string,
    parse_hri,
    parse_scan,
    validate_value,
)
from labelsvc.gs1.digital_link import PRIMARY_KEYS

SET82 = "".join(sorted(CSET82))


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(string.digits, min_size=n, max_size=n)


def with_check(n: int) -> st.SearchStrategy[str]:
    return digits(n - 1).map(lambda body: body + check_digit(body))


@st.composite
def yymmdd(draw: st.DrawFn, day_zero_ok: bool = True) -> str:
    yy = draw(st.integers(0, 99))
    mm = draw(st.integers(1, 12))
    last = calendar.monthrange(2000 + yy if yy % 4 == 0 else 2001, mm)[1]
    dd = draw(st.integers(0 if day_zero_ok else 1, last))
    return f"{yy:02d}{mm:02d}{dd:02d}"


def x_text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(SET82, min_size=min_size, max_size=max_size)


def value_for(ai: str) -> st.SearchStrategy[str]:
    """A strategy of valid values for ``ai``, built from its definition."""
    d = AI_TABLE[ai]
    if ai == "7003":
        return st.tuples(yymmdd(False), st.integers(0, 23), st.integers(0, 59)).map(
            lambda t: f"{t[0]}{t[1]:02d}{t[2]:02d}"
        )
    if ai == "421":
        return st.tuples(digits(3), x_text(1, 9)).map("".join)
    if ai == "8003":
        return st.tuples(with_check(13), x_text(0, 16)).map(lambda t: "0" + t[0] + t[1])
    if d.date:
        return yymmdd()
    if d.check_digit:
        assert d.length is not None
        return with_check(d.length)
    if d.numeric:
        if d.length is not None:
            return digits(d.length)
        return st.text(string.digits, min_size=1, max_size=d.max_length)
    return x_text(1, d.max_length)


AIS = sorted(AI_TABLE)
ais = st.sampled_from(AIS)


@st.composite
def element_lists(draw: st.DrawFn, first: str | None = None) -> list[Element]:
    codes = draw(st.lists(ais, min_size=1, max_size=6, unique=True))
    if first is not None:
        codes = [first, *(c for c in codes if c != first)]
    return [(code, draw(value_for(code))) for code in codes]


@given(element_lists())
def test_element_string_roundtrip(elements: list[Element]) -> None:
    data = build_element_string(elements)
    assert not data.endswith(GS)
    assert parse_element_string(data) == elements


@given(element_lists(), st.sampled_from(["~", "|", "^", "\x1e"]))
def test_element_string_roundtrip_custom_separator(elements: list[Element], sep: str) -> None:
    assert parse_element_string(build_element_string(elements, sep), sep) == elements


@given(element_lists())
def test_hri_roundtrip(elements: list[Element]) -> None:
    text = build_hri(elements)
    parsed = parse_hri(text)
    # A value may contain "(nn)", which makes HRI ambiguous; any parse still rebuilds the text.
    assert build_hri(parsed) == text
    if not any("(" in value for _, value in elements):
        assert parsed == elements


@given(st.sampled_from(sorted(PRIMARY_KEYS)).flatmap(lambda k: element_lists(first=k)))
def test_digital_link_roundtrip(elements: list[Element]) -> None:
    url = build_digital_link(elements, "https://example.com/base")
    parsed = parse_digital_link(url)
    assert parsed[0][0] in PRIMARY_KEYS
    assert sorted(parsed) == sorted(elements)
    assert parse_scan(url + "\r\n").elements == tuple(parsed)


@given(element_lists(), st.sampled_from(["]d2", "]C1", "]Q3", "]e0"]))
def test_scan_roundtrip_with_symbology(elements: list[Element], sym: str) -> None:
    scan = parse_scan(sym + build_element_string(elements) + "\r\n")
    assert (scan.symbology, scan.form, scan.elements) == (sym, "element", tuple(elements))


@given(element_lists(), st.sampled_from(["~", "|", "{", "#"]), st.booleans())
def test_scan_roundtrip_with_gs_substitute(
    elements: list[Element], sub: str, leading_fnc1: bool
) -> None:
    data = (sub if leading_fnc1 else "") + build_element_string(elements, sub)
    assert parse_scan("]d2" + data, gs_substitute=sub).elements == tuple(elements)
    # Without a symbology identifier a leading FNC1 (as GS) still marks GS1 data.
    assert parse_scan(GS + build_element_string(elements)).elements == tuple(elements)


def assert_names(err: Gs1Error, ai: str) -> None:
    assert err.ai == ai
    assert str(err).startswith(f"AI ({ai}): ")


def fails(ai: str, value: str) -> Gs1Error:
    try:
        validate_value(ai, value)
    except Gs1Error as err:
        return err
    raise AssertionError(f"({ai}){value!r} was accepted")


checked = [c for c, d in AI_TABLE.items() if d.check_digit]


@given(st.sampled_from(checked).flatmap(lambda ai: st.tuples(st.just(ai), value_for(ai))))
def test_wrong_check_digit_rejected(case: tuple[str, str]) -> None:
    ai, value = case
    at = 13 if ai == "8003" else len(value) - 1
    wrong = str((int(value[at]) + 1) % 10)
    bad = value[:at] + wrong + value[at + 1 :]
    err = fails(ai, bad)
    assert_names(err, ai)
    assert f"got {wrong}" in str(err)
    # the same fault inside an element string, an HRI text and a scan
    with_gtin = [("01", "09506000134352"), (ai, bad)] if ai != "01" else [(ai, bad)]
    raw = "".join(a + v + (GS if lookup(a).fnc1_required else "") for a, v in with_gtin)
    for parse in (parse_element_string, lambda s: list(parse_scan("]d2" + s).elements)):
        try:
            parse(raw)
        except Gs1Error as e:
            assert_names(e, ai)
        else:
            raise AssertionError("accepted")


x_ais = [c for c, d in AI_TABLE.items() if not d.numeric]
outside = st.characters(codec="utf-8").filter(lambda c: c not in CSET82 and c != GS)


@given(st.sampled_from(x_ais), st.data())
def test_char_outside_set82_rejected(ai: str, data: st.DataObject) -> None:
    value = data.draw(value_for(ai))
    char = data.draw(outside)
    pos = data.draw(st.integers(max(len(value) - 1, 0) if ai in ("421", "8003") else 0, len(value)))
    bad = (value[:pos] + char + value[pos:])[: AI_TABLE[ai].max_length]
    assume(char in bad)
    err = fails(ai, bad)
    assert_names(err, ai)
    assert "character set 82" in str(err)


variable = [c for c, d in AI_TABLE.items() if d.length is None]


@given(st.sampled_from(variable), st.data())
def test_too_long_rejected(ai: str, data: st.DataObject) -> None:
    d: AIDef = AI_TABLE[ai]
    value = data.draw(value_for(ai))
    bad = value + ("1" if d.numeric else "A") * (d.max_length + 1 - len(value))
    err = fails(ai, bad)
    assert_names(err, ai)
    assert f"at most {d.max_length} allowed" in str(err)
    # in a scan the overlong value is reported against its AI too
    try:
        parse_scan("]d2" + ai + bad)
    except Gs1Error as e:
        assert_names(e, ai)
    else:
        raise AssertionError("accepted")


dates = [c for c, d in AI_TABLE.items() if d.date and d.length == 6]


@given(
    st.sampled_from(dates),
    st.integers(0, 99),
    st.one_of(st.integers(13, 99), st.just(0)),
    st.integers(0, 31),
)
def test_bad_month_rejected(ai: str, yy: int, mm: int, dd: int) -> None:
    err = fails(ai, f"{yy:02d}{mm:02d}{dd:02d}")
    assert_names(err, ai)
    assert "invalid month" in str(err)


@given(st.sampled_from(dates), st.integers(0, 99), st.integers(1, 12), st.data())
def test_bad_day_rejected(ai: str, yy: int, mm: int, data: st.DataObject) -> None:
    last = calendar.monthrange(2000 + yy if yy % 4 == 0 else 2001, mm)[1]
    dd = data.draw(st.integers(last + 1, 99))
    err = fails(ai, f"{yy:02d}{mm:02d}{dd:02d}")
    assert_names(err, ai)
    assert "invalid day" in str(err)


@given(st.text(string.digits, min_size=2, max_size=4))
def test_unknown_ai_rejected(code: str) -> None:
    assume(code not in AI_TABLE)
    err = fails(code, "1")
    assert_names(err, code)
    assert "unknown application identifier" in str(err)
    try:
        parse_hri(f"({code})1")
    except Gs1Error as e:
        assert_names(e, code)
    else:
        raise AssertionError("accepted")

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
from labelsvc.gs1.dictionary import Component, code_lists
from labelsvc.gs1.digital_link import PRIMARY_KEYS
from labelsvc.gs1.linters import CSET39, CSET64
from labelsvc.gs1.rules import check_message

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


_LINTED = {
    "csum", "yymmdd", "yymmd0", "hh", "mi", "ss", "hhmi", "iso3166", "iso3166999", "iso4217",
    "iso3166alpha2", "gcppos1", "gcppos2", "pcenc", "yesno", "zero", "nonzero",
}  # fmt: skip
_KIND = {"N": string.digits, "X": SET82, "Y": CSET39, "Z": CSET64}


def component_value(c: Component) -> st.SearchStrategy[str]:
    """Valid data for one dictionary component (only the linters in _LINTED)."""
    lint = set(c.linters)
    if "csum" in lint:
        return with_check(c.max_length)
    if lint & {"yymmdd", "yymmd0"}:
        return yymmdd("yymmd0" in lint)
    for name in ("iso3166", "iso4217", "iso3166alpha2"):
        if name in lint or (name == "iso3166" and "iso3166999" in lint):
            return st.sampled_from(sorted(code_lists()[name]))
    if lint & {"hh", "mi", "ss", "hhmi"}:
        top = {"hh": 23, "mi": 59, "ss": 59}
        if "hhmi" in lint:
            return st.tuples(st.integers(0, 23), st.integers(0, 59)).map(
                lambda t: f"{t[0]:02d}{t[1]:02d}"
            )
        return st.integers(0, top[next(iter(lint))]).map(lambda n: f"{n:02d}")
    if "yesno" in lint:
        return st.sampled_from("01")
    if "zero" in lint:
        return st.just("0" * c.max_length)
    alphabet = _KIND[c.kind].replace("%", "") if "pcenc" in lint else _KIND[c.kind]
    text = st.text(alphabet, min_size=c.min_length, max_size=c.max_length)
    if "nonzero" in lint:
        text = text.filter(lambda v: set(v) != {"0"})
    if lint & {"gcppos1", "gcppos2"}:
        text = st.tuples(digits(5), text).map(lambda t: (t[0] + t[1])[: c.max_length])
    return text


def value_for(ai: str) -> st.SearchStrategy[str]:
    """A strategy of valid values for ``ai``, built from its dictionary components."""
    parts = [component_value(c) for c in AI_TABLE[ai].entry.components if not c.optional]
    return st.tuples(*parts).map("".join)


def _simple(ai: str) -> bool:
    return all(set(c.linters) <= _LINTED for c in AI_TABLE[ai].entry.components)


def _with_gtin(ai: str) -> bool:
    """AIs that a GTIN alone satisfies and that may sit beside it."""
    e = AI_TABLE[ai].entry
    return (
        all(any(group == ("01",) for group in alts) for alts in e.requires)
        and not any(p in ("01", "0n") for p in e.excludes)
        and ai not in ("01", "02", "03", "37", "255", "21", "235")
    )


AIS = sorted(a for a in AI_TABLE if _simple(a))
ais = st.sampled_from(AIS)
GTIN_AIS = sorted(a for a in AIS if _with_gtin(a))


@st.composite
def element_lists(draw: st.DrawFn, first: str | None = None) -> list[Element]:
    """Any AIs, valid one by one (message rules not considered)."""
    codes = draw(st.lists(ais, min_size=1, max_size=6, unique=True))
    if first is not None:
        codes = [first, *(c for c in codes if c != first)]
    return [(code, draw(value_for(code))) for code in codes]


@st.composite
def messages(draw: st.DrawFn) -> list[Element]:
    """A GTIN, maybe a serial, and AIs that may go with it: valid as a whole message."""
    codes = ["01", *draw(st.lists(st.sampled_from(GTIN_AIS), max_size=5, unique=True))]
    if draw(st.booleans()):
        codes.insert(draw(st.integers(1, len(codes))), "21")
    elements = [(code, draw(value_for(code))) for code in codes]
    try:
        check_message(elements)
    except Gs1Error:
        assume(False)
    return elements


@given(element_lists())
def test_element_string_roundtrip(elements: list[Element]) -> None:
    data = build_element_string(elements, associations=False)
    assert not data.endswith(GS)
    assert parse_element_string(data, associations=False) == elements


@given(element_lists(), st.sampled_from(["~", "|", "^", "\x1e"]))
def test_element_string_roundtrip_custom_separator(elements: list[Element], sep: str) -> None:
    data = build_element_string(elements, sep, associations=False)
    assert parse_element_string(data, sep, associations=False) == elements


@given(element_lists())
def test_hri_roundtrip(elements: list[Element]) -> None:
    text = build_hri(elements, associations=False, escape=True)
    assert parse_hri(text, associations=False) == elements


@given(messages().filter(lambda m: all(AI_TABLE[a].entry.dl_attribute or a in ("21", "22",
       "10") for a, _ in m)))  # fmt: skip
def test_digital_link_roundtrip(elements: list[Element]) -> None:
    url = build_digital_link(elements, "https://example.com/base")
    parsed = parse_digital_link(url)
    assert parsed[0][0] in PRIMARY_KEYS
    assert sorted(parsed) == sorted(elements)
    assert parse_scan(url + "\r\n").elements == tuple(parsed)


@given(messages(), st.sampled_from(["]d2", "]C1", "]Q3", "]e0"]))
def test_scan_roundtrip_with_symbology(elements: list[Element], sym: str) -> None:
    scan = parse_scan(sym + build_element_string(elements) + "\r\n")
    assert (scan.symbology, scan.form, scan.elements) == (sym, "element", tuple(elements))


@given(messages(), st.sampled_from(["~", "|", "{", "#"]), st.booleans())
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


checked = [c for c in AIS if AI_TABLE[c].check_digit]


def check_position(ai: str) -> int:
    """Where the check digit of ``ai``'s csum component sits in its value."""
    pos = 0
    for c in AI_TABLE[ai].entry.components:
        pos += c.max_length
        if "csum" in c.linters:
            return pos - 1
    raise AssertionError(ai)


@given(st.sampled_from(checked).flatmap(lambda ai: st.tuples(st.just(ai), value_for(ai))))
def test_wrong_check_digit_rejected(case: tuple[str, str]) -> None:
    ai, value = case
    at = check_position(ai)
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


x_ais = [
    c for c in AIS if all(p.kind == "X" and not p.linters for p in AI_TABLE[c].entry.components)
]
outside = st.characters(codec="utf-8").filter(lambda c: c not in CSET82 and c != GS)


@given(st.sampled_from(x_ais), st.data())
def test_char_outside_set82_rejected(ai: str, data: st.DataObject) -> None:
    value = data.draw(value_for(ai))
    char = data.draw(outside)
    pos = data.draw(st.integers(0, len(value)))
    bad = (value[:pos] + char + value[pos:])[: AI_TABLE[ai].max_length]
    assume(char in bad)
    err = fails(ai, bad)
    assert_names(err, ai)
    assert "character set 82" in str(err)


variable = [c for c in AIS if AI_TABLE[c].length is None]


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

"""The GS1 Barcode Syntax Engine's own unit-test tables, replayed against labelsvc.

``tests/data/gs1/engine-vectors.json`` holds every literal case of the engine's tests for
bracketed AI data, element strings, message validation and Digital Link URIs (source, commit
and licence inside the file; ``extract_engine_vectors.py`` beside it regenerates it). For
each, labelsvc must accept exactly when the engine does, and give the same element string.

The engine runs some cases with options labelsvc does not have; those are replayed only
where labelsvc's fixed policy is the same: GS1 Digital Link 1.0 path names (``/gtin/``) and
zero-suppressed GTINs in URIs are accepted, unknown AIs are refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from labelsvc.gs1 import (
    AI_TABLE,
    Gs1Error,
    build_element_string,
    parse_digital_link,
    parse_element_string,
    parse_hri,
)
from labelsvc.gs1.digital_link import SHORT_NAMES
from labelsvc.gs1.rules import check_associations, check_repeats

VECTORS = json.loads((Path(__file__).parents[1] / "data/gs1/engine-vectors.json").read_text())
#: labelsvc's fixed answer to each engine option.
POLICY = {"convenience_alphas": True, "zero_suppressed_gtin": True, "unknown_ais": False,
          "unknown_ai_not_dl_attr": True}  # fmt: skip
DEFAULTS = {"convenience_alphas": False, "zero_suppressed_gtin": False, "unknown_ais": False,
            "unknown_ai_not_dl_attr": True}  # fmt: skip


_SHORT_GTIN = re.compile(r"(/01/|[?&]01=)(\d{8}|\d{12}|\d{13})(?![\d])")
_AI_IN = re.compile(r"\((\d+)\)|[?&](\d+)=|/(\d{2,4})/")


def _affects(option: str, data: str) -> bool:
    """Whether an engine option can change the answer for ``data``."""
    if option == "convenience_alphas":
        return any(segment in SHORT_NAMES for segment in data.split("?")[0].split("/"))
    if option == "zero_suppressed_gtin":
        return bool(_SHORT_GTIN.search(data))
    if option == "unknown_ais":
        return any(code not in AI_TABLE for m in _AI_IN.finditer(data) for code in m.groups()
                   if code)  # fmt: skip
    return option == "unknown_ai_not_dl_attr" and _affects("unknown_ais", data)


def _replayable(case: dict[str, Any]) -> bool:
    settings = {**DEFAULTS, **case["settings"]}
    differs = [k for k, v in settings.items() if v != POLICY[k]]
    return not any(_affects(option, case["data"]) for option in differs)


def _cases(table: str) -> list[Any]:
    return [
        pytest.param(c, id=f"{table}:{c['line']}:{c['data'][:60]}")
        for c in VECTORS[table]
        if _replayable(c)
    ]


def _caret(elements: list[tuple[str, str]]) -> str:
    return "^" + build_element_string(elements, "^", associations=False)


def test_vectors_cover_the_engine_tables() -> None:
    counts = {k: len(v) for k, v in VECTORS.items() if isinstance(v, list)}
    assert counts["parseDLuri"] > 100
    assert counts["processAIdata"] > 70
    tables = ("parseAIdata", "processAIdata", "validateAIs", "parseDLuri")
    assert sum(len(_cases(t)) for t in tables) > 250


@pytest.mark.parametrize("case", _cases("parseAIdata"))
def test_bracketed_ai_data(case: dict[str, Any]) -> None:
    try:
        got = _caret(parse_hri(case["data"], associations=False))
    except Gs1Error as error:
        assert not case["ok"], f"labelsvc refused what the engine accepts: {error}"
        return
    assert case["ok"], f"labelsvc accepted what the engine refuses: {got}"
    assert got == case["expect"]


@pytest.mark.parametrize("case", _cases("processAIdata"))
def test_element_strings(case: dict[str, Any]) -> None:
    data: str = case["data"]
    try:
        if not data.startswith("^"):
            raise Gs1Error("gs1-invalid", "no leading FNC1")
        parse_element_string(data[1:], "^", associations=False)
    except Gs1Error as error:
        assert not case["ok"], f"labelsvc refused what the engine accepts: {error}"
        return
    assert case["ok"], "labelsvc accepted what the engine refuses"


@pytest.mark.parametrize("case", _cases("validateAIs"))
def test_message_rules(case: dict[str, Any]) -> None:
    check = {"validateAIrepeats": check_repeats}.get(case["check"], check_associations)
    try:
        check(parse_hri(case["data"], associations=False))
    except Gs1Error as error:
        assert not case["ok"], f"labelsvc refused what the engine accepts: {error}"
        return
    assert case["ok"], "labelsvc accepted what the engine refuses"


@pytest.mark.parametrize("case", _cases("parseDLuri"))
def test_digital_link_uris(case: dict[str, Any]) -> None:
    try:
        got = _caret(parse_digital_link(case["data"], associations=False))
    except Gs1Error as error:
        assert not case["ok"], f"labelsvc refused what the engine accepts: {error}"
        return
    assert case["ok"], f"labelsvc accepted what the engine refuses: {got}"
    assert got == case["expect"]

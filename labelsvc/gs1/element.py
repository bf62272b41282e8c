"""Element strings (what a GS1 barcode carries) and their human-readable form (HRI)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import NoReturn

from labelsvc.gs1.ai import AI_TABLE, lookup, validate_value
from labelsvc.gs1.errors import GS1_INVALID, Gs1Error, ai_error

Element = tuple[str, str]

GS = "\x1d"

_HRI_AI = re.compile(r"\((\d{2,4})\)")


def validate_elements(elements: Sequence[Element]) -> None:
    """Check every value and that no AI appears twice; the first fault raises."""
    if not elements:
        raise Gs1Error(GS1_INVALID, "no GS1 elements given")
    seen: set[str] = set()
    for ai, value in elements:
        validate_value(ai, value)
        if ai in seen:
            raise ai_error(ai, "appears more than once")
        seen.add(ai)


def needs_separator_after(elements: Sequence[Element], index: int) -> bool:
    """True when an FNC1/GS must follow element ``index`` (variable length and not last)."""
    if index >= len(elements) - 1:
        return False
    return lookup(elements[index][0]).fnc1_required


def build_element_string(elements: Sequence[Element], separator: str = GS) -> str:
    """Concatenate AIs and values, with ``separator`` only where GS1 requires one.

    No leading FNC1: the symbology encoder (or the renderer) adds that.
    """
    validate_elements(elements)
    parts: list[str] = []
    for index, (ai, value) in enumerate(elements):
        parts.append(ai + value)
        if needs_separator_after(elements, index):
            parts.append(separator)
    return "".join(parts)


def build_hri(elements: Sequence[Element]) -> str:
    """The text printed under a barcode, e.g. ``(01)09506000134352(21)ABC``."""
    validate_elements(elements)
    return "".join(f"({ai}){value}" for ai, value in elements)


def _read_ai(data: str, pos: int) -> str:
    """The known AI starting at ``pos``; GS1 AIs are prefix-free, so the first match wins."""
    for size in (2, 3, 4):
        code = data[pos : pos + size]
        if len(code) == size and code in AI_TABLE:
            return code
    if not data[pos : pos + 2].isdigit():
        raise Gs1Error(
            GS1_INVALID, f"expected an AI at position {pos + 1}, found {data[pos : pos + 8]!r}"
        )
    guess = data[pos : pos + _likely_ai_length(data[pos : pos + 2])]
    raise ai_error(guess, f"unknown application identifier in {data[pos : pos + 8]!r}")


def _likely_ai_length(prefix: str) -> int:
    """How long an AI starting with ``prefix`` is, roughly per GS1; used to name unknown AIs."""
    if prefix in ("20", "21", "22", "30", "37") or prefix[:1] in ("0", "1", "9"):
        return 2
    return 3 if prefix[:1] in ("2", "4") else 4


def parse_element_string(data: str, separator: str = GS) -> list[Element]:
    """Split the data after the symbology identifier / leading FNC1 into validated elements."""
    if not separator:
        raise Gs1Error(GS1_INVALID, "the separator must not be empty")
    elements: list[Element] = []
    pos = 0
    while pos < len(data):
        ai = _read_ai(data, pos)
        d = AI_TABLE[ai]
        start = pos + len(ai)
        if d.length is not None:
            end = start + d.length
            if end > len(data) or separator in data[start:end]:
                raise ai_error(ai, f"value must be exactly {d.length} characters, data ends early")
        else:
            found = data.find(separator, start)
            end = len(data) if found < 0 else found
            if end - start > d.max_length:
                raise ai_error(
                    ai,
                    f"value is {end - start} characters, at most {d.max_length} allowed "
                    "(missing separator?)",
                )
        elements.append((ai, data[start:end]))
        pos = end
        if data.startswith(separator, pos):  # tolerated after predefined-length AIs too
            pos += len(separator)
    validate_elements(elements)
    return elements


def parse_hri(text: str) -> list[Element]:
    """Parse ``(01)...(21)...``.

    A value may itself contain ``(nn)``, so the split is ambiguous; the shortest split in
    which every element is valid wins, which is right for all real-world labels.
    """
    text = text.strip()

    @cache
    def parse_from(pos: int) -> tuple[Element, ...] | None:
        if pos == len(text):
            return ()
        head = _HRI_AI.match(text, pos)
        if head is None or head[1] not in AI_TABLE:
            return None
        ai, start = head[1], head.end()
        ends = [m.start() for m in _HRI_AI.finditer(text, start)] + [len(text)]
        for end in sorted({e for e in ends if e > start}):
            try:
                validate_value(ai, text[start:end])
            except Gs1Error:
                continue
            rest = parse_from(end)
            if rest is not None:
                return ((ai, text[start:end]), *rest)
        return None

    if not text.startswith("("):
        raise Gs1Error(GS1_INVALID, "HRI text must start with an AI in parentheses, e.g. (01)")
    result = parse_from(0)
    if result is None:
        _raise_first_hri_fault(text)
    elements = list(result)
    validate_elements(elements)
    return elements


def _raise_first_hri_fault(text: str) -> NoReturn:
    """Explain why an HRI text does not parse, using the naive split at every ``(nn)``."""
    marks = list(_HRI_AI.finditer(text))
    if not marks or marks[0].start() != 0:
        raise Gs1Error(GS1_INVALID, f"HRI text must start with an AI in parentheses: {text!r}")
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        validate_value(mark[1], text[mark.end() : nxt.start() if nxt else len(text)])
    raise Gs1Error(GS1_INVALID, f"cannot split HRI text into valid GS1 elements: {text!r}")

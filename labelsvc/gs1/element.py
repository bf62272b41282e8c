"""Element strings (what a GS1 barcode carries) and their human-readable form (HRI)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from labelsvc.gs1.ai import AI_TABLE, lookup, validate_value
from labelsvc.gs1.errors import GS1_INVALID, Gs1Error, ai_error
from labelsvc.gs1.rules import check_message

Element = tuple[str, str]

GS = "\x1d"

_HRI_HEAD = re.compile(r"^(\d{2,4})\)")


def validate_elements(elements: Sequence[Element], *, associations: bool = True) -> None:
    """Check every value, repeats and (unless told not to) the req/ex association rules.

    ``associations=False`` is for one symbol of a label whose other symbols carry the rest;
    the label checks the whole message first.
    """
    if not elements:
        raise Gs1Error(GS1_INVALID, "no GS1 elements given")
    for ai, value in elements:
        validate_value(ai, value)
    if associations:
        check_message(elements)


def needs_separator_after(elements: Sequence[Element], index: int) -> bool:
    """True when an FNC1/GS must follow element ``index`` (variable length and not last)."""
    if index >= len(elements) - 1:
        return False
    return lookup(elements[index][0]).fnc1_required


def build_element_string(
    elements: Sequence[Element], separator: str = GS, *, associations: bool = True
) -> str:
    """Concatenate AIs and values, with ``separator`` only where GS1 requires one.

    No leading FNC1: the symbology encoder (or the renderer) adds that.
    """
    validate_elements(elements, associations=associations)
    parts: list[str] = []
    for index, (ai, value) in enumerate(elements):
        parts.append(ai + value)
        if needs_separator_after(elements, index):
            parts.append(separator)
    return "".join(parts)


def build_hri(
    elements: Sequence[Element], *, associations: bool = True, escape: bool = False
) -> str:
    """The text printed under a barcode, e.g. ``(01)09506000134352(21)ABC``.

    ``escape`` writes ``(`` inside values as ``\\(`` so that ``parse_hri`` reads it back.
    """
    validate_elements(elements, associations=associations)
    if escape:
        return "".join(f"({ai}){value.replace('(', chr(92) + '(')}" for ai, value in elements)
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
    """How long an AI starting with ``prefix`` is, judged by its known neighbours."""
    return next((len(code) for code in AI_TABLE if code.startswith(prefix)), 2)


def parse_element_string(
    data: str, separator: str = GS, *, associations: bool = True
) -> list[Element]:
    """Split the data after the symbology identifier / leading FNC1 into validated elements.

    A predefined-length AI takes exactly its length; any other runs to the next separator.
    """
    if not separator:
        raise Gs1Error(GS1_INVALID, "the separator must not be empty")
    elements: list[Element] = []
    pos = 0
    while pos < len(data):
        ai = _read_ai(data, pos)
        d = AI_TABLE[ai]
        start = pos + len(ai)
        if d.length is not None and not d.fnc1_required:
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
        if end == start:
            raise ai_error(ai, "value is empty")
        elements.append((ai, data[start:end]))
        pos = end
        if data.startswith(separator, pos):  # tolerated after predefined-length AIs too
            pos += len(separator)
    validate_elements(elements, associations=associations)
    return elements


def parse_hri(text: str, *, associations: bool = True) -> list[Element]:
    """Parse GS1 bracketed data ``(01)...(21)...``.

    As in GS1's syntax engine and every GS1 encoder, each ``(`` starts an AI unless escaped
    as ``\\(``, so ``(10)(11)99`` is an empty lot, never a lot ``(11)99``.
    """
    text = text.strip("\r\n")  # wedge noise only: a space is a fault, not padding
    if not text.startswith("("):
        raise Gs1Error(GS1_INVALID, "HRI text must start with an AI in parentheses, e.g. (01)")
    elements: list[Element] = []
    pieces = re.split(r"(?<!\\)\(", text)[1:]
    for piece in pieces:
        head = _HRI_HEAD.match(piece)
        if head is None:
            raise Gs1Error(GS1_INVALID, f"expected an AI like (01) in HRI text: {'(' + piece!r}")
        ai, value = head[1], piece[head.end() :].replace("\\(", "(")
        if not value:
            raise ai_error(ai, "value is empty")
        elements.append((ai, value))
    validate_elements(elements, associations=associations)
    return elements

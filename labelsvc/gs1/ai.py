"""Every Application Identifier of the GS1 Barcode Syntax Dictionary, and how a value is checked.

The table is built from the shipped dictionary (``labelsvc.gs1.dictionary``), so each AI's
format components (``N14``, ``X..20``, ``N6 [N6]``...) and linters (check digits, dates,
ISO codes...) are exactly the ones GS1 publishes.
"""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.gs1.dictionary import Component, Entry, dictionary
from labelsvc.gs1.errors import ai_error
from labelsvc.gs1.linters import CSET82 as _CSET82_ORDER
from labelsvc.gs1.linters import LINTERS, TYPE_LINTERS

#: GS1 character set 82 (General Specifications figure 7.11-1).
CSET82 = frozenset(_CSET82_ORDER)

#: First two digits of the AIs whose length is predefined, so no FNC1 separator follows them
#: (General Specifications figure 7.8.5-2). The list is fixed by GS1 and never grows.
PREDEFINED_LENGTH_PREFIXES = frozenset(
    f"{n:02d}" for n in (0, 1, 2, 3, 4, *range(11, 21), *range(31, 37), 41)
)

_DATE_LINTERS = frozenset({"yymmdd", "yymmd0"})


@dataclass(frozen=True)
class AIDef:
    """One AI: its data title and the shape its value must have."""

    code: str
    title: str
    length: int | None  # fixed data length, None when variable
    max_length: int
    numeric: bool
    check_digit: bool
    date: bool  # starts with a YYMMDD date
    fnc1_required: bool  # a separator must follow it unless it is the last element
    entry: Entry

    @property
    def min_length(self) -> int:
        """Shortest valid value."""
        return self.entry.min_length


def _define(entry: Entry) -> AIDef:
    """The summary fields callers use, derived once from the dictionary entry."""
    first = entry.components[0]
    return AIDef(
        code=entry.code,
        title=entry.title,
        length=entry.fixed_length,
        max_length=entry.max_length,
        numeric=all(c.kind == "N" for c in entry.components),
        check_digit=any("csum" in c.linters for c in entry.components),
        date=bool(_DATE_LINTERS & set(first.linters)),
        fnc1_required=not entry.predefined_length,
        entry=entry,
    )


AI_TABLE: dict[str, AIDef] = {code: _define(e) for code, e in dictionary().entries.items()}


def lookup(code: str) -> AIDef:
    """Return the definition of ``code``; an unknown AI is a Gs1Error naming it."""
    try:
        return AI_TABLE[code]
    except KeyError:
        raise ai_error(code, "unknown application identifier") from None


def _split(ai: str, d: AIDef, value: str) -> list[tuple[Component, str]]:
    """Cut ``value`` into the AI's components; a length fault names the AI."""
    if len(value) > d.max_length:
        raise ai_error(ai, f"value is {len(value)} characters, at most {d.max_length} allowed")
    if d.length is not None and len(value) != d.length:
        raise ai_error(ai, f"value must be exactly {d.length} characters, got {len(value)}")
    parts: list[tuple[Component, str]] = []
    pos = 0
    for component in d.entry.components:
        if pos == len(value) and component.optional:
            break
        piece = value[pos : pos + component.max_length]
        if len(piece) < component.min_length:
            shortest = d.min_length
            raise ai_error(ai, f"value is too short ({len(value)} characters, at least "
                               f"{shortest}, with parts {_shape(d)})")  # fmt: skip
        parts.append((component, piece))
        pos += len(piece)
    if pos != len(value):
        raise ai_error(ai, f"value does not fit the format {_shape(d)}")
    return parts


def _shape(d: AIDef) -> str:
    """The format as GS1 writes it, e.g. ``N6 [N6]``, for error messages."""

    def one(c: Component) -> str:
        size = f"..{c.max_length}" if c.min_length != c.max_length else str(c.max_length)
        return f"[{c.kind}{size}]" if c.optional else f"{c.kind}{size}"

    return " ".join(one(c) for c in d.entry.components)


def validate_value(ai: str, value: str) -> None:
    """Raise a Gs1Error naming ``ai`` and the fault unless ``value`` is valid data for it."""
    d = lookup(ai)
    if not value:
        raise ai_error(ai, "value is empty")
    for component, piece in _split(ai, d, value):
        for name in (TYPE_LINTERS[component.kind], *component.linters):
            problem = LINTERS[name](piece)
            if problem is not None:
                raise ai_error(ai, problem if len(d.entry.components) == 1 or name.startswith(
                    "cset") else f"{problem} (in {piece!r})")  # fmt: skip

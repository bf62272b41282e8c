"""Rules over a whole message: repeated AIs, mandatory (``req``) and invalid (``ex``) pairs.

GS1 says these hold over all the data marked on one item, so a label that splits its data
over two symbols is checked as one message before it is split.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from labelsvc.gs1.ai import lookup
from labelsvc.gs1.errors import ai_error

Element = tuple[str, str]

#: AIs whose data can be unserialised (a class), and the length at which they are serialised;
#: a digital signature (8030) needs the serialised form (General Specifications 3.9.19).
_SERIALISED_LENGTH = {"253": 14, "255": 14, "8003": 15}


def matches(pattern: str, ai: str) -> bool:
    """``394n`` matches 3940-3949; ``n`` stands for any digit."""
    return len(pattern) == len(ai) and all(p in ("n", a) for p, a in zip(pattern, ai, strict=True))


def _any(pattern: str, ais: Iterable[str]) -> bool:
    return any(matches(pattern, ai) for ai in ais)


def check_repeats(elements: Sequence[Element]) -> None:
    """The same AI twice is allowed only with the same value."""
    seen: dict[str, str] = {}
    for ai, value in elements:
        if seen.setdefault(ai, value) != value:
            raise ai_error(ai, f"appears twice with different values ({seen[ai]!r}, {value!r})")


def check_associations(elements: Sequence[Element]) -> None:
    """Every ``req`` satisfied, no ``ex`` pair present, serialised keys for (8030)."""
    ais = [ai for ai, _ in elements]
    present = set(ais)
    for ai in dict.fromkeys(ais):
        entry = lookup(ai).entry
        for pattern in entry.excludes:
            other = next((o for o in present if o != ai and matches(pattern, o)), None)
            if other is not None:
                raise ai_error(ai, f"must not appear together with AI ({other})")
        for alternatives in entry.requires:
            if not any(all(_any(p, present - {ai}) for p in group) for group in alternatives):
                wanted = " or ".join("+".join(f"({p})" for p in g) for g in alternatives)
                raise ai_error(ai, f"requires {wanted} in the same data")
    if "8030" in present:
        for ai, value in elements:
            size = _SERIALISED_LENGTH.get(ai)
            if size is not None and len(value) < size:
                raise ai_error(ai, "a digital signature (8030) needs the serialised form")


def check_message(elements: Sequence[Element]) -> None:
    """All message-level rules, first fault raises."""
    check_repeats(elements)
    check_associations(elements)

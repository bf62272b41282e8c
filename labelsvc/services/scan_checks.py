"""Scans that cannot be trusted as read: a variable-length value that swallowed the next AI.

A scanner that sends no GS separator turns ``21WL0002`` + ``10L9999`` into one serial
``WL000210L9999``; the parser cannot know, because a serial may contain ``10``. What we can
know: whether the station's scanner is known not to send GS (the scanner set-up check),
whether the tail of the value parses as AIs that the receipt line carries (a lot, an
expiry), and whether the value is longer than our own pool's serials with a head that fits
the pool. Then the scan is refused as ambiguous with an instruction, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from labelsvc.gs1 import Gs1Error
from labelsvc.gs1.element import parse_element_string
from labelsvc.gs1.scan import Scan

#: Variable-length AIs whose value may have swallowed the elements after it.
VARIABLE_AIS = ("21", "10")
#: AIs that commonly follow a serial or lot on a unit label.
FOLLOWERS = ("10", "17", "11", "15", "21")


@dataclass(frozen=True)
class PoolShape:
    """The length and alphabet of the serials one of our pools issues."""

    length: int
    alphabet: str


@dataclass(frozen=True)
class LineShape:
    """What the receipt line says a unit carries (the AIs we may find swallowed)."""

    lot: str | None
    expiry: str | None


def _shape(text: str) -> str:
    """Letters as A and digits as 9: ``L2406`` and ``L9999`` have the same shape."""
    return re.sub(r"[0-9]", "9", re.sub(r"[A-Za-z]", "A", text))


def _tails(value: str) -> list[tuple[int, list[tuple[str, str]]]]:
    """Every split of ``value`` whose tail parses as one or more following AIs."""
    found = []
    for cut in range(1, len(value) - 2):
        tail = value[cut:]
        if not tail.startswith(FOLLOWERS):
            continue
        try:
            elements = parse_element_string(tail, associations=False)  # a fragment of a scan
        except Gs1Error:
            continue
        if elements and all(ai in FOLLOWERS and v for ai, v in elements):
            found.append((cut, elements))
    return found


def _matches_line(elements: list[tuple[str, str]], lines: Sequence[LineShape]) -> bool:
    for ai, v in elements:
        for line in lines:
            if ai == "10" and line.lot and (v == line.lot or _shape(v) == _shape(line.lot)):
                return True
            if ai == "17" and line.expiry and len(v) == 6:
                return True
    return False


def ambiguity(
    scan: Scan, *, sends_gs: str, lines: Sequence[LineShape], pool: PoolShape | None
) -> str | None:
    """Why this scan cannot be read safely, as an instruction; None when it can."""
    for ai, value in scan.elements:
        if ai not in VARIABLE_AIS:
            continue
        for cut, elements in _tails(value):
            head = value[:cut]
            fits_pool = (
                pool is not None and ai == "21" and len(head) == pool.length
                and len(value) > pool.length and all(c in pool.alphabet for c in head)
            )  # fmt: skip
            if sends_gs == "no" or fits_pool or _matches_line(elements, lines):
                after = "".join(f"({a}){v}" for a, v in elements)
                return (
                    f"Ambiguous scan: ({ai}) {value} may be ({ai}) {head} followed by {after}, "
                    "because the scanner sent no GS separator. Put this unit aside and key in "
                    "its label text, e.g. (01)…(21)…(10)…; then run the scanner check of this "
                    "station (Station, Scanner check) so the scanner sends GS."
                )
    return None

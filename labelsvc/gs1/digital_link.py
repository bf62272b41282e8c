"""GS1 Digital Link URIs (standard 1.x): the same data as an element string, as a URL."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, unquote, urlsplit

from labelsvc.gs1.ai import AI_TABLE
from labelsvc.gs1.check import normalize_gtin
from labelsvc.gs1.element import Element, validate_elements
from labelsvc.gs1.errors import GS1_INVALID, Gs1Error, ai_error

#: Primary keys with their key qualifiers in the only order the path may carry them.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "01": ("22", "10", "21"),
    "00": (),
    "414": ("254",),
    "8003": (),
    "8004": (),
    "402": (),
}

#: Alphabetic path names of GS1 Digital Link 1.x; parsing accepts them, building never emits.
SHORT_NAMES: dict[str, str] = {
    "gtin": "01",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
    "sscc": "00",
    "gln": "414",
    "glnx": "254",
    "grai": "8003",
    "giai": "8004",
    "gsin": "402",
    "exp": "17",
}


def _encode(value: str) -> str:
    """Percent-encode all but RFC 3986 unreserved characters (``/``, ``+``, ``%`` included)."""
    return quote(value, safe="")


def build_digital_link(elements: Sequence[Element], base: str) -> str:
    """``{base}/01/{gtin}/10/{lot}/21/{serial}?17=...``: key and qualifiers in the path."""
    validate_elements(elements)
    values = dict(elements)
    primary = next((key for key in PRIMARY_KEYS if key in values), None)
    if primary is None:
        raise Gs1Error(
            GS1_INVALID,
            "a Digital Link needs a primary key: AI (01), (00), (414), (8003), (8004) or (402)",
        )
    path_ais = [primary, *(q for q in PRIMARY_KEYS[primary] if q in values)]
    path = "".join(f"/{ai}/{_encode(values[ai])}" for ai in path_ais)
    query = "&".join(f"{ai}={_encode(v)}" for ai, v in elements if ai not in path_ais)
    return base.rstrip("/") + path + (f"?{query}" if query else "")


def _code(name: str) -> str:
    return SHORT_NAMES.get(name, name)


def _path_elements(segments: list[str]) -> list[Element] | None:
    """Find ``/key/value[/qualifier/value...]`` at the end of the path; None if absent."""
    for start in range(len(segments)):
        primary = _code(segments[start])
        tail = segments[start:]
        if primary not in PRIMARY_KEYS or len(tail) % 2:
            continue
        pairs = [(_code(tail[i]), unquote(tail[i + 1])) for i in range(0, len(tail), 2)]
        order = PRIMARY_KEYS[primary]
        qualifiers = [ai for ai, _ in pairs[1:]]
        known = all(q in order for q in qualifiers)
        if known and qualifiers == sorted(qualifiers, key=order.index):
            return pairs
    return None


def is_digital_link(url: str) -> bool:
    """True when ``url`` is http(s) and its path ends in a GS1 primary key (values unchecked)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return False
    return _path_elements(parts.path.rstrip("/").split("/")) is not None


def parse_digital_link(url: str) -> list[Element]:
    """Read the elements of a Digital Link URI; any host and path prefix is accepted.

    Query keys that are not all digits (``linkType``, ``context``) are not GS1 data and are
    ignored, as the standard says; ``+`` stays a plus sign because it is in character set 82.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise Gs1Error(GS1_INVALID, f"a Digital Link must be an http(s) URL: {url!r}")
    elements = _path_elements(parts.path.rstrip("/").split("/"))
    if elements is None:
        raise Gs1Error(
            GS1_INVALID,
            "the path must end in a GS1 primary key and its qualifiers in GS1 order, "
            f"e.g. /01/<gtin>/22/<cpv>/10/<lot>/21/<serial>: {url!r}",
        )
    for item in filter(None, parts.query.split("&")):
        key, _, value = item.partition("=")
        code = _code(unquote(key))
        if code.isdigit():
            if code not in AI_TABLE:
                raise ai_error(code, "unknown application identifier in the query string")
            elements.append((code, unquote(value)))
    if elements[0][0] == "01" and len(elements[0][1]) != 14:
        elements[0] = ("01", normalize_gtin(elements[0][1]))
    validate_elements(elements)
    return elements

"""GS1 Digital Link URIs (standard 1.x): the same data as an element string, as a URL.

Primary keys, their ordered key qualifiers and the AIs allowed as query attributes come from
the GS1 Barcode Syntax Dictionary (``dlpkey`` and the ``?`` flag).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
from collections.abc import Sequence
from urllib.parse import quote, unquote

from labelsvc.gs1.ai import AI_TABLE, lookup, validate_value
from labelsvc.gs1.check import has_valid_check_digit, normalize_gtin
from labelsvc.gs1.element import Element, validate_elements
from labelsvc.gs1.errors import GS1_INVALID, Gs1Error, ai_error

#: Primary keys with their alternative sequences of key qualifiers, from the dictionary.
KEY_SEQUENCES: dict[str, tuple[tuple[str, ...], ...]] = {
    code: d.entry.dl_key_sequences
    for code, d in AI_TABLE.items()
    if d.entry.dl_key_sequences is not None
}
#: Primary keys with every qualifier they may take, in path order (first alternative first).
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    code: tuple(dict.fromkeys(q for seq in seqs for q in seq))
    for code, seqs in KEY_SEQUENCES.items()
}

#: Alphabetic path names of GS1 Digital Link 1.0; parsing accepts them, building never emits.
SHORT_NAMES: dict[str, str] = {
    "gtin": "01", "cpv": "22", "lot": "10", "ser": "21", "sscc": "00", "gln": "414",
    "glnx": "254", "grai": "8003", "giai": "8004", "gsin": "402", "gsrn": "8018",
    "gsrnp": "8017", "gdti": "253", "gcn": "255", "ginc": "401", "cpid": "8010",
    "cpsn": "8011", "gmn": "8013",
}  # fmt: skip

_SCHEMES = ("http://", "https://", "HTTP://", "HTTPS://")
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(:\d*)?$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]{8,}$")


def _encode(value: str) -> str:
    """Percent-encode all but RFC 3986 unreserved characters (``/``, ``+``, ``%`` included)."""
    return quote(value, safe="")


def build_digital_link(elements: Sequence[Element], base: str) -> str:
    """``{base}/01/{gtin}/10/{lot}/21/{serial}?17=...``: key and qualifiers in the path.

    The first primary key in ``elements`` goes in the path; other keys become attributes.
    """
    validate_elements(elements)
    values = dict(elements)
    primary = next((ai for ai, _ in elements if ai in KEY_SEQUENCES), None)  # the first key
    if primary is None:
        names = ", ".join(f"({k})" for k in KEY_SEQUENCES)
        raise Gs1Error(GS1_INVALID, f"a Digital Link needs a primary key: one of {names}")
    sequence = next(
        (s for s in KEY_SEQUENCES[primary] if any(q in values for q in s)),
        KEY_SEQUENCES[primary][0],
    )
    path_ais = [primary, *(q for q in sequence if q in values)]
    for ai, _ in elements:
        if ai not in path_ais and not lookup(ai).entry.dl_attribute:
            raise ai_error(ai, "is not allowed as a Digital Link data attribute")
    path = "".join(f"/{ai}/{_encode(values[ai])}" for ai in path_ais)
    query = "&".join(f"{ai}={_encode(v)}" for ai, v in elements if ai not in path_ais)
    return base.rstrip("/") + path + (f"?{query}" if query else "")


def _fits(qualifiers: list[str], sequence: tuple[str, ...]) -> bool:
    """True when ``qualifiers`` appear in ``sequence``, in its order, each at most once."""
    positions = [sequence.index(q) if q in sequence else -1 for q in qualifiers]
    return -1 not in positions and positions == sorted(set(positions))


def _path_elements(segments: list[str]) -> tuple[list[Element], set[str]] | None:
    """The key and qualifiers at the end of the path, and the AIs the query may not carry."""
    for start in range(len(segments)):
        primary = SHORT_NAMES.get(segments[start], segments[start])
        tail = segments[start:]
        if primary not in KEY_SEQUENCES or len(tail) % 2:
            continue
        pairs = [(SHORT_NAMES.get(tail[i], tail[i]), tail[i + 1]) for i in range(0, len(tail), 2)]
        qualifiers = [ai for ai, _ in pairs[1:]]
        fitting = [s for s in KEY_SEQUENCES[primary] if _fits(qualifiers, s)]
        if fitting:
            return pairs, {primary, *(q for s in fitting for q in s)}
    return None


def _split_uri(url: str) -> tuple[str, str, str]:
    """(host, path, query) of an http(s) URI; the scheme is all lower or all upper case."""
    text = url.strip()
    scheme = next((s for s in _SCHEMES if text.startswith(s)), None)
    if scheme is None:
        raise Gs1Error(GS1_INVALID, f"a Digital Link must be an http(s) URL: {url!r}")
    if not _URI_CHARS.match(text):
        raise Gs1Error(GS1_INVALID, f"the URI has characters a URI may not carry: {url!r}")
    rest = text[len(scheme) :].split("#", 1)[0]
    rest, _, query = rest.partition("?")
    host, slash, path = rest.partition("/")
    if not host or not _HOST.match(host):
        raise Gs1Error(GS1_INVALID, f"the URI has no valid host name: {url!r}")
    return host, slash + path, query


def _compressed_key(segment: str) -> str | None:
    """The primary key a compressed Digital Link segment starts with, or None.

    Compression (GS1 Digital Link 1.x) writes the key's AI as hex digits, then a fixed-length
    numeric value as a binary integer of ceil(n * log2 10) bits: for ``01`` 8 + 47 bits. The
    value must be a number of n digits with a valid check digit, which plain URL paths that
    happen to be base64url almost never are.
    """
    if not _BASE64URL.match(segment) or segment.isdigit():
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return None
    bits, number = len(raw) * 8, int.from_bytes(raw, "big")
    for key in KEY_SEQUENCES:
        first = AI_TABLE[key].entry.components[0]
        if first.kind != "N" or "csum" not in first.linters or first.optional:
            continue
        key_bits, size = 4 * len(key), first.max_length
        value_bits = math.ceil(size * math.log2(10))
        if bits < key_bits + value_bits or number >> (bits - key_bits) != int(key, 16):
            continue
        value = (number >> (bits - key_bits - value_bits)) & ((1 << value_bits) - 1)
        if value < 10**size and has_valid_check_digit(str(value).zfill(size)):
            return key
    return None


def looks_compressed(url: str) -> bool:
    """True for a compressed Digital Link: its last path segment decodes to a GS1 key."""
    try:
        _, path, _ = _split_uri(url)
    except Gs1Error:
        return False
    return _compressed_key(path.rsplit("/", 1)[-1]) is not None


def names_a_gs1_key(url: str) -> bool:
    """True when the path holds a primary key with a valid value (``/01/<valid GTIN>``), so
    that a fault further on is a broken Digital Link, not some other web address."""
    try:
        _, path, _ = _split_uri(url)
    except Gs1Error:
        return False
    segments = path.split("/")
    for key, value in itertools.pairwise(segments):
        code = SHORT_NAMES.get(key, key)
        if code in KEY_SEQUENCES:
            try:
                validate_value(code, unquote(value))
            except Gs1Error:
                continue
            return True
    return False


def is_digital_link(url: str) -> bool:
    """True when ``url`` is http(s) and its path ends in a GS1 primary key (values unchecked)."""
    try:
        _, path, _ = _split_uri(url)
    except Gs1Error:
        return False
    return _path_elements(path.split("/")[1:]) is not None or looks_compressed(url)


def _decode(ai: str, raw: str, *, query: bool) -> str:
    """Percent-decode a value (``+`` is a space in the query only) and pad short GTINs."""
    value = unquote(raw.replace("+", " ") if query else raw, errors="strict")
    if not value:
        raise ai_error(ai, "value is empty")
    if ai == "01" and value.isdigit() and len(value) in (8, 12, 13):
        value = normalize_gtin(value)  # zero-suppressed GTINs are allowed in a URI
    return value


def _raise_misplaced_qualifier(segments: list[str]) -> None:
    """Name the AI when a key is followed by pairs that are not its qualifiers in order."""
    for start in range(len(segments)):
        primary = SHORT_NAMES.get(segments[start], segments[start])
        tail = segments[start:]
        if primary not in KEY_SEQUENCES or len(tail) % 2:
            continue
        seen: list[str] = []
        for ai in (SHORT_NAMES.get(tail[i], tail[i]) for i in range(2, len(tail), 2)):
            if not any(_fits([*seen, ai], s) for s in KEY_SEQUENCES[primary]):
                order = " or ".join("/".join(s) for s in KEY_SEQUENCES[primary] if s) or "none"
                raise ai_error(ai, f"is not a key qualifier of ({primary}) in this place of the "
                               f"path (qualifiers in order: {order})")  # fmt: skip
            seen.append(ai)


def parse_digital_link(url: str, *, associations: bool = True) -> list[Element]:
    """Read the elements of a Digital Link URI; any host and path prefix is accepted.

    Query parameters that are not all digits (``linkType``, ``context``) are not GS1 data and
    are ignored, as the standard says. Key qualifiers belong in the path, never the query.
    """
    _, path, query = _split_uri(url)
    if looks_compressed(url) and _path_elements(path.split("/")[1:]) is None:
        raise Gs1Error(GS1_INVALID, "compressed GS1 Digital Link URIs are not supported; "
                       f"print or scan the uncompressed form: {url!r}")  # fmt: skip
    found = _path_elements(path.split("/")[1:])
    if found is None and not path.endswith("/"):
        _raise_misplaced_qualifier(path.split("/")[1:])
    if found is None or path.endswith("/"):
        raise Gs1Error(
            GS1_INVALID,
            "the path must end in a GS1 primary key and its qualifiers in GS1 order, "
            f"e.g. /01/<gtin>/22/<cpv>/10/<lot>/21/<serial>: {url!r}",
        )
    pairs, not_in_query = found
    elements = [(ai, _decode(ai, raw, query=False)) for ai, raw in pairs]
    for item in filter(None, query.split("&")):
        key, _, raw = item.partition("=")
        if not key.isdigit():
            continue
        if key not in AI_TABLE:
            raise ai_error(key, "unknown application identifier in the query string")
        if key in not_in_query:
            raise ai_error(key, "is a key or key qualifier: it belongs in the path, not the query")
        if not lookup(key).entry.dl_attribute:
            raise ai_error(key, "is not allowed as a Digital Link data attribute")
        elements.append((key, _decode(key, raw, query=True)))
    seen: set[str] = set()
    for ai, _ in elements:
        if ai in seen:
            raise ai_error(ai, "appears more than once in the Digital Link")
        seen.add(ai)
    validate_elements(elements, associations=associations)
    return elements

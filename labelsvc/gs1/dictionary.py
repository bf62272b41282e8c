"""The GS1 Barcode Syntax Dictionary, read from the file GS1 publishes.

``data/gs1-syntax-dictionary.txt`` is shipped as GS1 releases it (Apache-2.0, see
``data/SOURCE.txt``; ``scripts/update-gs1-dictionary`` refreshes it), so a new GS1 release is
a data update, not a code change. Parsing it takes a few milliseconds, once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

#: Component types: N digits, X GS1 character set 82, Y set 39, Z set 64 (base64url).
_COMPONENT = re.compile(r"^(?P<kind>[NXYZ])(?P<var>\.\.)?(?P<n>\d+)$")
_FLAG_CHARS = frozenset("*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~")


@dataclass(frozen=True)
class Component:
    """One part of an AI's value: its type, length range and the linters that check it."""

    kind: str  # N, X, Y or Z
    min_length: int
    max_length: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One AI as the dictionary defines it."""

    code: str
    title: str
    predefined_length: bool  # flag "*": no FNC1 separator follows it
    dl_attribute: bool  # flag "?": allowed as a Digital Link data attribute
    components: tuple[Component, ...]
    requires: tuple[tuple[tuple[str, ...], ...], ...]  # each req=: alternatives of AND groups
    excludes: tuple[str, ...]  # patterns; "n" matches any digit
    dl_key_sequences: tuple[tuple[str, ...], ...] | None  # None: not a Digital Link key

    @property
    def min_length(self) -> int:
        """Shortest valid value (optional components left out)."""
        return sum(c.min_length for c in self.components if not c.optional)

    @property
    def max_length(self) -> int:
        """Longest valid value."""
        return sum(c.max_length for c in self.components)

    @property
    def fixed_length(self) -> int | None:
        """The one valid length, or None when the length may vary."""
        return self.max_length if self.min_length == self.max_length else None


@dataclass(frozen=True)
class Dictionary:
    """Every AI entry, plus the release it came from."""

    release: str
    entries: dict[str, Entry]


def _component(token: str) -> Component:
    """``N13,csum,gcppos1`` or ``[X..17]`` as a Component."""
    optional = token.startswith("[")  # "[X..17]" or "[N3],iso3166"
    spec, *linters = token.replace("[", "").replace("]", "").split(",")
    match = _COMPONENT.match(spec)
    if match is None:
        raise ValueError(f"bad component {token!r} in the GS1 syntax dictionary")
    size = int(match["n"])
    return Component(match["kind"], 1 if match["var"] else size, size, optional, tuple(linters))


def _codes(first: str, last: str) -> list[str]:
    return [str(n).zfill(len(first)) for n in range(int(first), int(last) + 1)]


def _entries(line: str) -> list[Entry]:
    """One dictionary line: an AI or an AI range such as ``3100-3105``."""
    spec, _, title = line.partition("#")
    tokens = spec.split()
    first, _, last = tokens[0].partition("-")
    rest = tokens[1:]
    flags = rest.pop(0) if rest and set(rest[0]) <= _FLAG_CHARS else ""
    components: list[Component] = []
    while rest and re.match(r"^\[?[NXYZ]", rest[0]):
        components.append(_component(rest.pop(0)))
    requires: list[tuple[tuple[str, ...], ...]] = []
    excludes: list[str] = []
    dl_keys: tuple[tuple[str, ...], ...] | None = None
    for attribute in rest:
        key, _, value = attribute.partition("=")
        if key == "req":
            requires.append(tuple(tuple(alt.split("+")) for alt in value.split(",")))
        elif key == "ex":
            excludes.extend(value.split(","))
        elif key == "dlpkey":
            dl_keys = tuple(tuple(seq.split(",")) if seq else () for seq in value.split("|"))
    return [
        Entry(
            code,
            title.strip(),
            "*" in flags,
            "?" in flags,
            tuple(components),
            tuple(requires),
            tuple(excludes),
            dl_keys,
        )
        for code in (_codes(first, last) if last else [first])
    ]


def parse_dictionary(text: str) -> Dictionary:
    """Read the dictionary's text format (one AI or AI range a line, ``#`` comments)."""
    release = re.search(r"^#\s*Release:\s*(\S+)", text, re.MULTILINE)
    entries: dict[str, Entry] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            for entry in _entries(line):
                entries[entry.code] = entry
    return Dictionary(release[1] if release else "unknown", entries)


@cache
def dictionary() -> Dictionary:
    """The shipped dictionary, parsed once."""
    text = files("labelsvc.gs1").joinpath("data/gs1-syntax-dictionary.txt").read_text("utf-8")
    return parse_dictionary(text)


@cache
def code_lists() -> dict[str, frozenset[str]]:
    """ISO 3166, ISO 4217, media and package type codes the linters check against."""
    text = files("labelsvc.gs1").joinpath("data/code-lists.txt").read_text("utf-8")
    lists: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, codes = line.partition(":")
            lists[name.strip()] = frozenset(codes.split())
    return lists

"""Import a list of externally issued serials from a file that carries its own checksum.

Two formats, one checksum: the SHA-256 of the serials in file order, each followed by a
line feed (so ``sha256sum`` of a plain list of the serials gives it), and their count.

CSV: ``# key: value`` lines first (``count`` and ``sha256`` required; ``gtin`` and
``reference`` optional), then a header row ``serial``, then one serial a row::

    # labelsvc serial list 1
    # count: 2
    # sha256: 3f1c...
    serial
    EXT-0001
    EXT-0002

XML: a ``serialList`` root (any namespace) with the same attributes and one ``serial``
element per value; a DTD is refused (no entities)::

    <serialList count="2" sha256="3f1c..."><serial>EXT-0001</serial>...</serialList>

A file is refused whole, naming the line and what to do, when its checksum or count is
wrong or a value is malformed, repeated or known already: nothing is half imported.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, LabelsvcError
from labelsvc.domain.leases import BlockOrigin
from labelsvc.services.supply import list_pool, receive_block
from labelsvc.store import Store
from labelsvc.store.supply import BlockRow

_META = re.compile(r"#\s*([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*$")
_SHA256 = re.compile(r"[0-9a-f]{64}")
REDO = "Nothing was imported; fix the file (or get it again from its issuer) and import it again."


@dataclass
class SerialList:
    """A parsed file: its serials in order, the line of each, and what its header says."""

    name: str
    format: str
    serials: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """The checksum of the serials as read (each followed by a line feed)."""
        return list_checksum(self.serials)


@dataclass(frozen=True)
class Imported:
    """A file stored as one supply block."""

    block: BlockRow
    format: str
    count: int
    sha256: str


def list_checksum(serials: Sequence[str]) -> str:
    """SHA-256 (hex) of the serials, each followed by ``\\n``, UTF-8."""
    digest = hashlib.sha256()
    for value in serials:
        digest.update(value.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _refuse(name: str, line: int | None, problem: str, code: str = "supply-file-invalid",
            **fields: Any) -> InvalidInput:  # fmt: skip
    where = f"{name} line {line}" if line else name
    return InvalidInput(code, f"{where}: {problem}. {REDO}", line=line, **fields)


def parse_csv(name: str, text: str) -> SerialList:
    """Read the CSV format (see the module docstring)."""
    found = SerialList(name, "csv")
    lines = text.splitlines()
    n = 0
    while n < len(lines) and (lines[n].startswith("#") or not lines[n].strip()):
        if m := _META.match(lines[n]):
            found.meta[m.group(1).lower()] = m.group(2)
        n += 1
    if n >= len(lines) or lines[n].strip().lower() != "serial":
        raise _refuse(name, n + 1, "expected the header row 'serial' after the '# key: value' "
                      "lines")  # fmt: skip
    body = lines[n + 1 :]
    while body and not body[-1].strip():
        body.pop()
    for offset, row in enumerate(csv.reader(body)):
        line = n + 2 + offset
        if len(row) != 1 or not row[0]:
            raise _refuse(name, line, f"expected one serial, found {len(row)} fields"
                          if row else "the row is empty")  # fmt: skip
        found.serials.append(row[0])
        found.lines.append(line)
    return found


def parse_xml(name: str, data: bytes) -> SerialList:
    """Read the XML format with expat; a DTD (and so any entity) is refused."""
    found = SerialList(name, "xml")
    parser = expat.ParserCreate()
    depth, text = 0, list[str]()

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        local = tag.rsplit(":", 1)[-1]
        if depth == 0:
            if local != "serialList":
                raise _refuse(name, parser.CurrentLineNumber,
                              f"the root element is <{tag}>, not <serialList>")  # fmt: skip
            found.meta.update({k.rsplit(":", 1)[-1].lower(): v for k, v in attrs.items()})
        elif depth == 1 and local == "serial":
            text.clear()
        else:
            raise _refuse(name, parser.CurrentLineNumber, f"unexpected element <{tag}>")
        depth += 1

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        if depth == 1:
            value = "".join(text).strip()
            if not value:
                raise _refuse(name, parser.CurrentLineNumber, "the <serial> is empty")
            found.serials.append(value)
            found.lines.append(parser.CurrentLineNumber)

    def chars(data: str) -> None:
        if depth == 2:
            text.append(data)

    def no_dtd(*_: Any) -> None:
        raise _refuse(name, parser.CurrentLineNumber, "a DTD is not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise _refuse(name, exc.lineno, f"not well-formed XML ({expat.errors.messages[exc.code]})"
                      ) from exc  # fmt: skip
    return found


def parse_list(name: str, data: bytes) -> SerialList:
    """Read a file as XML when it starts with ``<`` (after a BOM and blanks), else as CSV:
    the content decides, whatever the file is called."""
    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<":
        found = parse_xml(name, data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _refuse(name, None, "the file is not UTF-8 text") from exc
        found = parse_csv(name, text)
    check_list(found)
    return found


def check_list(found: SerialList) -> None:
    """The header's count and checksum match the serials, and no serial repeats."""
    name, meta = found.name, found.meta
    for key in ("count", "sha256"):
        if key not in meta:
            raise _refuse(name, 1, f"the file does not say its {key} (add '{key}'); it is "
                          "needed to know the list arrived whole",
                          "supply-file-unchecked")  # fmt: skip
    if not meta["count"].isdigit() or int(meta["count"]) != len(found.serials):
        raise _refuse(name, 1, f"it says count {meta['count']} but holds {len(found.serials):,}"
                      " serials; it may be cut short", "supply-file-count")  # fmt: skip
    given = meta["sha256"].lower().removeprefix("sha256:")
    if not _SHA256.fullmatch(given) or given != found.sha256:
        raise _refuse(name, 1, f"its serials have SHA-256 {found.sha256}, the file says "
                      f"{meta['sha256']}; it was changed or damaged on the way",
                      "supply-file-checksum")  # fmt: skip
    first: dict[str, int] = {}
    for value, line in zip(found.serials, found.lines, strict=True):
        if value in first:
            raise _refuse(name, line, f"serial {value!r} appears twice (first on line "
                          f"{first[value]})", "supply-file-duplicate", value=value)  # fmt: skip
        first[value] = line


def import_list(
    store: Store, pool: str, name: str, data: bytes, *, actor: Actor, gtin: str | None = None
) -> Imported:
    """Check a file and store its serials as one block of ``pool``'s supply, or nothing."""
    require(actor, "manage")
    found = parse_list(name, data)
    gtin = _gtin(found, gtin)
    reference = f"{name}#sha256:{found.sha256}"
    with store.write() as tx:
        row = list_pool(
            tx, pool, doing="takes serials issued elsewhere. Import into a list pool", lock=True
        )
        if gtin is None and row.spec.kind == "unit" and len(row.spec.gtins) == 1:
            gtin = row.spec.gtins[0]
        try:
            block = receive_block(
                tx, pool=pool, gtin=gtin, origin=BlockOrigin.FILE, reference=reference,
                values=found.serials, actor=actor, checksum=found.sha256,
            )  # fmt: skip
        except LabelsvcError as exc:
            raise _with_line(exc, found) from exc
    return Imported(block, found.format, len(found.serials), found.sha256)


def _gtin(found: SerialList, gtin: str | None) -> str | None:
    said = found.meta.get("gtin") or None
    if gtin and said and gtin != said:
        raise _refuse(found.name, 1, f"the file is for GTIN {said}, not {gtin}",
                      "supply-file-gtin")  # fmt: skip
    return gtin or said


def _with_line(exc: LabelsvcError, found: SerialList) -> LabelsvcError:
    """The store's refusal of one value, said with the file line it came from."""
    position = exc.fields.get("position")
    value = exc.fields.get("value")
    line = None
    if isinstance(position, int) and 0 < position <= len(found.lines):
        line = found.lines[position - 1]
    elif value in found.serials:
        line = found.lines[found.serials.index(value)]
    if line is None:
        return exc
    detail = exc.detail.replace("; nothing was added.", "")
    return type(exc)(exc.code, f"{found.name} line {line}: {detail}. {REDO}", line=line,
                     **exc.fields)  # fmt: skip

"""Stored formats: a label's fixed part sent once (``^DF``), then only its fields (``^XF``).

From a label rendered with a stand-in serial, every field whose data holds the stand-in
(``^FH\\^FD...^FS``) becomes ``^FNn`` in a format downloaded to the printer's memory
(``^DFR:name.ZPL``); each label then is ``^XA^XFR:name.ZPL^FS`` plus ``^FNn^FH\\^FD...^FS``
per such field. A printer fills ``^FNn`` with the field data of the recalling label, so
what it prints is byte-for-byte the full label (:func:`expand` does what it does, for the
emulator). The format is downloaded again with every job: a printer that was switched off
in between has lost it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

FIELD = re.compile(rb"\^FH\\\^FD([^^]*)\^FS")
_FN = re.compile(rb"\^FN(\d+)")
_XF = re.compile(rb"\^XF([A-Z]:[A-Z0-9_]{1,16}\.ZPL)\^FS")
_RECALLED = re.compile(rb"\^FN(\d+)(\^FH\\\^FD[^^]*)\^FS")
_DF = re.compile(rb"\^DF([A-Z]:[A-Z0-9_]{1,16}\.ZPL)\^FS")


@dataclass(frozen=True)
class StoredForm:
    """A downloaded format and how to recall it with one label's serial."""

    download: bytes
    name: bytes
    fields: list[tuple[int, list[bytes]]]  # ^FN number, the field data cut at the stand-in

    def recall(self, serial: bytes) -> bytes:
        """One label: the format recalled with this serial in each of its fields."""
        parts = [b"^XA^XF", self.name, b"^FS"]
        for number, data in self.fields:
            parts += [b"^FN%d^FH\\^FD" % number, serial.join(data), b"^FS"]
        parts.append(b"^XZ")
        return b"".join(parts)


def make_form(label: bytes, stand_in: bytes) -> StoredForm | None:
    """The stored form of ``label`` (rendered with ``stand_in``), or None if it has none."""
    if not (label.startswith(b"^XA") and label.rstrip().endswith(b"^XZ")):
        return None
    fields: list[tuple[int, list[bytes]]] = []

    def replace(found: re.Match[bytes]) -> bytes:
        if stand_in not in found[1]:
            return found[0]
        fields.append((len(fields) + 1, found[1].split(stand_in)))
        return b"^FN%d^FS" % len(fields)

    body = FIELD.sub(replace, label.rstrip()[3:-3])
    if not fields or stand_in in body:
        return None
    name = b"R:LS" + hashlib.sha1(body).hexdigest()[:8].upper().encode() + b".ZPL"
    return StoredForm(b"^XA^DF" + name + b"^FS" + body + b"^XZ", name, fields)


def format_name(label: bytes) -> bytes | None:
    """The name a ``^DF`` label stores its format under (None: not a download)."""
    found = _DF.match(label, 3)
    return found[1] if found else None


def format_body(label: bytes) -> bytes:
    """What a ``^DF`` label stores: everything between ``^DF...^FS`` and ``^XZ``."""
    found = _DF.match(label, 3)
    assert found is not None
    return label[found.end() : label.rstrip().rfind(b"^XZ")]


def expand(label: bytes, formats: dict[bytes, bytes]) -> bytes | None:
    """The full label a ``^XF`` recall prints, or None when it is not a recall / unknown."""
    found = _XF.match(label, 3)
    if found is None or found[1] not in formats:
        return None
    values = {m[1]: m[2] for m in _RECALLED.finditer(label)}
    body = _FN.sub(lambda m: values.get(m[1], b""), formats[found[1]])
    return b"^XA" + body + b"^XZ"

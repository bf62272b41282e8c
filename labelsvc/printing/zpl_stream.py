"""Splits a printer connection's bytes into labels and host queries, in arrival order.

A label is ``^XA`` ... ``^XZ``; outside a label the printer also takes queries: ``~HS``,
``~HQxx`` (``~HQES``, ``~HQPH``...), ``~HI`` and SGD ``! U1 getvar "name"``. Bytes between
them (line ends) are dropped, as a printer does.
"""

from __future__ import annotations

import re

START, END = b"^XA", b"^XZ"
_ITEM = re.compile(rb'\^XA|~HS|~HQ[A-Z]{2}|~HI|! U1 getvar "[^"\r\n]*"')
_TAIL = 40  # longest piece of an item that may wait for the rest of it


class ZplStream:
    """Feed bytes; get complete labels (starting ``^XA``) and queries (anything else)."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.in_label = False
        self._scan_from = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the complete items so far."""
        self.buf += data
        out: list[bytes] = []
        while True:
            if self.in_label:
                end = self.buf.find(END, self._scan_from)
                if end < 0:
                    self._scan_from = max(len(START), len(self.buf) - len(END) + 1)
                    return out
                out.append(bytes(self.buf[: end + len(END)]))
                del self.buf[: end + len(END)]
                self.in_label = False
                continue
            found = _ITEM.search(self.buf)
            if found is None:
                keep = max(self.buf.rfind(b"~"), self.buf.rfind(b"!"), self.buf.rfind(b"^"))
                cut = keep if keep >= len(self.buf) - _TAIL else len(self.buf)
                del self.buf[:cut]
                return out
            if found[0] == START:
                del self.buf[: found.start()]
                self.in_label, self._scan_from = True, len(START)
            else:
                out.append(found[0])
                del self.buf[: found.end()]


def split_labels(data: bytes) -> list[bytes]:
    """The complete labels in ``data``, in order (queries and line ends dropped)."""
    return [item for item in ZplStream().feed(data) if item.startswith(START)]

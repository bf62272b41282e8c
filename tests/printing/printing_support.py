"""Helpers shared by the printing tests (a module of its own: ``conftest`` is not importable
by name when several test folders have one)."""

from __future__ import annotations

# shared with every test folder (tests/livekit.py); re-exported for the printing tests
from livekit import free_port as free_port
from livekit import wait_until as wait_until


def label(n: int, pad: int = 0) -> bytes:
    """A small valid ZPL label whose text says which one it is."""
    filler = f"^FO10,100^FD{'x' * pad}^FS" if pad else ""
    return f"^XA^FO50,50^A0N,30,30^FDlabel {n}^FS{filler}^XZ".encode()

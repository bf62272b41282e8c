"""Helpers shared by the printing tests (a module of its own: ``conftest`` is not importable
by name when several test folders have one)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def label(n: int, pad: int = 0) -> bytes:
    """A small valid ZPL label whose text says which one it is."""
    filler = f"^FO10,100^FD{'x' * pad}^FS" if pad else ""
    return f"^XA^FO50,50^A0N,30,30^FDlabel {n}^FS{filler}^XZ".encode()


def free_port() -> int:
    """A TCP port nobody listens on (right now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll until ``predicate()`` holds; False after ``timeout`` (never a timing assert)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()

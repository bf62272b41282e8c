"""Import python-escpos only when an ESC/POS label or printer needs it, and import it cleanly.

At import, ``escpos.capabilities`` calls ``logging.basicConfig()`` (so the service's own
logging set-up later does nothing: INFO never appears) and makes a new temporary folder
for its capabilities cache in every process (thousands of them in ``/tmp`` after a day).
Importing it here keeps the root logger as it was and points the cache at one folder per
user that every process shares. (It calls ``mkdtemp()`` even when the cache folder is set,
as the default of ``environ.get``; so ``mkdtemp`` answers that folder while it imports.)
It also costs ~150 ms, which a CLI command should not pay.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

CACHE_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def escpos_printer() -> ModuleType:
    """The ``escpos.printer`` module, imported without side effects on logging or /tmp."""
    if "escpos.printer" in sys.modules:
        return sys.modules["escpos.printer"]
    if CACHE_ENV not in os.environ:
        cache = Path(tempfile.gettempdir()) / f"labelsvc-escpos-{os.getuid()}"
        cache.mkdir(mode=0o700, exist_ok=True)
        os.environ[CACHE_ENV] = str(cache)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    real_mkdtemp = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *args, **kwargs: os.environ[CACHE_ENV]  # type: ignore[assignment]
    try:
        return importlib.import_module("escpos.printer")
    finally:
        tempfile.mkdtemp = real_mkdtemp
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)

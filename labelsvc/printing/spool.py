"""The ``file`` driver: each job becomes one new file in a spool folder.

A file appears whole or not at all (written under a hidden temporary name, then renamed),
so whatever picks files up from the folder never reads half a job.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import time
from pathlib import Path

from labelsvc.printing.errors import TransportError
from labelsvc.printing.status import PrinterStatus

SUFFIX = {"zpl": ".zpl", "escpos": ".bin"}
_counter = itertools.count()


class SpoolFolder:
    """Writes each payload as ``<time>-<n>-<tag>.zpl`` into ``folder``."""

    def __init__(self, folder: Path, *, language: str = "zpl", name: str = "") -> None:
        self.folder = folder
        self.suffix = SUFFIX.get(language, ".bin")
        self.name = name or str(folder)

    def send(self, data: bytes, *, tag: str = "") -> None:
        """Write one file atomically; a failure leaves no partial file behind."""
        safe_tag = re.sub(r"[^A-Za-z0-9._-]", "_", tag or "job")
        final = self.folder / f"{time.time_ns():020d}-{next(_counter):06d}-{safe_tag}{self.suffix}"
        tmp = self.folder / f".{final.name}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise TransportError(
                f"cannot write to spool folder {self.folder} ({exc}); check that it exists "
                "and is writable",
                partial=False,
                printer=self.name,
            ) from exc

    def status(self) -> PrinterStatus | None:
        """A folder has no paper to run out of."""
        return None

    def label_counter(self) -> int | None:
        """Not known to this transport: its jobs settle as ``sent``."""
        return None

    def close(self) -> None:
        """Nothing is kept open between calls."""

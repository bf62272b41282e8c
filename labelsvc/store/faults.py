"""Store failures that a person must act on, as core errors that say what to do.

On a full disk SQLite refuses the write with ``SQLITE_FULL`` and rolls the transaction
back itself; the caller's own ``ROLLBACK`` then fails with "cannot rollback - no
transaction is active", which used to hide the real cause behind an internal error.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from labelsvc.domain.errors import Unavailable

SQLITE_FULL, SQLITE_IOERR = 13, 10
NEARLY_FULL = 64 * 1024  # bytes: an I/O error with this little free space is a full disk


def free_bytes(folder: Path) -> int | None:
    """Free bytes on the file system holding ``folder`` (None if it cannot be told)."""
    usage = disk_usage(folder)
    return usage[0] if usage else None


def disk_usage(folder: Path) -> tuple[int, int] | None:
    """(free, total) bytes of the file system holding ``folder``, if it can be told."""
    try:
        found = shutil.disk_usage(folder)
    except OSError:
        return None
    return found.free, found.total


def disk_full(exc: BaseException, database: Path) -> Unavailable | None:
    """The clear error for a write that failed because the disk is full, else None."""
    if not isinstance(exc, sqlite3.OperationalError | OSError):
        return None
    folder = database.parent
    free = free_bytes(folder)
    code = getattr(exc, "sqlite_errorcode", None)
    full = (code is not None and code & 0xFF == SQLITE_FULL) or "disk is full" in str(exc)
    full = full or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC)
    if not full and code is not None and code & 0xFF == SQLITE_IOERR:
        full = free is not None and free < NEARLY_FULL
    if not full:
        return None
    left = f"{free:,} bytes free" if free is not None else "no space"
    return Unavailable(
        "disk-full",
        f"The disk holding {folder} is full ({left}): nothing was saved. Free space on it "
        "(old backups, logs, spool files) and try again; the service recovers by itself.",
        folder=str(folder),
    )

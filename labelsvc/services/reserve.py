"""A little disk space kept in reserve, so the service can start on a full disk.

SQLite needs a few kilobytes to open a database (its ``-wal`` and ``-shm`` files); on a disk
full to the last byte ``serve`` could not even start to say what is wrong. ``init`` and the
housekeeping thread keep a reserve file beside the database; ``serve`` on a full disk
releases it, starts, and says in one line what to free. Housekeeping takes the reserve
again once there is room.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RESERVE_NAME = ".labelsvc-disk-reserve"
RESERVE_BYTES = 256 * 1024
FULL_BELOW = 128 * 1024  # free bytes under which a start needs the reserve


def keep_reserve(folder: Path) -> bool:
    """Create the reserve file when it is missing and there is ample room; True if it exists."""
    reserve = folder / RESERVE_NAME
    if reserve.exists():
        return True
    try:
        if shutil.disk_usage(folder).free < 4 * RESERVE_BYTES:
            return False
        fd = os.open(reserve, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(b"\0" * RESERVE_BYTES)  # real blocks, not a sparse file
    except OSError:
        reserve.unlink(missing_ok=True)
        return False
    return True


def release_if_full(folder: Path) -> str | None:
    """Delete the reserve when the disk is full; return the one-line warning, if any."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if free >= FULL_BELOW:
        return None
    reserve = folder / RESERVE_NAME
    released = reserve.exists()
    reserve.unlink(missing_ok=True)
    what = "released the disk reserve to start" if released else "there was no reserve to release"
    return (
        f"The disk holding {folder} is full ({free:,} bytes free); {what}. Free space on it "
        "(old backups, logs, spool files): until then nothing new can be saved."
    )

"""Registered migrations, applied in name order and never edited once released.

Each module ``NNNN_name.py`` in this package defines ``migrate(conn)``. The table
``_migrations`` records what ran; a new change is a new module with a higher number.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from datetime import UTC, datetime

import sqlite_utils


def available() -> list[str]:
    """Names of all migration modules in order."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name[:4].isdigit()]
    return sorted(names)


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet recorded; the caller holds the transaction."""
    db = sqlite_utils.Database(conn)
    log = db.table("_migrations")
    log.create({"name": str, "applied_at": str}, pk="name", not_null={"applied_at"},
               if_not_exists=True)  # fmt: skip
    done = {row["name"] for row in log.rows}
    applied = []
    for name in available():
        if name in done:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        module.migrate(conn)
        log.insert({"name": name, "applied_at": datetime.now(UTC).isoformat()})
        applied.append(name)
    return applied

"""AIs a scan carried beyond GTIN, serial, lot and expiry (weights, dates, internal fields).

One row per item, the AIs as a JSON object ``{"3103": "001250", "91": "X"}``; a table of its
own so that ``items`` and its readers stay as they are. Portable SQL only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    "CREATE TABLE item_extra_ais ("
    " item_id INTEGER PRIMARY KEY REFERENCES items(id),"
    " ais TEXT NOT NULL,"
    " updated_at TEXT NOT NULL)",
]


def migrate(conn: MigrationConn) -> None:
    """Create the extra-AI table."""
    for statement in STATEMENTS:
        conn.execute(statement)

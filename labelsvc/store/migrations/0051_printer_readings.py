"""What each printer said about itself, polled on a schedule: the fleet's history.

One row per change of a printer's reading (status, warnings, identity, counters), not per
poll, so the history stays small. ``printers`` also keeps the latest identity, so a dpi
that does not match the definition stops printing on it with a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    """CREATE TABLE printer_readings (
        id INTEGER PRIMARY KEY,
        printer TEXT NOT NULL REFERENCES printers(name),
        status TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        warnings TEXT NOT NULL DEFAULT '[]',
        model TEXT,
        firmware TEXT,
        dpi INTEGER,
        label_counter INTEGER,
        head_life INTEGER,
        read_at TEXT NOT NULL
    )""",
    "CREATE INDEX printer_readings_printer ON printer_readings(printer, id)",
    "ALTER TABLE printers ADD COLUMN identity TEXT",
]


def migrate(conn: MigrationConn) -> None:
    """Create the readings table and the identity column."""
    for statement in STATEMENTS:
        conn.execute(statement)

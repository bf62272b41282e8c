"""Station profiles (a workstation's role and printer) and timed trace look-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    """CREATE TABLE stations (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('receiving', 'packing')),
        printer TEXT,
        description TEXT NOT NULL DEFAULT '',
        updated_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # One row per trace look-up, so "time to trace" is measured where people trace.
    """CREATE TABLE trace_lookups (
        id INTEGER PRIMARY KEY,
        query TEXT NOT NULL,
        found INTEGER NOT NULL,
        nodes INTEGER NOT NULL DEFAULT 0,
        ms REAL NOT NULL,
        actor TEXT NOT NULL,
        station TEXT,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX trace_lookups_at ON trace_lookups(at)",
    "CREATE INDEX print_jobs_sent_at ON print_jobs(sent_at) WHERE sent_at IS NOT NULL",
]


def migrate(conn: MigrationConn) -> None:
    """Add the station and trace-timing tables and an index for labels printed per hour."""
    for statement in STATEMENTS:
        conn.execute(statement)

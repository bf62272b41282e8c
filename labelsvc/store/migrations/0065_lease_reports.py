"""Reports of leased serials: a site's cursors, and at the authority what it applied.

Portable SQL only (SQLite and PostgreSQL). A site keeps one cursor row per kind of report
(items by id, events by id, the next ``seq``), advanced in the transaction that writes the
report to the outbox, so a crash never loses or doubles one. The authority records each
report's envelope id (a redelivery is applied once), the last report applied per serial
(an older one never overwrites a newer), and the reports it refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    """CREATE TABLE lease_report_cursors (
        name TEXT PRIMARY KEY CHECK (name IN ('lease', 'list')),
        item_id INTEGER NOT NULL DEFAULT 0,
        event_id INTEGER NOT NULL DEFAULT 0,
        seq INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT
    )""",
    """CREATE TABLE lease_reports (
        message_id TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        topic TEXT NOT NULL,
        seq INTEGER,
        applied INTEGER NOT NULL DEFAULT 0,
        refused INTEGER NOT NULL DEFAULT 0,
        received_at TEXT NOT NULL
    )""",
    "CREATE INDEX lease_reports_site ON lease_reports(site, received_at)",
    """CREATE TABLE lease_usage (
        item_id INTEGER PRIMARY KEY,
        lease_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX lease_usage_lease ON lease_usage(lease_id)",
    """CREATE TABLE lease_discrepancies (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('never-leased', 'leased-elsewhere',
            'used-after-return', 'return-of-used', 'unknown-lease')),
        site TEXT NOT NULL,
        lease_id INTEGER,
        namespace TEXT,
        value TEXT NOT NULL,
        detail TEXT NOT NULL,
        message_id TEXT,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
        created_at TEXT NOT NULL,
        resolved_by TEXT,
        resolved_at TEXT,
        note TEXT
    )""",
    "CREATE INDEX lease_discrepancies_state ON lease_discrepancies(state, id)",
]


def migrate(conn: MigrationConn) -> None:
    """Add report cursors, applied reports, per-serial usage and discrepancies."""
    for statement in STATEMENTS:
        conn.execute(statement)

"""Operations: login throttling, server-side sessions, and purging label payloads.

Portable SQL only (SQLite and PostgreSQL): TEXT and INTEGER columns, plain statements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    # Failed logins per key ('user:NAME' or 'addr:IP') in the current window, and the time
    # until which the key is locked. A success deletes the account's row.
    """CREATE TABLE login_throttle (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        window_start TEXT NOT NULL,
        locked_until TEXT,
        updated_at TEXT NOT NULL
    )""",
    # One row per logged-in browser; the cookie holds a secret whose SHA-256 is the id.
    # Logout, a password or role change and disabling the user delete the rows.
    """CREATE TABLE web_sessions (
        id TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        address TEXT,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    )""",
    "CREATE INDEX web_sessions_user ON web_sessions(user_name)",
    # Retention: when the stored label data of a finished job was dropped.
    "ALTER TABLE print_jobs ADD COLUMN payload_purged_at TEXT",
]


def migrate(conn: MigrationConn) -> None:
    """Create the tables and the column."""
    for statement in STATEMENTS:
        conn.execute(statement)

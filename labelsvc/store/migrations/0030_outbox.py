"""The transactional outbox: messages for partners, written beside the change they report.

Portable SQL only (SQLite and PostgreSQL). Delivery state lives with each subscription's
deliveries (a later migration), so a row here is written once and never updated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    # message_id is the id a receiver dedupes on; it survives redelivery and database copies.
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL,
        subject TEXT,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX outbox_topic ON outbox(topic, id)",
]


def migrate(conn: MigrationConn) -> None:
    """Create the outbox table."""
    for statement in STATEMENTS:
        conn.execute(statement)

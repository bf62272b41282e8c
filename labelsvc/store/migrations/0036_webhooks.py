"""Webhook subscriptions and one delivery row per (subscription, outbox message).

Portable SQL only (SQLite and PostgreSQL). A delivery row is written in the same transaction
as the outbox message it carries (see :meth:`labelsvc.store.outbox.OutboxRepo.add`), so no
cursor over outbox ids is needed: on PostgreSQL ids are not committed in order, and a cursor
would skip a message whose transaction committed after a later one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    # secret: the HMAC key, kept as it is because signing needs it (see store/webhooks.py).
    """CREATE TABLE webhook_subscriptions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        kind TEXT NOT NULL,
        secret TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE webhook_topics (
        subscription_id INTEGER NOT NULL,
        topic TEXT NOT NULL,
        PRIMARY KEY (subscription_id, topic)
    )""",
    "CREATE INDEX webhook_topics_topic ON webhook_topics(topic)",
    # state: pending -> sending -> delivered, or back to pending (retry), or dead.
    """CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        subscription_id INTEGER NOT NULL,
        outbox_id INTEGER NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        claimed_by TEXT,
        lease_until TEXT,
        last_status INTEGER,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (subscription_id, outbox_id)
    )""",
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at)",
    "CREATE INDEX webhook_deliveries_sub ON webhook_deliveries(subscription_id, state, id)",
]


def migrate(conn: MigrationConn) -> None:
    """Create the subscription, topic and delivery tables."""
    for statement in STATEMENTS:
        conn.execute(statement)

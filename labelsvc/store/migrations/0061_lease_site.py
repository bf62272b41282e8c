"""A site's block requests to its authority.

Each request's collection id is stored before it is sent, so a crash or a lost answer
retries with the same id and the authority answers it the same: never two leases for one
need. At most one request per pool and GTIN is pending (the partial UNIQUE index), so two
instances refilling at once share it. ``gtin`` is '' for pools without GTINs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    """CREATE TABLE lease_requests (
        id INTEGER PRIMARY KEY,
        pool TEXT NOT NULL REFERENCES pools(name),
        gtin TEXT NOT NULL DEFAULT '',
        collection_id TEXT NOT NULL UNIQUE,
        count INTEGER NOT NULL CHECK (count > 0),
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'received', 'refused')),
        lease_id INTEGER,
        granted INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX lease_requests_pending ON lease_requests(pool, gtin)"
    " WHERE state = 'pending'",
    "CREATE INDEX lease_requests_pool ON lease_requests(pool, gtin, id)",
]


def migrate(conn: MigrationConn) -> None:
    """Add the site's lease requests."""
    for statement in STATEMENTS:
        conn.execute(statement)

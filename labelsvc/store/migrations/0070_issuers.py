"""Issuers of list pools: where a pool with supply ``list`` asks for its next block.

Portable SQL only (SQLite and PostgreSQL). One issuer per pool. ``pending_collection`` is the
collection id of the request in flight: it is written *before* the request is sent and
cleared when its block is stored, so a request whose answer was lost is sent again with the
same id and the issuer answers with the same block (never a second one). An index lets a
return of unused serials find the print jobs made since their allocation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    """CREATE TABLE supply_issuers (
        pool TEXT PRIMARY KEY REFERENCES pools(name),
        gtin TEXT,
        url TEXT NOT NULL,
        token TEXT,
        block INTEGER NOT NULL CHECK (block > 0),
        low_water INTEGER NOT NULL CHECK (low_water >= 0),
        report_url TEXT,
        subscription TEXT,
        requests INTEGER NOT NULL DEFAULT 0,
        pending_collection TEXT,
        pending_since TEXT,
        last_error TEXT,
        last_block_at TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # A return of unused serials looks at the print jobs made since their allocation.
    "CREATE INDEX print_jobs_created ON print_jobs(created_at)",
]


def migrate(conn: MigrationConn) -> None:
    """Add the issuers table and the index."""
    for statement in STATEMENTS:
        conn.execute(statement)

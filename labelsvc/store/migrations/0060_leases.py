"""Serial supply from elsewhere (leased blocks, imported or requested lists) and, at an
authority, the sites it leases to and the leases it granted.

Portable SQL only (SQLite and PostgreSQL). A pool's ``supply`` says where its values come
from: its own range (``own``), blocks leased from an authority (``lease``) or lists issued by
someone else (``list``). Values that came from elsewhere wait in ``supply_values`` until an
allocation takes them; the UNIQUE (namespace, value) of ``items`` stays the one rule that no
value is issued twice. Imported site events keep their origin, so a redelivered report is
applied once (UNIQUE (origin, origin_id)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    "ALTER TABLE pools ADD COLUMN supply TEXT NOT NULL DEFAULT 'own'"
    " CHECK (supply IN ('own', 'lease', 'list'))",
    "ALTER TABLE pools ADD COLUMN refill_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE allocations ADD COLUMN source TEXT NOT NULL DEFAULT 'range'"
    " CHECK (source IN ('range', 'supply'))",
    "ALTER TABLE events ADD COLUMN origin TEXT",
    "ALTER TABLE events ADD COLUMN origin_id INTEGER",
    "CREATE UNIQUE INDEX events_origin ON events(origin, origin_id)",
    # One block of values received from elsewhere; ``available`` counts its values still
    # free (a counter, so a pool's supply is summed over a few rows, not its values).
    """CREATE TABLE supply_blocks (
        id INTEGER PRIMARY KEY,
        pool TEXT NOT NULL REFERENCES pools(name),
        gtin TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('lease', 'file', 'issuer', 'returned')),
        reference TEXT NOT NULL,
        count INTEGER NOT NULL CHECK (count > 0),
        available INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'active'
            CHECK (state IN ('active', 'expired', 'returned')),
        expires_at TEXT,
        checksum TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (origin, reference)
    )""",
    "CREATE INDEX supply_blocks_pool ON supply_blocks(pool, state)",
    """CREATE TABLE supply_values (
        block_id INTEGER NOT NULL REFERENCES supply_blocks(id),
        position INTEGER NOT NULL,
        value TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'available'
            CHECK (state IN ('available', 'taken', 'returned')),
        allocation_id INTEGER,
        PRIMARY KEY (block_id, position)
    )""",
    "CREATE INDEX supply_values_free ON supply_values(block_id, state, position)",
    "CREATE INDEX supply_values_allocation ON supply_values(allocation_id, block_id, position)",
    "CREATE INDEX supply_values_value ON supply_values(value)",
    # At an authority: the sites it leases to, and every request it answered.
    """CREATE TABLE lease_sites (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'decommissioned')),
        token_name TEXT,
        description TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT
    )""",
    """CREATE TABLE leases (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL REFERENCES lease_sites(name),
        pool TEXT NOT NULL REFERENCES pools(name),
        gtin TEXT,
        collection_id TEXT NOT NULL,
        requested INTEGER NOT NULL CHECK (requested > 0),
        granted INTEGER NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL CHECK (outcome IN ('granted', 'partial', 'refused')),
        reason TEXT,
        state TEXT NOT NULL CHECK (state IN ('active', 'closed', 'refused')),
        allocation_id INTEGER REFERENCES allocations(id),
        expires_at TEXT,
        used INTEGER NOT NULL DEFAULT 0,
        returned INTEGER NOT NULL DEFAULT 0,
        voided INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (site, collection_id)
    )""",
    "CREATE INDEX leases_pool ON leases(pool, site, state)",
    "CREATE INDEX leases_allocation ON leases(allocation_id)",
]


def migrate(conn: MigrationConn) -> None:
    """Add supply, sites and leases."""
    for statement in STATEMENTS:
        conn.execute(statement)

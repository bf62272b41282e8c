"""Locations (sites, zones, bins), where each item is, touchpoints and cycle counts.

Portable SQL only (SQLite and PostgreSQL). ``item_locations`` holds one row per located
item, keyed by the item, so "where is it?" is one primary-key read and "what is in this
bin?" one range of the ``item_locations_location`` index, whatever the number of serials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    """CREATE TABLE locations (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        parent_id INTEGER REFERENCES locations(id),
        name TEXT NOT NULL DEFAULT '',
        gln TEXT,
        gln_extension TEXT,
        prefix_length INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX locations_parent ON locations(parent_id)",
    "CREATE UNIQUE INDEX locations_sgln ON locations(gln, gln_extension)",
    """CREATE TABLE item_locations (
        item_id INTEGER PRIMARY KEY REFERENCES items(id),
        location_id INTEGER NOT NULL REFERENCES locations(id),
        since TEXT NOT NULL
    )""",
    "CREATE INDEX item_locations_location ON item_locations(location_id, item_id)",
    """CREATE TABLE touchpoints (
        name TEXT PRIMARY KEY,
        biz_step TEXT NOT NULL,
        title TEXT NOT NULL,
        event_types TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE product_touchpoints (
        gtin TEXT NOT NULL,
        touchpoint TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (gtin, touchpoint)
    )""",
    """CREATE TABLE cycle_counts (
        id INTEGER PRIMARY KEY,
        location_id INTEGER REFERENCES locations(id),
        container_id INTEGER REFERENCES items(id),
        blind INTEGER NOT NULL,
        state TEXT NOT NULL,
        station TEXT,
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        closed_by TEXT,
        closed_at TEXT
    )""",
    """CREATE TABLE cycle_count_lines (
        count_id INTEGER NOT NULL REFERENCES cycle_counts(id),
        item_id INTEGER NOT NULL REFERENCES items(id),
        expected INTEGER NOT NULL,
        found INTEGER NOT NULL DEFAULT 0,
        recorded_location_id INTEGER,
        found_by TEXT,
        found_at TEXT,
        resolution TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        PRIMARY KEY (count_id, item_id)
    )""",
]


def migrate(conn: MigrationConn) -> None:
    """Create the tables (the default touchpoints are declared in code, not stored)."""
    for statement in STATEMENTS:
        conn.execute(statement)

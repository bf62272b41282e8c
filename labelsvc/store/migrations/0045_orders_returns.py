"""Outbound orders (lines, allocated serials, picks, what left on which shipment), returns
with their units, a warranty period per product and the surface of each trace look-up.

Portable SQL only (SQLite and PostgreSQL). Partial unique indexes are the rules "a serial
is allocated to one open order at a time" and "a unit is picked for one order at a time".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    "ALTER TABLE products ADD COLUMN warranty_days INTEGER CHECK (warranty_days > 0)",
    "ALTER TABLE trace_lookups ADD COLUMN surface TEXT",
    """CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        customer TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open'
            CHECK (state IN ('open', 'closed-short', 'shipped')),
        source TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        closed_by TEXT,
        closed_at TEXT,
        close_reason TEXT,
        shipment TEXT,
        shipped_at TEXT
    )""",
    """CREATE TABLE order_lines (
        id INTEGER PRIMARY KEY,
        order_id INTEGER NOT NULL REFERENCES orders(id),
        line_no INTEGER NOT NULL,
        gtin TEXT NOT NULL,
        sku TEXT,
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        picked INTEGER NOT NULL DEFAULT 0,
        UNIQUE (order_id, line_no),
        UNIQUE (order_id, gtin)
    )""",
    # active = 1 while the order is open; shipping or closing the order releases them.
    """CREATE TABLE order_serials (
        id INTEGER PRIMARY KEY,
        order_id INTEGER NOT NULL REFERENCES orders(id),
        line_id INTEGER NOT NULL REFERENCES order_lines(id),
        item_id INTEGER NOT NULL REFERENCES items(id),
        active INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE UNIQUE INDEX order_serials_active ON order_serials(item_id) WHERE active = 1",
    "CREATE INDEX order_serials_order ON order_serials(order_id)",
    """CREATE TABLE order_picks (
        id INTEGER PRIMARY KEY,
        order_id INTEGER NOT NULL REFERENCES orders(id),
        line_id INTEGER NOT NULL REFERENCES order_lines(id),
        item_id INTEGER NOT NULL REFERENCES items(id),
        active INTEGER NOT NULL DEFAULT 1,
        picked_by TEXT NOT NULL,
        station TEXT,
        picked_at TEXT NOT NULL,
        shipment TEXT,
        shipped_at TEXT
    )""",
    "CREATE UNIQUE INDEX order_picks_active ON order_picks(item_id) WHERE active = 1",
    "CREATE INDEX order_picks_order ON order_picks(order_id)",
    "CREATE INDEX order_picks_shipped ON order_picks(item_id, shipped_at)",
    """CREATE TABLE returns (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        customer TEXT NOT NULL,
        order_id INTEGER REFERENCES orders(id),
        shipment TEXT,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        resolved_at TEXT
    )""",
    """CREATE TABLE return_units (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        code TEXT NOT NULL,
        item_id INTEGER REFERENCES items(id),
        shipped_order TEXT,
        shipped_customer TEXT,
        shipment TEXT,
        shipped_at TEXT,
        days_since_ship INTEGER,
        warranty_days INTEGER,
        flag TEXT,
        disposition TEXT,
        disposed_by TEXT,
        disposed_at TEXT,
        received_by TEXT NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (return_id, code)
    )""",
    "CREATE INDEX return_units_item ON return_units(item_id)",
]


def migrate(conn: MigrationConn) -> None:
    """Create the tables and columns."""
    for statement in STATEMENTS:
        conn.execute(statement)

"""Receiving, packing and trace: scan log of receipts and indexes for the flows."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    # items.hold is 'quarantine' or 'recall'; the reason is in the event that set it
    "CREATE INDEX items_hold ON items(hold) WHERE hold IS NOT NULL",
    # every scan at a receiving station with its outcome, refused ones included
    """CREATE TABLE receipt_scans (
        id INTEGER PRIMARY KEY,
        receipt_id INTEGER NOT NULL REFERENCES receipts(id),
        raw TEXT NOT NULL,
        name TEXT NOT NULL,
        outcome TEXT NOT NULL,
        accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),
        item_id INTEGER REFERENCES items(id),
        line_id INTEGER REFERENCES receipt_lines(id),
        actor TEXT NOT NULL,
        station TEXT,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX receipt_scans_receipt ON receipt_scans(receipt_id, outcome)",
    "CREATE INDEX receipt_items_line ON receipt_items(receipt_id, line_id)",
    "CREATE INDEX receipt_expected_line ON receipt_expected(line_id)",
    "CREATE INDEX containers_open ON containers(state, level) WHERE state = 'open'",
]


def migrate(conn: MigrationConn) -> None:
    """Add the scan log and the indexes the flows query by."""
    for statement in STATEMENTS:
        conn.execute(statement)

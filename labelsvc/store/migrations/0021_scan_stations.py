"""Scan stations: exactly-once scans, the scanner set-up check, flat cost per scan.

``scan_requests`` remembers every scan a station page sent, by the ``scan_id`` the page
made when it first stored the scan; the UNIQUE constraint is what makes a retry after a
lost answer a replay of the first outcome instead of a second effect. The ``stations``
columns hold what the scanner set-up check found. ``receipt_lines.received_count`` is kept
up to date as items are received, so a scan's work does not grow with the receipt.
Portable SQL only (SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any

STATEMENTS = [
    """CREATE TABLE scan_requests (
        scan_id TEXT NOT NULL,
        station TEXT,
        actor TEXT NOT NULL,
        page TEXT NOT NULL,
        code TEXT NOT NULL,
        ok INTEGER,
        outcome TEXT,
        detail TEXT,
        subject TEXT,
        at TEXT NOT NULL,
        CONSTRAINT scan_requests_scan_id UNIQUE (scan_id)
    )""",
    "CREATE INDEX scan_requests_at ON scan_requests(at)",
    "ALTER TABLE stations ADD COLUMN scanner_gs TEXT NOT NULL DEFAULT 'unknown'",
    "ALTER TABLE stations ADD COLUMN scanner_aim TEXT NOT NULL DEFAULT 'unknown'",
    "ALTER TABLE stations ADD COLUMN scanner_suffix TEXT NOT NULL DEFAULT 'unknown'",
    "ALTER TABLE stations ADD COLUMN scanner_layout TEXT NOT NULL DEFAULT 'unknown'",
    "ALTER TABLE stations ADD COLUMN scanner_prefix TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE stations ADD COLUMN scanner_checked_at TEXT",
    "ALTER TABLE stations ADD COLUMN scanner_checked_by TEXT",
    "ALTER TABLE receipt_lines ADD COLUMN received_count INTEGER NOT NULL DEFAULT 0",
    """UPDATE receipt_lines SET received_count = (SELECT COUNT(*) FROM receipt_items ri
        WHERE ri.receipt_id = receipt_lines.receipt_id AND ri.line_id = receipt_lines.id)""",
]


def migrate(conn: Any) -> None:
    """Add the scan request log, the scanner check columns and the incremental line count."""
    for statement in STATEMENTS:
        conn.execute(statement)

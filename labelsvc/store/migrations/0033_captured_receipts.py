"""Receipts made from a supplier's captured shipping event, with the EPCs it shipped.

``captured_receipts`` links a receipt to the capture it came from and lists the top-level
EPCs (pallets) of the shipment as canonical GS1 Digital Link URIs; the hierarchy below them
is the captured aggregation (``captured_epcs``). Portable SQL only (SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any

STATEMENTS = [
    """CREATE TABLE captured_receipts (
        reference TEXT NOT NULL,
        capture_id INTEGER NOT NULL REFERENCES capture_jobs(id),
        roots TEXT NOT NULL,
        members TEXT NOT NULL,
        CONSTRAINT captured_receipts_reference UNIQUE (reference)
    )""",
]


def migrate(conn: Any) -> None:
    """Create the link from receipts to captured shipments."""
    for statement in STATEMENTS:
        conn.execute(statement)

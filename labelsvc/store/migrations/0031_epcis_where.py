"""EPCIS where and why, fixed when an event is written; commissioning recorded once per item.

``events`` gains the read point and business location (SGLN URNs) and the site's UTC offset
as they were when the event was written, so the event and its hash never change later, and
``batch``: the rows one ``append_many`` wrote, which are one EPCIS event in every export.
``stations.sgln`` is a station's GS1 identity; ``partners`` the master data of suppliers and
customers (GLN, optional SGLN) for sources and destinations. ``epcis_commissions`` holds one
row per item commissioned in EPCIS: the UNIQUE key makes "commission once" a database rule.
Portable SQL only (SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any

STATEMENTS = [
    "ALTER TABLE events ADD COLUMN read_point TEXT",
    "ALTER TABLE events ADD COLUMN biz_location TEXT",
    "ALTER TABLE events ADD COLUMN tz_offset TEXT",
    "ALTER TABLE events ADD COLUMN batch TEXT",
    "CREATE INDEX events_batch ON events(batch) WHERE batch IS NOT NULL",
    "ALTER TABLE stations ADD COLUMN sgln TEXT",
    """CREATE TABLE partners (
        name TEXT NOT NULL,
        gln TEXT NOT NULL,
        sgln TEXT,
        description TEXT NOT NULL DEFAULT '',
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CONSTRAINT partners_name UNIQUE (name)
    )""",
    """CREATE TABLE epcis_commissions (
        item_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        CONSTRAINT epcis_commissions_item UNIQUE (item_id)
    )""",
    """INSERT INTO epcis_commissions (item_id, at)
        SELECT item_id, MIN(at) FROM events
        WHERE type IN ('commissioned', 'container-opened') AND item_id IS NOT NULL
        GROUP BY item_id""",
]


def migrate(conn: Any) -> None:
    """Add the where/why columns, partner master data and the commissioning register."""
    for statement in STATEMENTS:
        conn.execute(statement)

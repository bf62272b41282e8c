"""EPCIS capture: capture jobs and the events partners sent us, indexed for queries.

``captured_events`` keeps each event as received (``body``) beside the fields queries filter
on; its ``event_id`` is UNIQUE, so a partner that sends the same event twice stores it once.
``captured_epcs`` lists every EPC an event names (with the parent it names, for
aggregation), so one EPC's history is an index look-up however many events there are.
Portable SQL only (SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any

STATEMENTS = [
    """CREATE TABLE capture_jobs (
        id INTEGER PRIMARY KEY,
        state TEXT NOT NULL,
        actor TEXT NOT NULL,
        events INTEGER NOT NULL DEFAULT 0,
        stored INTEGER NOT NULL DEFAULT 0,
        errors TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        finished_at TEXT
    )""",
    """CREATE TABLE captured_events (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        capture_id INTEGER NOT NULL REFERENCES capture_jobs(id),
        event_type TEXT NOT NULL,
        event_time TEXT NOT NULL,
        action TEXT,
        biz_step TEXT,
        disposition TEXT,
        read_point TEXT,
        biz_location TEXT,
        body TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        CONSTRAINT captured_events_event_id UNIQUE (event_id)
    )""",
    "CREATE INDEX captured_events_time ON captured_events(event_time)",
    """CREATE TABLE captured_epcs (
        event INTEGER NOT NULL REFERENCES captured_events(id),
        epc TEXT NOT NULL,
        parent TEXT
    )""",
    "CREATE INDEX captured_epcs_epc ON captured_epcs(epc, event)",
    "CREATE INDEX captured_epcs_parent ON captured_epcs(parent, event)",
]


def migrate(conn: Any) -> None:
    """Create the capture tables."""
    for statement in STATEMENTS:
        conn.execute(statement)

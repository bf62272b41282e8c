"""Idempotency records get an owner, so a retry can tell a live request from a dead one."""

from __future__ import annotations

import sqlite3

STATEMENTS = [
    # "host:pid:token" of the process running the first request; NULL once it is done
    "ALTER TABLE idempotency ADD COLUMN owner TEXT",
]


def migrate(conn: sqlite3.Connection) -> None:
    """Add the owner column."""
    for statement in STATEMENTS:
        conn.execute(statement)

"""Idempotency records get an owner, so a retry can tell a live request from a dead one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    # "host:pid:token" of the process running the first request; NULL once it is done
    "ALTER TABLE idempotency ADD COLUMN owner TEXT",
]


def migrate(conn: MigrationConn) -> None:
    """Add the owner column."""
    for statement in STATEMENTS:
        conn.execute(statement)

"""Print jobs get an owner and a lease, so a crashed worker's job is told from a live one's."""

from __future__ import annotations

import sqlite3

STATEMENTS = [
    # who is sending the job: "host:pid:token" of the worker process
    "ALTER TABLE print_jobs ADD COLUMN claimed_by TEXT",
    # the owner renews this while it sends; once it lapses the owner is presumed dead
    "ALTER TABLE print_jobs ADD COLUMN lease_until TEXT",
    "CREATE INDEX print_jobs_state ON print_jobs(state, id)",
]


def migrate(conn: sqlite3.Connection) -> None:
    """Add the claim columns and an index for listing jobs by state."""
    for statement in STATEMENTS:
        conn.execute(statement)

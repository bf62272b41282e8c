"""Print jobs get an owner and a lease, so a crashed worker's job is told from a live one's."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    # who is sending the job: "host:pid:token" of the worker process
    "ALTER TABLE print_jobs ADD COLUMN claimed_by TEXT",
    # the owner renews this while it sends; once it lapses the owner is presumed dead
    "ALTER TABLE print_jobs ADD COLUMN lease_until TEXT",
    "CREATE INDEX print_jobs_state ON print_jobs(state, id)",
]


def migrate(conn: MigrationConn) -> None:
    """Add the claim columns and an index for listing jobs by state."""
    for statement in STATEMENTS:
        conn.execute(statement)

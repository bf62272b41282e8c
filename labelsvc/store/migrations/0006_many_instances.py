"""Many instances on one store: chunked allocations, deferred rendering, shared definitions.

- An allocation is ``pending`` while its chunks are written and ``complete`` after; its items
  are found by ``allocation_id`` (ids of concurrent writers interleave, so no id range).
- A print job may be queued before its labels are rendered (``render`` holds what to render);
  the worker renders from committed rows, outside any write transaction.
- Pools, printers and templates carry the hash of the file they were imported from and
  whether an admin changed them since, so an import never silently undoes an admin's edit.
- ``site_settings`` holds what every instance must share (the session signing key);
  ``instances`` lists the processes serving this store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

STATEMENTS = [
    "ALTER TABLE allocations ADD COLUMN state TEXT NOT NULL DEFAULT 'complete'",
    "ALTER TABLE allocations ADD COLUMN written INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE allocations ADD COLUMN first_value INTEGER",
    "ALTER TABLE allocations ADD COLUMN lot TEXT",
    "ALTER TABLE allocations ADD COLUMN expiry TEXT",
    "ALTER TABLE allocations ADD COLUMN owner TEXT",
    "ALTER TABLE allocations ADD COLUMN lease_until TEXT",
    "UPDATE allocations SET written = count",
    "CREATE INDEX allocations_pending ON allocations(state) WHERE state = 'pending'",
    "CREATE INDEX items_allocation ON items(allocation_id, id) WHERE allocation_id IS NOT NULL",
    "ALTER TABLE print_jobs ADD COLUMN render TEXT",
    "ALTER TABLE pools ADD COLUMN file_hash TEXT",
    "ALTER TABLE pools ADD COLUMN edited_by TEXT",
    "ALTER TABLE printers ADD COLUMN file_hash TEXT",
    "ALTER TABLE printers ADD COLUMN edited_by TEXT",
    """CREATE TABLE label_templates (
        name TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        source TEXT,
        file_hash TEXT,
        edited_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE site_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        listen TEXT NOT NULL DEFAULT '',
        version TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        seen_at TEXT NOT NULL
    )""",
]


def migrate(conn: MigrationConn) -> None:
    """Add allocation progress, deferred rendering, definition provenance and instances."""
    for statement in STATEMENTS:
        conn.execute(statement)

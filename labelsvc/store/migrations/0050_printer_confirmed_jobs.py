"""Print jobs settled by what the printer says it printed.

New states ``printed`` (the printer confirmed every label), ``partly-printed`` (it
confirmed the first ``printed_labels``) and ``not-printed`` (it confirmed none); ``sent``
stays for transports that cannot tell (a file, ESC/POS). ``printed_labels`` is how many
labels, from the first, the printer confirmed (NULL: unknown), ``counter_before`` its label
counter just before the job was sent, ``resent_as`` the job that prints the missing ones.

SQLite cannot change a CHECK constraint, so the table is rebuilt from its own stored
definition (whatever columns earlier migrations added), rows and indexes kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

NEW = (
    "('queued', 'held', 'sending', 'sent', 'failed', 'cancelled', 'needs-confirmation',"
    " 'printed', 'partly-printed', 'not-printed')"
)
COLUMNS = [
    "ALTER TABLE print_jobs ADD COLUMN printed_labels INTEGER",
    "ALTER TABLE print_jobs ADD COLUMN counter_before INTEGER",
    "ALTER TABLE print_jobs ADD COLUMN resent_as INTEGER",
]


def _sqlite(conn: MigrationConn) -> None:
    table = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'print_jobs'"
    ).fetchone()[0]
    indexes = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'print_jobs'"
            " AND sql IS NOT NULL"
        )
    ]
    flat = re.sub(r"\s+", " ", table)
    rebuilt = re.sub(r"CHECK \(state IN \([^)]*\)\)", f"CHECK (state IN {NEW})", flat, count=1)
    rebuilt = rebuilt.replace("CREATE TABLE print_jobs", "CREATE TABLE print_jobs_new", 1)
    conn.execute_native(rebuilt)
    conn.execute_native("INSERT INTO print_jobs_new SELECT * FROM print_jobs")
    conn.execute_native("DROP TABLE print_jobs")
    conn.execute_native("ALTER TABLE print_jobs_new RENAME TO print_jobs")
    for sql in indexes:
        conn.execute_native(sql)


def migrate(conn: MigrationConn) -> None:
    """Widen the job states and add the confirmation columns."""
    if conn.dialect == "postgresql":
        conn.execute_native("ALTER TABLE print_jobs DROP CONSTRAINT print_jobs_state_check")
        conn.execute_native(
            f"ALTER TABLE print_jobs ADD CONSTRAINT print_jobs_state_check CHECK (state IN {NEW})"
        )
    else:
        _sqlite(conn)
    for statement in COLUMNS:
        conn.execute(statement)

"""Retention: what may be dropped from the store, and nothing else.

Only the rendered label data (``print_jobs.payload``) of jobs that are finished for good
(sent or cancelled) goes; the job row stays, with ``payload_purged_at`` set, and events,
items and allocations are never purged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


def purge_payloads(tx: Tx, before: str) -> int:
    """Empty the payload of sent or cancelled jobs last changed before ``before``."""
    cur = tx.execute(
        "UPDATE print_jobs SET payload = ?, payload_purged_at = ?"
        " WHERE state IN ('sent', 'printed', 'cancelled') AND updated_at < ?"
        " AND payload_purged_at IS NULL",
        (b"", now(), before),
    )
    return int(cur.rowcount)

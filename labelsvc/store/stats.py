"""Counts for monitoring: print jobs by printer and state (one indexed scan)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


def job_counts(tx: Tx) -> list[tuple[str, str, int]]:
    """(printer, state, number of jobs) for every pair that has jobs."""
    rows = tx.execute(
        "SELECT printer, state, COUNT(*) FROM print_jobs GROUP BY printer, state"
    ).fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]

"""Scan requests a station page sent, by ``scan_id``: claimed once, answered once.

A page makes the ``scan_id`` when it first stores a scan in the browser and sends it with
every attempt. :meth:`ScanRepo.claim` inserts it in the transaction that applies the
scan's effect; the UNIQUE constraint (not a SELECT first) decides whether this attempt is
the first. A repeat waits for the first to commit, then reads its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class ScanRecord:
    """The first outcome of a scan request (``ok`` None: claimed, not finished)."""

    scan_id: str
    page: str
    code: str
    ok: bool | None
    outcome: str | None
    detail: str | None
    subject: str | None


class ScanRepo:
    """Claim scan ids and remember their outcomes (constructed with the caller's ``tx``)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def claim(self, scan_id: str, *, page: str, code: str, actor: str, station: str | None) -> bool:
        """Insert the scan id; False when it was sent before (the constraint says so)."""
        cur = self.tx.execute(
            "INSERT INTO scan_requests (scan_id, station, actor, page, code, at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scan_id) DO NOTHING",
            (scan_id, station, actor, page, code, now()),
        )
        return cur.rowcount == 1

    def finish(
        self, scan_id: str, *, ok: bool, outcome: str, detail: str, subject: str | None = None
    ) -> None:
        """Record the outcome the first attempt answered with."""
        self.tx.execute(
            "UPDATE scan_requests SET ok = ?, outcome = ?, detail = ?, subject = ?"
            " WHERE scan_id = ?",
            (int(ok), outcome, detail, subject, scan_id),
        )

    def get(self, scan_id: str) -> ScanRecord | None:
        """The recorded request, or None."""
        row = self.tx.execute(
            "SELECT scan_id, page, code, ok, outcome, detail, subject FROM scan_requests"
            " WHERE scan_id = ?",
            (scan_id,),
        ).fetchone()
        if row is None:
            return None
        ok = None if row[3] is None else bool(row[3])
        return ScanRecord(row[0], row[1], row[2], ok, row[4], row[5], row[6])

    def count(self, page: str | None = None) -> int:
        """How many scan requests were recorded (on one page when given)."""
        sql, params = "SELECT COUNT(*) FROM scan_requests", tuple[str, ...]()
        if page:
            sql, params = sql + " WHERE page = ?", (page,)
        return int(self.tx.execute(sql, params).fetchone()[0])

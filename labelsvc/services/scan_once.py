"""Exactly-once scans: a station page's ``scan_id`` is claimed in the scan's transaction.

The page stores each scan (with a fresh ``scan_id``) before sending it, and sends it again
until it gets an answer. When an answer is lost after the server applied the scan, the
repeat must not apply it twice: :func:`claim` inserts the id under a UNIQUE constraint in
the same transaction as the effect, so either both commit or neither; a repeat raises
:class:`ScanRepeated` carrying the first outcome, which the page shows again.
"""

from __future__ import annotations

from typing import ClassVar

from labelsvc.domain.errors import Conflict, Kind
from labelsvc.services.app import App
from labelsvc.store import Tx
from labelsvc.store.scans import ScanRepo


class ScanRepeated(Conflict):
    """This scan was applied before; ``ok``, ``outcome`` and ``detail`` are its first answer."""

    kind: ClassVar[Kind] = "conflict"

    def __init__(self, *, ok: bool, outcome: str, detail: str, subject: str | None) -> None:
        super().__init__("scan-repeated", detail, outcome=outcome, subject=subject)
        self.ok = ok
        self.outcome = outcome
        self.subject = subject


def claim(
    tx: Tx, scan_id: str | None, *, page: str, code: str, actor: str, station: str | None
) -> None:
    """Claim ``scan_id`` for this transaction, or raise the first outcome of a repeat."""
    if not scan_id:
        return
    repo = ScanRepo(tx)
    if repo.claim(scan_id, page=page, code=code, actor=actor, station=station):
        return
    first = repo.get(scan_id)
    assert first is not None and first.outcome is not None, "claimed and finished together"
    raise ScanRepeated(
        ok=bool(first.ok), outcome=first.outcome, detail=first.detail or "", subject=first.subject
    )


def finish(
    tx: Tx, scan_id: str | None, *, ok: bool, outcome: str, detail: str,
    subject: str | None = None,
) -> None:  # fmt: skip
    """Record the outcome that a repeat of ``scan_id`` answers with."""
    if scan_id:
        ScanRepo(tx).finish(scan_id, ok=ok, outcome=outcome, detail=detail, subject=subject)


def first_outcome(app: App, scan_id: str | None) -> ScanRepeated | None:
    """The recorded outcome of ``scan_id`` if it was applied before (a fast path only).

    A page whose state moved with the first answer (the container being packed is kept in
    the session) may no longer reach the use case that would find the repeat; this look-up
    answers it first. The claim in the use case's transaction stays the guarantee.
    """
    if not scan_id:
        return None
    with app.store.read() as tx:
        first = ScanRepo(tx).get(scan_id)
    if first is None or first.outcome is None:
        return None
    return ScanRepeated(
        ok=bool(first.ok), outcome=first.outcome, detail=first.detail or "", subject=first.subject
    )

"""The audit log: every event, newest first, narrowed by a filter (admins only)."""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.services.app import App
from labelsvc.store.events import EventRow
from labelsvc.store.reports import ReportRepo

AUDIT_PAGE = 100


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log is narrowed to; empty fields do not filter."""

    type: str = ""
    actor: str = ""
    subject: str = ""
    since: str = ""
    until: str = ""
    before_id: int | None = None


def audit_log(app: App, actor: Actor, where: AuditFilter) -> tuple[list[EventRow], list[str]]:
    """Events newest first under a filter, and the event types known (admins only)."""
    require(actor, "manage")
    with app.store.read() as tx:
        reports = ReportRepo(tx)
        rows = reports.audit(
            type=where.type or None, actor=where.actor or None, subject=where.subject or None,
            since=where.since or None, until=where.until or None, before_id=where.before_id,
            limit=AUDIT_PAGE,
        )  # fmt: skip
        return rows, reports.event_types()

"""The audit log: every event, newest first, narrowed by a filter (admins only)."""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.instants import typed_instant
from labelsvc.services.app import App
from labelsvc.services.lookup import describe
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
    """Events newest first under a filter, and the event types known (admins only); the
    time bounds are read as instants (a typed date in the site's zone), never as text."""
    require(actor, "manage")
    with app.store.read() as tx:
        zone = tx.identity.site().timezone
        since = typed_instant(where.since, zone, "since")
        until = typed_instant(where.until, zone, "until")
        reports = ReportRepo(tx)
        rows = reports.audit(
            type=where.type or None, actor=where.actor or None, subject=where.subject or None,
            since=since, until=until, before_id=where.before_id,
            limit=AUDIT_PAGE,
        )  # fmt: skip
        return rows, reports.event_types()


def audit_names(app: App, actor: Actor, rows: list[EventRow]) -> dict[int, str]:
    """How the items of audit rows are named to a person (serial or SSCC, not a row id)."""
    require(actor, "manage")
    wanted = {i for r in rows for i in (r.item_id, r.parent_id) if i is not None}
    names: dict[int, str] = {}
    with app.store.read() as tx:
        for item_id in sorted(wanted):
            item = tx.items.get(item_id)
            if item is not None:
                names[item_id] = describe(item)
    return names

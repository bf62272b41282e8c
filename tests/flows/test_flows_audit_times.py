"""The audit log's time bounds are instants: the same moment written in any offset, or a
date typed in the site's zone, finds the same events; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import InvalidInput
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.audit import AuditFilter, audit_log


def _allocations(app: App, admin: Actor, since: str) -> int:
    rows, _ = audit_log(app, admin, AuditFilter(type="serials-allocated", since=since))
    return len(rows)


def test_one_instant_in_any_offset_or_as_a_local_date_finds_the_same_events(
    app: App, admin: Actor, operator: Actor
) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    for _ in range(3):
        allocate(app.store, "demo-units", 1, actor=operator)
    in_utc = start.isoformat(timespec="seconds").replace("+00:00", "Z")
    in_plus_two = start.astimezone(ZoneInfo("Europe/Athens")).isoformat()
    yesterday = (start - timedelta(days=1)).date().isoformat()  # midnight in the site's zone
    tomorrow = (start + timedelta(days=2)).date().isoformat()
    assert _allocations(app, admin, in_utc) == 3
    assert _allocations(app, admin, in_plus_two) == 3
    assert _allocations(app, admin, yesterday) == 3
    assert _allocations(app, admin, tomorrow) == 0


def test_a_bound_that_is_no_time_is_refused_with_what_to_type(app: App, admin: Actor) -> None:
    with pytest.raises(InvalidInput) as refused:
        audit_log(app, admin, AuditFilter(since="garbage"))
    assert refused.value.code == "time-invalid"
    assert "2025-01-31" in refused.value.detail

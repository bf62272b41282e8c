"""The admin's overview: the measures a warehouse reports, the audit log, users and tokens.

Measures (all read from what the service recorded, nothing estimated):
- labels printed per hour and per station (sent print jobs);
- pool usage over time (cumulative allocations against capacity);
- receipt accuracy per ASN: received within the expected lines / max(expected, received);
- scanned versus typed entries: how packed units were entered (scanned, typed or
  overridden, from ``packed`` events); this is not scan compliance;
- units held per recall.

The seed's metrics as defined (scan compliance by touchpoint, time to trace, recall scope
against the lots, returns resolution, inventory accuracy) live in ``metrics_touchpoints``
and ``metrics_flows``; the dashboard loads them as partials.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from labelsvc.domain.actors import Actor, require
from labelsvc.services.app import App
from labelsvc.services.pools import status_of
from labelsvc.store.pools import PoolRow
from labelsvc.store.reports import ReceiptTally, ReportRepo
from labelsvc.store.stations import StationRepo


@dataclass(frozen=True)
class PoolCurve:
    """One pool's cumulative use per hour, with its capacity."""

    pool: str
    capacity: int
    used: int
    points: tuple[tuple[str, int], ...]  # (hour, used by the end of that hour)


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard draws, over the last ``hours`` hours."""

    hours: int
    since: str
    labels_per_hour: tuple[tuple[str, int], ...]
    labels_per_station: tuple[tuple[str, int], ...]
    pools: tuple[PoolCurve, ...]
    receipts: tuple[ReceiptTally, ...]
    pack_entries: dict[str, int]
    recalls: tuple[tuple[str, str, str, int], ...]

    @property
    def scanned_share(self) -> float | None:
        """Packed units (in percent) entered by scan rather than typed or overridden."""
        total = sum(self.pack_entries.values())
        return 100.0 * self.pack_entries.get("scan", 0) / total if total else None


def receipt_accuracy(tally: ReceiptTally) -> float:
    """Received within expected lines against the larger of expected and received, in %."""
    base = max(tally.expected, tally.received)
    return 100.0 * tally.matched / base if base else 100.0


def _hours(since: datetime, hours: int) -> list[str]:
    return [(since + timedelta(hours=h)).strftime("%Y-%m-%dT%H") for h in range(hours + 1)]


def dashboard(app: App, actor: Actor, *, hours: int = 24) -> Dashboard:
    """The measures of the last ``hours`` hours (admins only)."""
    require(actor, "manage")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours)
    since = start.isoformat(timespec="milliseconds")
    slots = _hours(start, hours)
    with app.store.read() as tx:
        reports = ReportRepo(tx)
        by_hour: dict[str, int] = dict.fromkeys(slots, 0)
        by_station: dict[str, int] = {}
        for hour, station, labels in reports.labels_by_hour(since):
            by_hour[hour] = by_hour.get(hour, 0) + labels
            by_station[station or "(none)"] = by_station.get(station or "(none)", 0) + labels
        curves = _pool_curves(tx.pools.all(), reports, since, slots)
        return Dashboard(
            hours=hours, since=since, labels_per_hour=tuple(by_hour.items()),
            labels_per_station=tuple(sorted(by_station.items())), pools=curves,
            receipts=tuple(reports.receipts()), pack_entries=reports.pack_entries(since),
            recalls=tuple(reports.recalls()),
        )  # fmt: skip


def _pool_curves(
    rows: list[PoolRow], reports: ReportRepo, since: str, slots: list[str]
) -> tuple[PoolCurve, ...]:
    before = reports.allocated_before(since)
    per_pool: dict[str, dict[str, int]] = {}
    for pool, hour, count in reports.allocated_by_hour(since):
        per_pool.setdefault(pool, {})[hour] = count
    curves = []
    for row in rows:
        status = status_of(row)
        running, points = before.get(row.spec.name, 0), []
        for hour in slots:
            running += per_pool.get(row.spec.name, {}).get(hour, 0)
            points.append((hour, running))
        curves.append(PoolCurve(row.spec.name, status.capacity, status.used, tuple(points)))
    return tuple(curves)


def record_trace_lookup(
    app: App,
    actor: Actor,
    *,
    query: str,
    found: bool,
    nodes: int,
    started: float,
    surface: str = "page",
) -> float:
    """Remember how long a trace took (``started`` from ``time.perf_counter()``); return ms."""
    ms = (time.perf_counter() - started) * 1000.0
    with app.store.write() as tx:
        StationRepo(tx).record_trace(
            query=query[:200], found=found, nodes=nodes, ms=ms, actor=actor.label,
            station=actor.station, surface=surface,
        )  # fmt: skip
    return ms

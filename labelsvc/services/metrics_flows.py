"""The seed's flow metrics, measured as defined.

- Mean time to trace: from a trace query's start to its full answer (the page rendered,
  the JSON built, the CLI's text printed), measured on every trace on every surface, found
  or not; shown as p50/p95 (nearest rank) beside the mean.
- Recall scope: per recall, the units it held against the units of the same lots (what a
  lot-level recall would have pulled); the share says how much serial-level recall saved.
- Returns resolution time: from a return's opening to the disposition of its last unit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import LabelsvcError
from labelsvc.services.app import App
from labelsvc.services.dashboard import record_trace_lookup
from labelsvc.store.flow_reports import FlowReportRepo, RecallTally
from labelsvc.store.returns import ReturnRepo

log = logging.getLogger(__name__)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile of sorted ``values`` (None when empty)."""
    if not values:
        return None
    rank = max(0, min(len(values) - 1, -(-len(values) * p // 100) - 1))
    return values[int(rank)]


@dataclass
class TraceClock:
    """A running trace measurement; the caller says what the answer held."""

    started: float = field(default_factory=time.perf_counter)
    found: bool = False
    nodes: int = 0

    def answered(self, nodes: int) -> None:
        """The trace found its item, with ``nodes`` items in the answer."""
        self.found, self.nodes = True, nodes


@contextmanager
def measured_trace(app: App, actor: Actor, query: str, surface: str) -> Iterator[TraceClock]:
    """Time one trace from its start to the end of the block (its full answer) and record it."""
    clock = TraceClock()
    try:
        yield clock
    finally:
        try:
            record_trace_lookup(app, actor, query=query, found=clock.found, nodes=clock.nodes,
                                started=clock.started, surface=surface)  # fmt: skip
        except LabelsvcError as exc:  # a busy store must not cost the person their answer
            log.warning("trace time not recorded: %s", exc.detail)


@dataclass(frozen=True)
class TraceTimes:
    """Trace look-ups of a period: how many, and their time in ms."""

    count: int
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    by_surface: dict[str, int]


@dataclass(frozen=True)
class RecallScope:
    """One recall: units held against units in the same lots."""

    at: str
    actor: str
    reason: str
    units: int
    lot_units: int
    lots: int

    @property
    def share(self) -> float | None:
        """Units held as a percentage of what a lot-level recall would have pulled."""
        return 100.0 * self.units / self.lot_units if self.lot_units else None


@dataclass(frozen=True)
class ReturnsResolution:
    """Resolved returns of a period and how long each took, in hours."""

    count: int
    mean_hours: float | None
    p50_hours: float | None
    p95_hours: float | None
    returns: tuple[tuple[str, float], ...]


def _since(hours: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="milliseconds")


def trace_times(app: App, actor: Actor, *, hours: int = 24) -> TraceTimes:
    """Time to trace over the last ``hours`` hours."""
    require(actor, "read")
    with app.store.read() as tx:
        rows = FlowReportRepo(tx).trace_times(_since(hours))
    ms = [r[0] for r in rows]
    surfaces: dict[str, int] = {}
    for _, surface in rows:
        surfaces[surface] = surfaces.get(surface, 0) + 1
    return TraceTimes(len(ms), sum(ms) / len(ms) if ms else None, percentile(ms, 50),
                      percentile(ms, 95), dict(sorted(surfaces.items())))  # fmt: skip


def _scope(t: RecallTally) -> RecallScope:
    return RecallScope(t.at, t.actor, t.reason, t.units, t.lot_units, t.lots)


def recall_scope(app: App, actor: Actor, *, limit: int = 20) -> list[RecallScope]:
    """The latest recalls, newest first, each with its scope."""
    require(actor, "read")
    with app.store.read() as tx:
        return [_scope(t) for t in FlowReportRepo(tx).recalls(limit)]


def returns_resolution(app: App, actor: Actor, *, hours: int = 24 * 30) -> ReturnsResolution:
    """How long returns resolved in the last ``hours`` hours took, opening to last decision."""
    require(actor, "read")
    with app.store.read() as tx:
        rows = ReturnRepo(tx).resolved_between(_since(hours))
    took = [
        (ref, (datetime.fromisoformat(done) - datetime.fromisoformat(opened)).total_seconds()
         / 3600.0) for ref, opened, done in rows
    ]  # fmt: skip
    hours_sorted = sorted(h for _, h in took)
    return ReturnsResolution(
        len(took), sum(hours_sorted) / len(took) if took else None,
        percentile(hours_sorted, 50), percentile(hours_sorted, 95), tuple(took),
    )  # fmt: skip

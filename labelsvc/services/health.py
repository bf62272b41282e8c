"""What a monitor asks: can the store be read, do the background parts run, is there disk,
and the numbers behind ``/metrics`` (jobs by printer and state, what pools have left)."""

from __future__ import annotations

from dataclasses import dataclass, field

from labelsvc.services.app import App
from labelsvc.services.instances import live_instances
from labelsvc.store.faults import disk_usage
from labelsvc.store.stats import job_counts

LOW_DISK = 64 * 1024 * 1024  # or 5% of the disk, whichever is less
WAITING = ("queued", "held", "sending")


@dataclass
class Health:
    """The service's state: ``ok``, ``degraded`` (works in part) or ``failing``."""

    status: str
    checks: dict[str, str] = field(default_factory=dict)
    pools: int = 0
    migration: str | None = None  # the store's latest migration
    instances: list[str] = field(default_factory=list)  # instances seen lately on the store


def check_health(app: App) -> Health:
    """Store, background threads and disk, each as ``ok`` or what is wrong."""
    health = Health(status="ok")
    try:
        with app.store.read() as tx:
            health.pools = len(tx.pools.all())
            migrations = tx.site.migrations()
        health.migration = migrations[-1] if migrations else None
        health.instances = [i.id for i in live_instances(app)]
        health.checks["store"] = "ok"
    except Exception as exc:
        health.checks["store"] = f"{type(exc).__name__}: {exc}"
        health.status = "failing"
    for name, problem in sorted(app.background.items()):
        found = problem()
        health.checks[name] = found or "ok"
        if found and health.status == "ok":
            health.status = "degraded"
    usage = disk_usage(app.store.path.parent) if app.store.kind == "sqlite" else None
    if usage is not None and usage[0] < min(LOW_DISK, usage[1] * 0.05):
        free = usage[0]
        health.checks["disk"] = f"{free:,} bytes free on the disk holding {app.store.path.parent}"
        health.status = "degraded" if health.status == "ok" else health.status
    else:
        health.checks["disk"] = "ok"
    return health


@dataclass(frozen=True)
class Gauges:
    """Numbers read from the store at each scrape."""

    jobs: list[tuple[str, str, int]]  # printer, state, count
    pool_remaining: dict[str, int]


def gauges(app: App) -> Gauges:
    """Jobs by printer and state, and every pool's remaining values."""
    from labelsvc.services.pools import status_of

    with app.store.read() as tx:
        jobs = job_counts(tx)
        pools = {row.spec.name: status_of(row).remaining for row in tx.pools.all()}
    return Gauges(jobs=jobs, pool_remaining=pools)

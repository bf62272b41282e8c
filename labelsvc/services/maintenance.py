"""Keeping a site healthy: online backup, restore that never issues a serial twice, and
purging stored label data of finished jobs.

A restored database has forgotten every serial and SSCC issued after its backup was
taken; left alone, its sequential pools would issue them again. So a restore moves every
sequential pool past the highest value known: the live database's cursor when the file
being replaced is still readable, and in any case the backup's cursor plus
``storage.restore_margin``. Each move is an event (``pool-advanced-after-restore``).
Randomized pools draw from a space far larger than their use, and their values are
checked against the items the restored database holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from labelsvc.config import Settings
from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput
from labelsvc.services.app import App
from labelsvc.store.backup import (
    PoolMark,
    backup_database,
    integrity_problem,
    pool_marks,
    refuse_url,
    restore_database,
)
from labelsvc.store.retention import purge_payloads


@dataclass(frozen=True)
class PoolJump:
    """A sequential pool moved past values a lost database may have issued."""

    pool: str
    from_value: int
    to_value: int


@dataclass
class RestoreReport:
    """What a restore did."""

    database: Path
    live_readable: bool
    jumps: list[PoolJump] = field(default_factory=list)


def backup(app: App, actor: Actor, target: Path) -> int:
    """A consistent copy of the live database in the new file ``target``; its size."""
    require(actor, "manage")
    return backup_database(app.store.location, target)


def _target(live: PoolMark | None, restored: PoolMark, margin: int) -> int | None:
    """Where a restored sequential pool's cursor must go, or None to leave it."""
    if restored.strategy != "sequential" or restored.next_value is None:
        return None
    wanted = restored.next_value + margin
    if live is not None and live.next_value is not None:
        wanted = max(wanted, live.next_value)
    if restored.range_end is not None:
        wanted = min(wanted, restored.range_end + 1)
    return wanted if wanted > restored.next_value else None


def restore(settings: Settings, source: Path, actor: Actor) -> RestoreReport:
    """Check ``source`` and make it the site's database; pools jump past issued values."""
    require(actor, "manage")
    location = settings.storage.location(settings)
    refuse_url(location)
    database = Path(location)
    problem = integrity_problem(source)
    if problem:
        raise InvalidInput("backup-invalid", f"{source} cannot be restored: {problem}.")
    live: dict[str, PoolMark] = {}
    live_readable = database.exists() and integrity_problem(database) is None
    if live_readable:
        live = pool_marks(database)
    restore_database(source, database)
    report = RestoreReport(database=database, live_readable=live_readable)
    app = App.open(settings)  # migrates a backup of an older version
    try:
        with app.store.write() as tx:
            for name, restored in pool_marks(database).items():
                to = _target(live.get(name), restored, settings.storage.restore_margin)
                if to is None or restored.next_value is None:
                    continue
                tx.pools.advance(name, to - restored.next_value, to)
                report.jumps.append(PoolJump(name, restored.next_value, to))
                tx.events.append(
                    "pool-advanced-after-restore", actor=actor.label, subject=f"pool:{name}",
                    details={"from": restored.next_value, "to": to, "backup": str(source),
                             "live_database_read": live_readable},
                )  # fmt: skip
    finally:
        app.store.close()
    return report


def purge_label_data(app: App, days: int | None = None) -> int:
    """Drop the stored label data of jobs sent or cancelled over ``days`` days ago.

    Events, serials and the jobs themselves are kept: only the rendered ZPL goes, which is
    about 1.9 KB per labelled, packed and shipped unit and is never needed again.
    """
    keep = app.settings.storage.purge_label_data_days if days is None else days
    if keep <= 0:
        return 0
    cutoff = datetime.now(UTC) - timedelta(days=keep)
    with app.store.write() as tx:
        return purge_payloads(tx, cutoff.isoformat(timespec="milliseconds"))

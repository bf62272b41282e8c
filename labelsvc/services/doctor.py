"""``labelsvc doctor``: check a site the way its IT person would, and say what to fix.

Each check gives ``ok``, ``warn`` (works, but look at it) or ``fail`` (fix it), a short
finding and, unless ok, the fix. Nothing is changed except the printers' last known status.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from labelsvc.services.app import App
from labelsvc.services.printers import probe
from labelsvc.store.backup import integrity_problem

Level = Literal["ok", "warn", "fail"]
LOW_DISK = 256 * 1024**2  # below this the store soon cannot commit
SOME_DISK = 1024**3
BIG_WAL = 1024**3


@dataclass(frozen=True)
class Finding:
    """One check's outcome."""

    level: Level
    check: str
    detail: str
    fix: str = ""


def _mb(size: int) -> str:
    return f"{size / 1024**2:,.1f} MB"


def _files(app: App) -> Iterator[Finding]:
    db = app.store.path
    secret = db.parent / "secret_key"
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), secret):
        if not path.exists():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            yield Finding("fail", "permissions", f"{path} is mode {mode:o}: others can read "
                          "password and token hashes", f"chmod 600 {path}")  # fmt: skip
        else:
            yield Finding("ok", "permissions", f"{path} is mode {mode:o}")


def _disk(app: App) -> Iterator[Finding]:
    folders = {app.store.path.parent, app.settings.path(app.settings.paths.spool)}
    for folder in sorted(f for f in folders if f.exists()):
        usage = shutil.disk_usage(folder)
        where = f"{folder}: {_mb(usage.free)} free of {_mb(usage.total)}"
        if usage.free < LOW_DISK:
            yield Finding("fail", "disk", where, f"free space on the disk holding {folder} "
                          "(old backups, logs, spool files)")  # fmt: skip
        elif usage.free < SOME_DISK or usage.free < usage.total * 0.05:
            yield Finding("warn", "disk", where, f"free space on the disk holding {folder}")
        else:
            yield Finding("ok", "disk", where)


def _store(app: App) -> Iterator[Finding]:
    db = app.store.path
    problem = integrity_problem(db)
    if problem:
        yield Finding("fail", "database", f"{db}: {problem}",
                      "restore the last backup with 'labelsvc restore FILE'")  # fmt: skip
    else:
        yield Finding("ok", "database", f"{db} ({_mb(db.stat().st_size)}, integrity ok)")
    wal = Path(f"{db}-wal")
    if wal.exists() and wal.stat().st_size > BIG_WAL:
        fix = "let 'labelsvc serve' run (it truncates the WAL) or stop long readers"
        yield Finding("warn", "database", f"{wal} is {_mb(wal.stat().st_size)}", fix)
    with app.store.read() as tx:
        admins = [u for u in tx.users.all() if u.role == "admin" and not u.disabled_at]
        stuck = {s: len(tx.jobs.in_state(s)) for s in ("needs-confirmation", "failed")}
    if not admins:
        yield Finding("fail", "users", "no enabled admin user",
                      "labelsvc users add NAME --role admin")  # fmt: skip
    for state in ("needs-confirmation", "failed"):
        if stuck[state]:
            yield Finding("warn", "print queue", f"{stuck[state]} job(s) {state}",
                          "see 'labelsvc jobs list' and settle them")  # fmt: skip


def _printers(app: App) -> Iterator[Finding]:
    with app.store.read() as tx:
        rows = tx.printers.all()
    for row in rows:
        status = probe(app, row)
        where = f"{row.name} ({row.driver} {row.address})"
        if status.ok:
            yield Finding("ok", "printer", f"{where}: {status.detail or 'reachable'}")
        else:
            fix = f"check the printer, then 'labelsvc printers test {row.name}'"
            yield Finding("warn", "printer", f"{where}: {status.detail}", fix)


def _identity(app: App) -> Iterator[Finding]:
    with app.store.read() as tx:
        site = tx.identity.site()
    if site.gln:
        yield Finding("ok", "gs1 identity", f"site GLN {site.gln}, zone {site.timezone}")
    else:
        detail = "the site has no GLN: EPCIS events carry no readPoint or bizLocation"
        fix = "labelsvc identity site --gln GLN --timezone ZONE"
        yield Finding("warn", "gs1 identity", detail, fix)


def diagnose(app: App) -> list[Finding]:
    """Every check of the site, in order: config, files, disk, store, printers."""
    site = Finding("ok", "config", f"site {app.settings.base_dir} (settings valid)")
    if app.store.kind != "sqlite":  # the database's files and disk are the server's to watch
        with app.store.read() as tx:
            pools = len(tx.pools.all())
        store = Finding("ok", "database", f"{app.store.describe()} answers ({pools} pools)")
        return [site, store, *_identity(app), *_printers(app)]
    return [site, *_files(app), *_disk(app), *_store(app), *_identity(app), *_printers(app)]

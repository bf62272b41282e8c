"""Online backup and restore of the SQLite store, and the facts a restore needs.

A copy of the database file taken while the service writes can miss committed
transactions (they may still be in the WAL) or be torn. The SQLite backup API copies a
consistent snapshot of the database, WAL included, while readers and writers go on.
Restoring goes through the same API into the configured file, so its WAL and shared
memory files stay coherent. PostgreSQL sites use ``pg_dump``/``pg_restore`` (not yet
driven from here).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from labelsvc.domain.errors import InvalidInput, Unavailable


@dataclass(frozen=True)
class PoolMark:
    """How far a pool had issued: the sequential cursor and the count of values used."""

    name: str
    strategy: str
    next_value: int | None
    used: int
    range_end: int | None


def refuse_url(path: str | Path) -> None:
    """Refuse a PostgreSQL store clearly: its backups are pg_dump's."""
    if str(path).startswith(("postgresql:", "postgres:")):
        raise Unavailable(
            "backup-unsupported",
            "Backup and restore of a PostgreSQL store are not driven by labelsvc yet: use "
            "pg_dump and pg_restore.",
        )


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (it will hold hashes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def backup_database(source: str | Path, target: Path) -> int:
    """Copy the live database at ``source`` into the new file ``target``; return its size."""
    refuse_url(source)
    if target.exists():
        raise InvalidInput("backup-exists", f"{target} exists already; name a new file.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private(partial)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # one step: a snapshot as of its start, while others keep writing
        dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
    finally:
        dst.close()
        src.close()
    problem = integrity_problem(partial)
    if problem:
        partial.unlink()
        raise Unavailable("backup-damaged", f"The copy failed its integrity check: {problem}")
    partial.rename(target)
    return target.stat().st_size


def integrity_problem(path: Path) -> str | None:
    """None when ``path`` is a sound labelsvc database; else what is wrong with it."""
    if not path.is_file():
        return f"{path} is not a file"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                return f"integrity_check says {result}"
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"not a SQLite database ({exc})"
    if not {"_migrations", "pools", "items", "events"} <= tables:
        return "not a labelsvc database (its tables are missing)"
    return None


def pool_marks(path: Path) -> dict[str, PoolMark]:
    """Every pool's cursor in the database at ``path`` (read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT name, strategy, next_value, used, range_end FROM pools"
        ).fetchall()
    finally:
        conn.close()
    return {r[0]: PoolMark(r[0], r[1], r[2], r[3], r[4]) for r in rows}


def restore_database(backup: Path, target: Path) -> None:
    """Replace the database at ``target`` with the checked copy ``backup``."""
    refuse_url(target)
    problem = integrity_problem(backup)
    if problem:
        raise InvalidInput("backup-invalid", f"{backup} cannot be restored: {problem}.")
    create_private(target)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=10)
    try:
        dst.execute("PRAGMA journal_mode = WAL")
        src.backup(dst)
    finally:
        dst.close()
        src.close()

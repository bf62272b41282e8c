"""SQLite connections, transactions and the repositories bound to them.

A write opens ``BEGIN IMMEDIATE`` so that it holds the write lock from its first statement:
two writers never both read a pool cursor and then race to update it. Connections are per
thread (waitress serves requests from a thread pool).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from labelsvc.store.backup import create_private
from labelsvc.store.faults import disk_full
from labelsvc.store.migrations import apply_migrations

WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes of WAL kept after a checkpoint resets it
TRUNCATE_EVERY = 120  # checkpointer rounds (of 0.5 s) between TRUNCATE checkpoints

if TYPE_CHECKING:
    from labelsvc.store.containers import ContainerRepo
    from labelsvc.store.events import EventRepo
    from labelsvc.store.idempotency import IdempotencyRepo
    from labelsvc.store.items import ItemRepo
    from labelsvc.store.jobs import JobRepo
    from labelsvc.store.pools import PoolRepo
    from labelsvc.store.printers import PrinterRepo
    from labelsvc.store.products import ProductRepo
    from labelsvc.store.receipts import ReceiptRepo
    from labelsvc.store.users import UserRepo


class Tx:
    """One transaction: the repositories share its connection and commit together."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run one statement (for repositories only; services never write SQL)."""
        return self.conn.execute(sql, params)

    @cached_property
    def pools(self) -> PoolRepo:
        from labelsvc.store.pools import PoolRepo

        return PoolRepo(self)

    @cached_property
    def items(self) -> ItemRepo:
        from labelsvc.store.items import ItemRepo

        return ItemRepo(self)

    @cached_property
    def events(self) -> EventRepo:
        from labelsvc.store.events import EventRepo

        return EventRepo(self)

    @cached_property
    def products(self) -> ProductRepo:
        from labelsvc.store.products import ProductRepo

        return ProductRepo(self)

    @cached_property
    def users(self) -> UserRepo:
        from labelsvc.store.users import UserRepo

        return UserRepo(self)

    @cached_property
    def printers(self) -> PrinterRepo:
        from labelsvc.store.printers import PrinterRepo

        return PrinterRepo(self)

    @cached_property
    def jobs(self) -> JobRepo:
        from labelsvc.store.jobs import JobRepo

        return JobRepo(self)

    @cached_property
    def receipts(self) -> ReceiptRepo:
        from labelsvc.store.receipts import ReceiptRepo

        return ReceiptRepo(self)

    @cached_property
    def containers(self) -> ContainerRepo:
        from labelsvc.store.containers import ContainerRepo

        return ContainerRepo(self)

    @cached_property
    def idempotency(self) -> IdempotencyRepo:
        from labelsvc.store.idempotency import IdempotencyRepo

        return IdempotencyRepo(self)


class Store:
    """A SQLite file in WAL mode with foreign keys on and a busy timeout."""

    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        # Writers of this process queue here in order instead of in SQLite's busy handler,
        # whose growing sleeps (up to 100 ms) make a long tail under load.
        self._write_lock = threading.Lock()
        self._autocheckpoint = 1000  # SQLite's default: the committing writer checkpoints
        self._checkpointer: threading.Thread | None = None
        self._stop_checkpoints = threading.Event()
        self.checkpoint_error: str | None = None  # the last checkpoint's failure, for health

    def migrate(self) -> list[str]:
        """Create the file if needed and apply pending migrations; return their names."""
        create_private(self.path)  # 0600: it holds password and token hashes
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            applied = apply_migrations(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return applied

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint = {self._autocheckpoint}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")  # WAL shrinks back
            conn.execute("PRAGMA foreign_keys = ON")
            # 16 MB of page cache: a trace of a pallet reads rows scattered through the file.
            conn.execute("PRAGMA cache_size = -16000")
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A transaction that holds the write lock from its start (``BEGIN IMMEDIATE``)."""
        conn = self._connection()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield Tx(conn)
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:  # SQLite rolls back by itself on a full disk
                    conn.execute("ROLLBACK")
                full = disk_full(exc, self.path)
                if full is not None:
                    raise full from exc
                raise

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A consistent snapshot for reading (a deferred transaction)."""
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield Tx(conn)
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def start_checkpointer(self, interval: float = 0.5) -> None:
        """Move WAL checkpoints (copy and fsync) off the request path into a daemon thread.

        Without it the writer whose commit crosses 1,000 WAL pages pays the checkpoint, a
        few milliseconds every couple of hundred writes: the whole p99 of an allocation.
        Call it before serving, in the long-running process only.
        """
        if self._checkpointer is not None:
            return
        self._autocheckpoint = 0
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop, args=(interval,), name="wal-checkpoint", daemon=True
        )
        self._checkpointer.start()

    def _checkpoint_loop(self, interval: float) -> None:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000)
        rounds = 0
        try:
            while not self._stop_checkpoints.wait(interval):
                rounds += 1
                # Now and then TRUNCATE, so the WAL file gives its space back to the disk.
                mode = "TRUNCATE" if rounds % TRUNCATE_EVERY == 0 else "PASSIVE"
                try:
                    conn.execute(f"PRAGMA wal_checkpoint({mode})")
                    self.checkpoint_error = None
                except sqlite3.Error as exc:  # a full disk, a lock: try again next round
                    self.checkpoint_error = f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()

    def stop_checkpointer(self) -> None:
        """Stop the checkpoint thread; the next commits checkpoint themselves again."""
        if self._checkpointer is None:
            return
        self._stop_checkpoints.set()
        self._checkpointer.join(5)
        self._checkpointer = None
        self._stop_checkpoints.clear()
        self._autocheckpoint = 1000

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

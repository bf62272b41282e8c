"""Store, transactions and the repositories bound to them.

The store is a SQLite file (the embedded default) or a PostgreSQL database, chosen by a
``postgresql://`` URL; :mod:`labelsvc.store.engine` holds everything that differs. A write
is one short transaction whose waits are bounded (``busy_timeout_ms``): a writer that cannot
get its lock in time gets :class:`~labelsvc.store.errors.StoreBusy`, never an endless wait.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labelsvc.store.backup import create_private
from labelsvc.store.engine import (
    POSTGRESQL,
    SQLITE,
    Conn,
    Cursor,
    PostgresEngine,
    SqliteEngine,
)
from labelsvc.store.migrations import apply_migrations

TRUNCATE_EVERY = 120  # checkpointer rounds (of 0.5 s) between TRUNCATE checkpoints

if TYPE_CHECKING:
    from labelsvc.store.captured import CapturedRepo
    from labelsvc.store.containers import ContainerRepo
    from labelsvc.store.events import EventRepo
    from labelsvc.store.idempotency import IdempotencyRepo
    from labelsvc.store.identity import IdentityRepo
    from labelsvc.store.items import ItemRepo
    from labelsvc.store.jobs import JobRepo
    from labelsvc.store.outbox import OutboxRepo
    from labelsvc.store.pools import PoolRepo
    from labelsvc.store.printers import PrinterRepo
    from labelsvc.store.products import ProductRepo
    from labelsvc.store.receipts import ReceiptRepo
    from labelsvc.store.site import SiteRepo
    from labelsvc.store.supply import SupplyRepo
    from labelsvc.store.templates import TemplateRepo
    from labelsvc.store.users import UserRepo
    from labelsvc.store.webhooks import WebhookRepo


def is_postgresql_url(location: str | Path) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs (anything else is a SQLite path)."""
    text = str(location)
    return text.startswith(("postgresql://", "postgres://"))


class Tx:
    """One transaction: the repositories share its connection and commit together."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.dialect = conn.dialect

    @property
    def for_update(self) -> str:
        """Suffix that locks the rows a write reads before it decides (PostgreSQL only)."""
        return self.conn.for_update

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        """Run one statement (for repositories only; services never write SQL)."""
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement per row; return how many rows it changed in all."""
        return self.conn.executemany(sql, rows)

    def bulk_insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str = ""
    ) -> int:
        """Insert many rows in their order, the fastest way the engine has; count them."""
        return self.conn.bulk_insert(table, columns, rows, conflict)

    def insert(self, sql: str, params: Any = ()) -> int:
        """Run an INSERT into a table with an ``id`` key and return the new row's id."""
        row = self.conn.execute(sql + " RETURNING id", params).fetchone()
        return int(row[0])

    def json_text(self, column: str, key: str) -> str:
        """SQL for the text of ``column``'s top-level JSON member ``key`` (a literal name)."""
        if not key.replace("_", "").isalnum():
            raise ValueError(f"not a plain JSON key: {key!r}")
        if self.dialect == POSTGRESQL:
            return f"({column}::jsonb ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"

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
    def templates(self) -> TemplateRepo:
        from labelsvc.store.templates import TemplateRepo

        return TemplateRepo(self)

    @cached_property
    def site(self) -> SiteRepo:
        from labelsvc.store.site import SiteRepo

        return SiteRepo(self)

    @cached_property
    def outbox(self) -> OutboxRepo:
        from labelsvc.store.outbox import OutboxRepo

        return OutboxRepo(self)

    @cached_property
    def webhooks(self) -> WebhookRepo:
        from labelsvc.store.webhooks import WebhookRepo

        return WebhookRepo(self)

    @cached_property
    def captured(self) -> CapturedRepo:
        from labelsvc.store.captured import CapturedRepo

        return CapturedRepo(self)

    @cached_property
    def identity(self) -> IdentityRepo:
        from labelsvc.store.identity import IdentityRepo

        return IdentityRepo(self)

    @cached_property
    def idempotency(self) -> IdempotencyRepo:
        from labelsvc.store.idempotency import IdempotencyRepo

        return IdempotencyRepo(self)

    @cached_property
    def supply(self) -> SupplyRepo:
        from labelsvc.store.supply import SupplyRepo

        return SupplyRepo(self)


class Store:
    """The database: a SQLite file or a PostgreSQL URL, behind one interface."""

    def __init__(
        self, location: str | Path, busy_timeout_ms: int = 10_000, pool_size: int = 12
    ) -> None:
        self.location = str(location)
        self.busy_timeout_ms = busy_timeout_ms
        self.engine: SqliteEngine | PostgresEngine
        if is_postgresql_url(location):
            self.engine = PostgresEngine(str(location), busy_timeout_ms, pool_size)
        else:
            self.engine = SqliteEngine(Path(location), busy_timeout_ms)
        self._checkpointer: threading.Thread | None = None
        self._stop_checkpoints = threading.Event()
        self.checkpoint_error: str | None = None  # the last checkpoint's failure, for health

    @property
    def kind(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.kind

    @property
    def path(self) -> Path:
        """The SQLite file (only for a SQLite store)."""
        if not isinstance(self.engine, SqliteEngine):
            raise TypeError("a PostgreSQL store has no file")
        return self.engine.path

    def describe(self) -> str:
        """Where the data lives, without credentials (for logs and health)."""
        return self.engine.describe()

    def migrate(self) -> list[str]:
        """Create the schema if needed and apply pending migrations; return their names.

        Refuses (:class:`~labelsvc.store.errors.NewerDatabase`) a database that a newer
        labelsvc has migrated.
        """
        if isinstance(self.engine, SqliteEngine):
            create_private(self.engine.path)  # 0600: it holds password and token hashes
        with self.engine.write() as conn:
            return apply_migrations(conn)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction; its lock waits are bounded by ``busy_timeout_ms``."""
        with self.engine.write() as conn:
            yield Tx(conn)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A consistent snapshot for reading."""
        with self.engine.read() as conn:
            yield Tx(conn)

    def pause_between_chunks(self, held: float) -> None:
        """Called by long jobs between their short transactions (``held``: seconds the last
        one held the lock), so that others get their turn."""
        self.engine.pause_between_chunks(held)

    def start_checkpointer(self, interval: float = 0.5) -> None:
        """Move SQLite's WAL checkpoints (copy and fsync) off the request path.

        Without it the writer whose commit crosses 1,000 WAL pages pays the checkpoint, a
        few milliseconds every couple of hundred writes: the whole p99 of an allocation.
        Call it before serving, in the long-running process only. PostgreSQL needs none.
        """
        if self._checkpointer is not None or not isinstance(self.engine, SqliteEngine):
            return
        self.engine.autocheckpoint = 0
        conn = getattr(self.engine._local, "conn", None)
        if conn is not None:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop, args=(interval,), name="wal-checkpoint", daemon=True
        )
        self._checkpointer.start()

    def _checkpoint_loop(self, interval: float) -> None:
        assert isinstance(self.engine, SqliteEngine)
        conn = sqlite3.connect(self.engine.path, timeout=self.busy_timeout_ms / 1000)
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
        if self._checkpointer is None or not isinstance(self.engine, SqliteEngine):
            return
        self._stop_checkpoints.set()
        self._checkpointer.join(5)
        self._checkpointer = None
        self._stop_checkpoints.clear()
        self.engine.autocheckpoint = 1000

    def listen(self, channel: str, callback: Callable[[str], None], stop: threading.Event) -> bool:
        """Block, calling ``callback`` for each NOTIFY on ``channel``, until ``stop``.

        Returns False at once on SQLite, which has no notifications (callers poll).
        """
        if not isinstance(self.engine, PostgresEngine):
            return False
        self.engine.listen(channel, callback, stop)
        return True

    def notify(self, channel: str, payload: str = "") -> None:
        """Tell other instances (PostgreSQL ``NOTIFY``); a SQLite store has only polling."""
        if isinstance(self.engine, PostgresEngine):
            self.engine.notify(channel, payload)

    def close(self) -> None:
        """Close this thread's connection (SQLite; PostgreSQL's pool keeps its own)."""
        if isinstance(self.engine, SqliteEngine):
            self.engine.close()

    def shutdown(self) -> None:
        """Close every connection of this store (the process is done with it)."""
        self.engine.close()


__all__ = ["POSTGRESQL", "SQLITE", "Store", "Tx", "is_postgresql_url"]

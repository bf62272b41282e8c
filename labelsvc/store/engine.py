"""The two engines behind :class:`~labelsvc.store.db.Store`: SQLite and PostgreSQL.

Repositories write one SQL text with ``?`` (or ``:name``) placeholders; this module is the
only place that knows how each engine takes it, how it locks, and what its errors mean.

- SQLite: one file in WAL mode, a connection per thread, writers take the file's write lock
  with ``BEGIN IMMEDIATE`` and wait at most ``busy_timeout_ms`` for it.
- PostgreSQL: a psycopg 3 connection pool; a write is a READ COMMITTED transaction whose row
  locks (``FOR UPDATE``, taken by the repositories through :attr:`Conn.for_update`) wait at
  most ``lock_timeout``; a read is a REPEATABLE READ READ ONLY snapshot.
"""

from __future__ import annotations

import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from labelsvc.store.errors import (
    IntegrityViolation,
    StoreBusy,
    StoreDataInvalid,
    StoreUnavailable,
)
from labelsvc.store.faults import disk_full

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes of WAL SQLite keeps after a checkpoint resets it


class Cursor(Protocol):
    """What repositories read from a statement: rows, one row, or how many rows changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    """One connection inside one transaction, in the engine's own dialect."""

    dialect: str
    for_update: str  # " FOR UPDATE" where a write must lock what it read, else ""

    def execute(self, sql: str, params: Any = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int: ...

    def bulk_insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str
    ) -> int: ...


# -- SQLite -------------------------------------------------------------------------------


def _sqlite_error(exc: sqlite3.Error) -> Exception:
    text = str(exc)
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityViolation(text)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreBusy(text)
    return exc


class SqliteConn:
    """A sqlite3 connection that maps driver errors to the store's."""

    dialect = SQLITE
    for_update = ""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        try:
            return self.raw.execute(sql, params)
        except sqlite3.Error as exc:
            mapped = _sqlite_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        try:
            return self.raw.executemany(sql, rows).rowcount
        except sqlite3.Error as exc:
            mapped = _sqlite_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def bulk_insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str
    ) -> int:
        """Insert many rows in order (``conflict``: an ``ON CONFLICT ...`` clause or "")."""
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){conflict}"
        return self.executemany(sql, rows)


class SqliteEngine:
    """A SQLite file in WAL mode with foreign keys on and a bounded busy wait."""

    kind = SQLITE

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self.autocheckpoint = 1000
        # Writers of this process queue here in order instead of in SQLite's busy handler,
        # whose growing sleeps (up to 100 ms) make a long tail; the wait is bounded.
        self._write_lock = threading.Lock()

    def describe(self) -> str:
        return str(self.path.resolve())

    def raw(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None,
                check_same_thread=False,
            )  # fmt: skip
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint = {self.autocheckpoint}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")  # WAL shrinks back
            conn.execute("PRAGMA foreign_keys = ON")
            # 16 MB of page cache: a trace of a pallet reads rows scattered through the file.
            conn.execute("PRAGMA cache_size = -16000")
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self) -> Iterator[Conn]:
        raw = self.raw()
        if not self._write_lock.acquire(timeout=self.busy_timeout_ms / 1000):
            raise StoreBusy(
                f"another writer of this process held the database for more than "
                f"{self.busy_timeout_ms} ms"
            )
        try:
            conn = SqliteConn(raw)
            self._begin_immediate(raw)
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if raw.in_transaction:  # SQLite rolls back by itself on a full disk
                    raw.execute("ROLLBACK")
                full = disk_full(exc, self.path)
                if full is not None:
                    raise full from exc
                raise
        finally:
            self._write_lock.release()

    def _begin_immediate(self, raw: sqlite3.Connection) -> None:
        """Take the file's write lock, polling every few milliseconds until the deadline.

        SQLite's own busy handler sleeps up to 100 ms between tries, so a writer in another
        process that commits and begins again at once (a chunked allocation) keeps the lock
        from everyone for seconds; polling this often, waiters get in between its chunks.
        """
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        delay = 0.0005
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    raw.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    if time.monotonic() >= deadline:
                        raise StoreBusy(
                            f"another process held the database for more than "
                            f"{self.busy_timeout_ms} ms"
                        ) from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 1.5, 0.004)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")

    def pause_between_chunks(self, held: float) -> None:
        """Let writers of other processes in between the chunks of a long job.

        SQLite has no queue for its write lock: a writer that begins again at once wins it
        again. Pausing for half as long as the chunk held the lock (at most 25 ms) lets the
        writers that poll for it in, at the cost of a third more time for the long job.
        """
        time.sleep(min(max(held / 2, 0.005), 0.025))

    @contextmanager
    def read(self) -> Iterator[Conn]:
        raw = self.raw()
        conn = SqliteConn(raw)
        if raw.in_transaction:  # a read inside this thread's write sees what it wrote so far
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if raw.in_transaction:
                raw.execute("ROLLBACK")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


# -- PostgreSQL ---------------------------------------------------------------------------

_TOKEN = re.compile(r"'(?:[^']|'')*'|\?|:[A-Za-z_]\w*|%|::")
_GROUP_CONCAT = re.compile(r"GROUP_CONCAT\(DISTINCT ([^()]+)\)", re.IGNORECASE)
_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?\?", re.IGNORECASE)


@lru_cache(maxsize=2048)
def to_postgresql(sql: str) -> str:
    """SQLite-flavoured SQL with ``?``/``:name`` marks -> psycopg's ``%s``/``%(name)s``."""
    sql = _GROUP_CONCAT.sub(r"string_agg(DISTINCT \1, ',')", sql)
    sql = _IS_PARAM.sub(lambda m: "IS DISTINCT FROM ?" if m.group(1) else "IS NOT DISTINCT FROM ?",
                        sql)  # fmt: skip

    def mark(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith("'"):
            return token.replace("%", "%%")  # psycopg reads % even inside literals
        if token == "::":
            return token
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return f"%({token[1:]})s"

    return _TOKEN.sub(mark, sql)


class PgRow:
    """A row readable by position and by column name, like ``sqlite3.Row``."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _pg_row_factory(cursor: Any) -> Any:
    description = cursor.description or []
    index = {col.name: i for i, col in enumerate(description)}

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, index)

    return make


BULK_BY_COPY = 1_000  # rows from which COPY beats pipelined inserts


class PgConn:
    """A psycopg connection inside one transaction, speaking our SQL text.

    The transaction begins lazily, in the same round trip as its first statement (``BEGIN
    ...; SELECT ...``): a short use case pays one round trip less per transaction.
    """

    dialect = POSTGRESQL

    def __init__(self, raw: Any, writing: bool) -> None:
        self.raw = raw
        self.writing = writing
        self.for_update = " FOR UPDATE" if writing else ""
        self.begun = False
        self._begin = (
            "BEGIN ISOLATION LEVEL READ COMMITTED"
            if writing
            else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        )

    def _ensure_begun(self) -> None:
        if not self.begun:
            self.begun = True
            self.raw.execute(self._begin)

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        """One statement, with parameters bound on the client (like SQLite, whose loose typing
        the repositories' SQL assumes: ``? IS NULL`` with None needs no declared type)."""
        import psycopg

        try:
            cur = psycopg.ClientCursor(self.raw, row_factory=_pg_row_factory)
            if self.begun:
                cur.execute(to_postgresql(sql), _pg_params(params))
            else:
                self.begun = True  # even if the statement fails: the transaction is open
                cur.execute(f"{self._begin}; {to_postgresql(sql)}", _pg_params(params))
                cur.nextset()
            return cur
        except psycopg.Error as exc:
            raise _pg_error(exc) from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        import psycopg

        batch = [_pg_params(r) for r in rows]
        if not batch:
            return 0
        try:
            self._ensure_begun()
            cur = self.raw.cursor()
            cur.executemany(to_postgresql(sql), batch)
            return int(cur.rowcount)
        except psycopg.Error as exc:
            raise _pg_error(exc) from exc

    def bulk_insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str
    ) -> int:
        """Insert many rows in order: through ``COPY`` when many, pipelined when few."""
        import psycopg

        if not rows:
            return 0
        if len(rows) < BULK_BY_COPY:
            marks = ", ".join("?" * len(columns))
            return self.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){conflict}", rows
            )
        try:
            self._ensure_begun()
            return _pg_bulk_insert(self.raw, table, columns, rows, conflict)
        except psycopg.Error as exc:
            raise _pg_error(exc) from exc


def _pg_bulk_insert(
    raw: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str
) -> int:
    """``COPY`` into a temporary table, then one INSERT ... SELECT in order: several times
    faster than row-by-row inserts, with the same constraints and conflict handling."""
    cols = ", ".join(columns)
    scratch = f"_bulk_{table}"
    raw.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ON COMMIT DELETE ROWS AS"
        f" SELECT {cols}, 0::bigint AS _ord FROM {table} WITH NO DATA"
    )
    with raw.cursor().copy(f"COPY {scratch} ({cols}, _ord) FROM STDIN") as copy:
        for i, row in enumerate(rows):
            copy.write_row((*_pg_params(row), i))
    cur = raw.execute(
        f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {scratch} ORDER BY _ord{conflict}"
    )
    raw.execute(f"DELETE FROM {scratch}")
    return int(cur.rowcount)


def _pg_params(params: Any) -> Any:
    """psycopg sends Python booleans as ``boolean``; our columns hold 0/1 integers."""
    if isinstance(params, dict):
        return {k: int(v) if isinstance(v, bool) else v for k, v in params.items()}
    return [int(v) if isinstance(v, bool) else v for v in params]


def _pg_error(exc: Exception) -> Exception:
    import psycopg
    from psycopg import errors as e

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, e.IntegrityError | e.RaiseException):
        diag = getattr(exc, "diag", None)
        return IntegrityViolation(text, constraint=getattr(diag, "constraint_name", None))
    if isinstance(exc, e.LockNotAvailable | e.DeadlockDetected | e.SerializationFailure
                  | e.QueryCanceled):  # fmt: skip
        return StoreBusy(text)
    if isinstance(exc, e.DataError | e.NumericValueOutOfRange | e.CharacterNotInRepertoire):
        return StoreDataInvalid(text)
    if isinstance(exc, psycopg.OperationalError):
        return StoreUnavailable(text)
    return exc


class PostgresEngine:
    """A psycopg 3 connection pool on one PostgreSQL database."""

    kind = POSTGRESQL

    def __init__(self, url: str, busy_timeout_ms: int, pool_size: int) -> None:
        try:
            from psycopg_pool import ConnectionPool
        except ImportError as exc:
            raise StoreUnavailable(
                "storage.url names PostgreSQL but its driver is not installed; install it "
                "with: pip install 'labelsvc[postgresql]'"
            ) from exc

        self.url = url
        self.busy_timeout_ms = busy_timeout_ms
        self._pool = ConnectionPool(
            url, min_size=1, max_size=max(2, pool_size), open=True, name="labelsvc",
            timeout=busy_timeout_ms / 1000, kwargs={"autocommit": True},
            configure=self._configure,
        )  # fmt: skip

    def pause_between_chunks(self, held: float) -> None:
        """Row locks queue fairly in PostgreSQL: nothing to wait for."""

    def _configure(self, conn: Any) -> None:
        conn.execute(f"SET lock_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("SET idle_in_transaction_session_timeout = 600000")

    def describe(self) -> str:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(self.url)
        return (
            f"postgresql://{info.get('host', '')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
        )

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection() as raw:
                yield raw
        except PoolTimeout as exc:
            raise StoreBusy(
                f"no database connection free within {self.busy_timeout_ms} ms"
            ) from exc
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(str(exc).strip()) from exc

    @contextmanager
    def write(self) -> Iterator[Conn]:
        import psycopg

        with self._connection() as raw:
            conn = PgConn(raw, writing=True)
            try:
                yield conn
                if conn.begun:
                    raw.execute("COMMIT")
            except psycopg.Error as exc:
                if conn.begun and not raw.closed:
                    raw.execute("ROLLBACK")
                raise _pg_error(exc) from exc
            except BaseException:
                if conn.begun and not raw.closed:
                    raw.execute("ROLLBACK")
                raise

    @contextmanager
    def read(self) -> Iterator[Conn]:
        with self._connection() as raw:
            conn = PgConn(raw, writing=False)
            try:
                yield conn
            finally:
                if conn.begun and not raw.closed:
                    raw.execute("ROLLBACK")

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A raw autocommit connection (LISTEN/NOTIFY, advisory locks, DDL bookkeeping)."""
        with self._connection() as raw:
            yield raw

    def listen(self, channel: str, callback: Callable[[str], None], stop: threading.Event) -> None:
        """Call ``callback(payload)`` for each NOTIFY on ``channel`` until ``stop`` is set.

        Runs on its own connection (not the pool's); a lost connection is reopened after a
        pause, and the callers' polling covers the gap.
        """
        import psycopg

        while not stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {channel}")
                    while not stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            callback(note.payload)
            except psycopg.Error:
                stop.wait(2.0)

    def notify(self, channel: str, payload: str) -> None:
        """Tell every instance listening on ``channel`` (print workers across hosts)."""
        with self._connection() as raw:
            raw.execute("SELECT pg_notify(%s, %s)", (channel, payload))

    def close(self) -> None:
        self._pool.close()

"""Login throttling counters and server-side web sessions, as stored.

The repositories take a :class:`~labelsvc.store.db.Tx`; they are built by the services
(``LoginRepo(tx)``) rather than hung on ``Tx``, to keep this change apart from the store core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class Throttle:
    """Failed logins of one key in its window, and until when it is locked."""

    key: str
    failures: int
    window_start: str
    locked_until: str | None


@dataclass(frozen=True)
class WebSession:
    """One logged-in browser."""

    id: str
    user_name: str
    address: str | None
    created_at: str
    last_seen_at: str


class LoginRepo:
    """Counters of failed logins, keyed ``user:NAME`` and ``addr:IP``."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def get(self, key: str) -> Throttle | None:
        """The counter of ``key``, if any failure was recorded."""
        r = self.tx.execute(
            "SELECT key, failures, window_start, locked_until FROM login_throttle WHERE key = ?",
            (key,),
        ).fetchone()
        return Throttle(r[0], r[1], r[2], r[3]) if r else None

    def save(self, key: str, failures: int, window_start: str, locked_until: str | None) -> None:
        """Write the counter of ``key``."""
        self.tx.execute(
            "INSERT INTO login_throttle (key, failures, window_start, locked_until, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,"
            " window_start = excluded.window_start, locked_until = excluded.locked_until,"
            " updated_at = excluded.updated_at",
            (key, failures, window_start, locked_until, now()),
        )

    def clear(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful login)."""
        self.tx.execute("DELETE FROM login_throttle WHERE key = ?", (key,))


class SessionRepo:
    """Web sessions by the hash of their secret."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def add(self, session_id: str, user_name: str, address: str | None) -> None:
        """Record a new session."""
        at = now()
        self.tx.execute(
            "INSERT INTO web_sessions (id, user_name, address, created_at, last_seen_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (session_id, user_name, address, at, at),
        )

    def get(self, session_id: str) -> WebSession | None:
        """The session, if it still exists."""
        r = self.tx.execute(
            "SELECT id, user_name, address, created_at, last_seen_at FROM web_sessions"
            " WHERE id = ?",
            (session_id,),
        ).fetchone()
        return WebSession(r[0], r[1], r[2], r[3], r[4]) if r else None

    def touch(self, session_id: str) -> None:
        """Note activity now (for the idle timeout)."""
        self.tx.execute(
            "UPDATE web_sessions SET last_seen_at = ? WHERE id = ?", (now(), session_id)
        )

    def delete(self, session_id: str) -> None:
        """End one session."""
        self.tx.execute("DELETE FROM web_sessions WHERE id = ?", (session_id,))

    def delete_user(self, user_name: str) -> int:
        """End every session of a user; return how many there were."""
        cur = self.tx.execute("DELETE FROM web_sessions WHERE user_name = ?", (user_name,))
        return int(cur.rowcount)

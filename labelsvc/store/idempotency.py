"""Idempotency records: the first response to a (client, key), kept so a retry gets it back.

A record is ``running`` while the first request executes (``owner`` names the process) and
``done`` with the status and the response once it finished. The primary key (client, key)
decides which of two simultaneous requests runs: the one whose INSERT went in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class IdempotencyRecord:
    """One remembered request."""

    client: str
    key: str
    request_hash: str
    state: str
    status: int | None
    response: str | None
    created_at: str
    owner: str | None


def _record(r: Any) -> IdempotencyRecord:
    return IdempotencyRecord(**{k: r[k] for k in r.keys()})  # noqa: SIM118 (sqlite3.Row)


class IdempotencyRepo:
    """Claim, finish, release and read idempotency records."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def claim(self, client: str, key: str, request_hash: str, owner: str) -> bool:
        """Insert a ``running`` record; False when the key is already recorded."""
        cur = self.tx.execute(
            "INSERT INTO idempotency (client, key, request_hash, state, created_at, owner)"
            " VALUES (?, ?, ?, 'running', ?, ?) ON CONFLICT (client, key) DO NOTHING",
            (client, key, request_hash, now(), owner),
        )
        return cur.rowcount == 1

    def get(self, client: str, key: str) -> IdempotencyRecord | None:
        """The record of (client, key), or None."""
        row = self.tx.execute(
            "SELECT client, key, request_hash, state, status, response, created_at, owner"
            " FROM idempotency WHERE client = ? AND key = ?",
            (client, key),
        ).fetchone()
        return _record(row) if row else None

    def take_over(self, client: str, key: str, *, old_owner: str | None, owner: str) -> bool:
        """Become the owner of a ``running`` record whose owner is gone; False if it moved."""
        cur = self.tx.execute(
            "UPDATE idempotency SET owner = ?, created_at = ?"
            " WHERE client = ? AND key = ? AND state = 'running' AND owner IS ?",
            (owner, now(), client, key, old_owner),
        )
        return cur.rowcount == 1

    def finish(self, client: str, key: str, *, owner: str, status: int, response: str) -> None:
        """Store the response of the request this owner ran."""
        self.tx.execute(
            "UPDATE idempotency SET state = 'done', status = ?, response = ?, owner = NULL"
            " WHERE client = ? AND key = ? AND owner = ?",
            (status, response, client, key, owner),
        )

    def release(self, client: str, key: str, *, owner: str) -> None:
        """Forget a running record whose request failed, so a retry runs it again."""
        self.tx.execute(
            "DELETE FROM idempotency WHERE client = ? AND key = ? AND state = 'running'"
            " AND owner = ?",
            (client, key, owner),
        )

    def purge(self, before: str) -> int:
        """Forget finished records created before ``before``; return how many."""
        cur = self.tx.execute(
            "DELETE FROM idempotency WHERE state = 'done' AND created_at < ?", (before,)
        )
        return cur.rowcount

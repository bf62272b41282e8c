"""The outbox table: append a message in the caller's transaction, read them in id order."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.domain.topics import Topic
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class OutboxMessage:
    """One message as stored."""

    id: int
    message_id: str
    topic: str
    subject: str | None
    payload: dict[str, Any]
    created_at: str


def _row(r: Any) -> OutboxMessage:
    return OutboxMessage(
        id=r["id"],
        message_id=r["message_id"],
        topic=r["topic"],
        subject=r["subject"],
        payload=json.loads(r["payload"]),
        created_at=r["created_at"],
    )


class OutboxRepo:
    """Append-only: a message is written once, in the transaction that made the change."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def add(self, topic: Topic, payload: dict[str, Any], subject: str | None = None) -> str:
        """Write one message and return its message id (what a receiver dedupes on).

        Each subscription of the topic gets its delivery row in this same transaction, so
        a committed message is never missed by a subscriber and a rolled-back one never sent.
        """
        message_id = str(uuid.uuid4())
        outbox_id = self.tx.insert(
            "INSERT INTO outbox (message_id, topic, subject, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (message_id, str(topic), subject, json.dumps(payload, sort_keys=True), now()),
        )
        self.tx.webhooks.fan_out(outbox_id, str(topic))
        return message_id

    def after(self, after_id: int, limit: int = 500) -> list[OutboxMessage]:
        """Messages with an id above ``after_id``, oldest first."""
        rows = self.tx.execute(
            "SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
        )
        return [_row(r) for r in rows]

    def by_topic(self, topic: Topic, limit: int = 500) -> list[OutboxMessage]:
        """The latest messages of one topic, oldest first."""
        rows = self.tx.execute(
            "SELECT * FROM (SELECT * FROM outbox WHERE topic = ? ORDER BY id DESC LIMIT ?) AS t"
            " ORDER BY id",
            (str(topic), limit),
        )
        return [_row(r) for r in rows]

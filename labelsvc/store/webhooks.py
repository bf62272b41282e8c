"""Webhook subscriptions and their deliveries: the claims that keep instances apart.

The signing secret is stored as it is. API tokens and passwords are stored as hashes
because the service only has to *check* them; a webhook secret is the key of the HMAC the
service must *compute* for every delivery, so a hash of it would be useless, and encrypting
it with a key kept beside the database (the data folder or ``config.toml``) would only move
the secret next door. It is guarded like the rest of the store instead: the SQLite file is
created 0600, a PostgreSQL database is reached with credentials; the secret is shown once
at creation and never again (no listing, page, export or event carries it).

Claims are conditional updates: a delivery moves from ``pending`` (or ``sending`` whose lease
lapsed: its instance died) to ``sending`` only if it is still in that state, so two instances
never send one delivery at the same time, and settling needs the claim (``claimed_by``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.domain.webhooks import DeliveryState, SubscriptionState
from labelsvc.store.clock import now
from labelsvc.store.jobs import later

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

CHANNEL = "labelsvc_webhooks"  # the NOTIFY channel dispatchers listen on


def _due(alias: str = "") -> str:
    """SQL: the delivery is waiting and its time has come, or its claimer's lease lapsed."""
    a = f"{alias}." if alias else ""
    return (
        f"(({a}state = 'pending' AND {a}next_attempt_at <= ?)"
        f" OR ({a}state = 'sending' AND {a}lease_until < ?))"
    )


@dataclass(frozen=True)
class Subscription:
    """A partner endpoint and the topics it is sent (never carries the secret)."""

    id: int
    name: str
    url: str
    kind: str
    state: str
    topics: tuple[str, ...]
    created_at: str
    created_by: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Delivery:
    """One outbox message for one subscription, as listed."""

    id: int
    subscription: str
    message_id: str
    topic: str
    state: str
    attempts: int
    next_attempt_at: str
    last_status: int | None
    last_error: str | None
    created_at: str
    delivered_at: str | None


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for sending: everything needed to build and sign the request."""

    id: int
    attempts: int
    subscription_id: int
    subscription: str
    url: str
    kind: str
    secret: str
    message_id: str
    topic: str
    subject: str | None
    payload: dict[str, Any]
    created_at: str


def _subscription(r: Any, topics: tuple[str, ...], counts: dict[str, int]) -> Subscription:
    return Subscription(
        id=r["id"], name=r["name"], url=r["url"], kind=r["kind"], state=r["state"],
        topics=topics, created_at=r["created_at"], created_by=r["created_by"], counts=counts,
    )  # fmt: skip


_DELIVERY_COLUMNS = (
    "d.id, s.name AS subscription, o.message_id, o.topic, d.state, d.attempts,"
    " d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at"
)
_JOIN = (
    " FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id"
    " JOIN outbox o ON o.id = d.outbox_id"
)


class WebhookRepo:
    """Subscriptions, their topics and their deliveries."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    # -- subscriptions ----------------------------------------------------------------
    def create(
        self, name: str, url: str, kind: str, secret: str, topics: list[str], by: str
    ) -> int:
        """Insert a subscription (a taken name raises IntegrityViolation)."""
        stamp = now()
        sub_id = self.tx.insert(
            "INSERT INTO webhook_subscriptions (name, url, kind, secret, state, created_at,"
            " created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, url, kind, secret, SubscriptionState.ACTIVE, stamp, by, stamp),
        )
        self.tx.executemany(
            "INSERT INTO webhook_topics (subscription_id, topic) VALUES (?, ?)",
            [(sub_id, t) for t in sorted(set(topics))],
        )
        return sub_id

    def get(self, name: str) -> Subscription | None:
        """One subscription by name."""
        found = self._subscriptions("WHERE name = ?", (name,))
        return found[0] if found else None

    def all(self) -> list[Subscription]:
        """Every subscription, by name."""
        return self._subscriptions("", ())

    def _subscriptions(self, where: str, params: tuple[Any, ...]) -> list[Subscription]:
        rows = list(self.tx.execute(f"SELECT * FROM webhook_subscriptions {where} ORDER BY name",
                                    params))  # fmt: skip
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        marks = ", ".join("?" for _ in ids)
        topics: dict[int, list[str]] = {i: [] for i in ids}
        for t in self.tx.execute(
            f"SELECT subscription_id, topic FROM webhook_topics WHERE subscription_id IN ({marks})"
            " ORDER BY topic", ids,
        ):  # fmt: skip
            topics[t["subscription_id"]].append(t["topic"])
        counts: dict[int, dict[str, int]] = {i: {str(s): 0 for s in DeliveryState} for i in ids}
        for c in self.tx.execute(
            "SELECT subscription_id, state, COUNT(*) AS n FROM webhook_deliveries"
            f" WHERE subscription_id IN ({marks}) GROUP BY subscription_id, state", ids,
        ):  # fmt: skip
            counts[c["subscription_id"]][c["state"]] = int(c["n"])
        return [_subscription(r, tuple(topics[r["id"]]), counts[r["id"]]) for r in rows]

    def set_state(self, name: str, state: str) -> bool:
        """Pause or resume; False when the subscription does not exist."""
        cur = self.tx.execute(
            "UPDATE webhook_subscriptions SET state = ?, updated_at = ? WHERE name = ?",
            (state, now(), name),
        )
        return cur.rowcount == 1

    def set_secret(self, name: str, secret: str) -> bool:
        """Replace the signing secret; False when the subscription does not exist."""
        cur = self.tx.execute(
            "UPDATE webhook_subscriptions SET secret = ?, updated_at = ? WHERE name = ?",
            (secret, now(), name),
        )
        return cur.rowcount == 1

    def delete(self, sub_id: int) -> None:
        """Remove a subscription with its topics and deliveries."""
        for table, column in (("webhook_topics", "subscription_id"),
                              ("webhook_deliveries", "subscription_id"),
                              ("webhook_subscriptions", "id")):  # fmt: skip
            self.tx.execute(f"DELETE FROM {table} WHERE {column} = ?", (sub_id,))

    # -- deliveries -------------------------------------------------------------------
    def fan_out(self, outbox_id: int, topic: str) -> int:
        """One pending delivery per subscription of ``topic`` (in the publishing transaction)."""
        stamp = now()
        cur = self.tx.execute(
            "INSERT INTO webhook_deliveries (subscription_id, outbox_id, state, attempts,"
            " next_attempt_at, created_at, updated_at)"
            " SELECT subscription_id, ?, 'pending', 0, ?, ?, ? FROM webhook_topics WHERE topic = ?",
            (outbox_id, stamp, stamp, stamp, topic),
        )
        if cur.rowcount:
            self.wake_dispatchers()
        return cur.rowcount

    def wake_dispatchers(self) -> None:
        """PostgreSQL: tell every instance's dispatcher when this transaction commits (a
        NOTIFY is delivered at commit, and not at all on rollback); SQLite ones poll."""
        if self.tx.dialect == "postgresql":
            self.tx.execute("SELECT pg_notify(?, '')", (CHANNEL,))

    def due(self, limit: int) -> list[tuple[int, int]]:
        """(delivery id, subscription id): the oldest due delivery of each active subscription."""
        stamp = now()
        rows = self.tx.execute(
            "SELECT MIN(d.id) AS id, d.subscription_id FROM webhook_deliveries d"
            " JOIN webhook_subscriptions s ON s.id = d.subscription_id"
            f" WHERE s.state = 'active' AND {_due('d')}"
            " GROUP BY d.subscription_id ORDER BY MIN(d.id) LIMIT ?",
            (stamp, stamp, limit),
        )
        return [(int(r["id"]), int(r["subscription_id"])) for r in rows]

    def claim(self, delivery_id: int, *, owner: str, lease_seconds: float) -> Claimed | None:
        """Take a due delivery for sending; None if another instance has it or it moved."""
        if self.tx.dialect == "postgresql":
            locked = self.tx.execute(
                "SELECT id FROM webhook_deliveries WHERE id = ? FOR UPDATE SKIP LOCKED",
                (delivery_id,),
            ).fetchone()
            if locked is None:
                return None
        stamp = now()
        cur = self.tx.execute(
            "UPDATE webhook_deliveries SET state = 'sending', claimed_by = ?, lease_until = ?,"
            f" attempts = attempts + 1, updated_at = ? WHERE id = ? AND {_due()}",
            (owner, later(lease_seconds), stamp, delivery_id, stamp, stamp),
        )
        if cur.rowcount != 1:
            return None
        r = self.tx.execute(
            "SELECT d.id, d.attempts, s.id AS sid, s.name, s.url, s.kind, s.secret, o.message_id,"
            f" o.topic, o.subject, o.payload, o.created_at {_JOIN} WHERE d.id = ?",
            (delivery_id,),
        ).fetchone()
        return Claimed(
            id=r["id"], attempts=r["attempts"], subscription_id=r["sid"], subscription=r["name"],
            url=r["url"], kind=r["kind"], secret=r["secret"], message_id=r["message_id"],
            topic=r["topic"], subject=r["subject"], payload=json.loads(r["payload"]),
            created_at=r["created_at"],
        )  # fmt: skip

    def settle(
        self, delivery_id: int, *, owner: str, state: str, status: int | None,
        error: str | None, retry_in: float = 0.0,
    ) -> bool:  # fmt: skip
        """End an attempt (delivered, pending again, or dead); False if the claim was lost."""
        stamp = now()
        cur = self.tx.execute(
            "UPDATE webhook_deliveries SET state = ?, claimed_by = NULL, lease_until = NULL,"
            " last_status = ?, last_error = ?, next_attempt_at = ?, updated_at = ?,"
            " delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END"
            " WHERE id = ? AND state = 'sending' AND claimed_by = ?",
            (state, status, error, later(retry_in), stamp, state, stamp, delivery_id, owner),
        )
        return cur.rowcount == 1

    def redeliver(self, sub_id: int, *, delivery_id: int | None, states: list[str]) -> int:
        """Queue deliveries again, attempts from zero: one by id, or all in ``states``."""
        stamp = now()
        where, params = ("id = ?", [delivery_id]) if delivery_id is not None else (
            f"state IN ({', '.join('?' for _ in states)})", list(states))  # fmt: skip
        cur = self.tx.execute(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?,"
            f" updated_at = ? WHERE subscription_id = ? AND state <> 'sending' AND {where}",
            [stamp, stamp, sub_id, *params],
        )
        if cur.rowcount:
            self.wake_dispatchers()
        return cur.rowcount

    def deliveries(
        self, sub_id: int, *, state: str | None, after: int, limit: int
    ) -> list[Delivery]:
        """Deliveries of one subscription, newest first (``after``: ids below it)."""
        sql = f"SELECT {_DELIVERY_COLUMNS}{_JOIN} WHERE d.subscription_id = ?"
        params: list[Any] = [sub_id]
        if state:
            sql, params = sql + " AND d.state = ?", [*params, state]
        if after:
            sql, params = sql + " AND d.id < ?", [*params, after]
        rows = self.tx.execute(sql + " ORDER BY d.id DESC LIMIT ?", [*params, limit])
        return [Delivery(**dict(r)) for r in rows]

    def sending_owners(self) -> list[str]:
        """The owners that hold deliveries in flight right now."""
        rows = self.tx.execute(
            "SELECT DISTINCT claimed_by FROM webhook_deliveries WHERE state = 'sending'"
        )
        return [r["claimed_by"] for r in rows if r["claimed_by"]]

    def release(self, owner: str) -> int:
        """Hand back every delivery of an owner known dead (its attempt counts as failed)."""
        cur = self.tx.execute(
            "UPDATE webhook_deliveries SET state = 'pending', claimed_by = NULL,"
            " lease_until = NULL, last_error = ?, updated_at = ?"
            " WHERE state = 'sending' AND claimed_by = ?",
            ("the instance sending it stopped", now(), owner),
        )
        return cur.rowcount

    def purge_delivered(self, before: str) -> int:
        """Drop delivered deliveries older than ``before`` (the outbox message stays)."""
        cur = self.tx.execute(
            "DELETE FROM webhook_deliveries WHERE state = 'delivered' AND delivered_at < ?",
            (before,),
        )
        return cur.rowcount

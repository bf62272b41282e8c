"""Webhook subscriptions (admins only): create with a secret shown once, pause, resume,
remove, list deliveries and redeliver on demand. The API, the page and the CLI call these."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.topics import ALL_TOPICS, Topic
from labelsvc.domain.webhooks import (
    EPCIS_TOPICS,
    DeliveryState,
    SubscriptionKind,
    SubscriptionState,
)
from labelsvc.services.app import App
from labelsvc.store import Tx
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.webhooks import Delivery, Subscription

SECRET_PREFIX = "whsec_"
_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
MAX_URL = 2000


@dataclass(frozen=True)
class NewSubscription:
    """A subscription just made, with its signing secret (the only time it is shown)."""

    subscription: Subscription
    secret: str


def _check(name: str, url: str, kind: str, topics: list[str]) -> list[str]:
    if not _NAME.fullmatch(name):
        raise InvalidInput("webhook-name-invalid", f"Name {name!r} must be 1-64 letters, "
                           "digits, '.', '_', '@' or '-'.", field="name")  # fmt: skip
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise InvalidInput("webhook-url-invalid",
                           f"{url!r} is not an http:// or https:// URL with a host.",
                           field="url")  # fmt: skip
    if kind not in set(SubscriptionKind):
        raise InvalidInput("webhook-kind-invalid", f"kind must be one of "
                           f"{', '.join(SubscriptionKind)}.", field="kind")  # fmt: skip
    if kind == SubscriptionKind.EPCIS:
        return [str(t) for t in EPCIS_TOPICS]
    bad = sorted(set(topics) - {str(t) for t in ALL_TOPICS})
    if bad or not topics:
        raise InvalidInput(
            "webhook-topic-invalid",
            f"topics must be some of {', '.join(sorted(ALL_TOPICS))}; got "
            f"{', '.join(bad) or 'none'}.", field="topics",
        )  # fmt: skip
    return sorted(set(topics))


def create_subscription(
    app: App, name: str, url: str, *, actor: Actor, topics: list[str] | None = None,
    kind: str = SubscriptionKind.WEBHOOK,
) -> NewSubscription:  # fmt: skip
    """Subscribe ``url`` to topics (an EPCIS subscription: to shipments); it is sent the
    messages published from now on. The secret is returned this once."""
    require(actor, "manage")
    chosen = _check(name, url, kind, list(topics or []))
    secret = _new_secret()
    with app.store.write() as tx:
        try:
            tx.webhooks.create(name, url, kind, secret, chosen, actor.label)
        except IntegrityViolation as exc:
            raise Conflict("webhook-exists", f"There is already a subscription {name!r}.") from exc
        tx.events.append("webhook-created", actor=actor.label, subject=f"webhook:{name}",
                         details={"url": url, "kind": kind, "topics": chosen})  # fmt: skip
        made = _need(tx, name)
    return NewSubscription(made, secret)


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def rotate_secret(app: App, name: str, *, actor: Actor) -> NewSubscription:
    """Give a subscription a new secret (returned this once); attempts from now on are
    signed with it. The partner should accept both secrets until it has the new one."""
    require(actor, "manage")
    secret = _new_secret()
    with app.store.write() as tx:
        _need(tx, name)
        tx.webhooks.set_secret(name, secret)
        tx.events.append("webhook-secret-rotated", actor=actor.label, subject=f"webhook:{name}")
        return NewSubscription(_need(tx, name), secret)


def _need(tx: Tx, name: str) -> Subscription:
    found = tx.webhooks.get(name)
    if found is None:
        raise NotFound("webhook-not-found", f"There is no webhook subscription {name!r}.")
    return found


def list_subscriptions(app: App, *, actor: Actor) -> list[Subscription]:
    """Every subscription with its delivery counts per state."""
    require(actor, "manage")
    with app.store.read() as tx:
        return tx.webhooks.all()


def get_subscription(app: App, name: str, *, actor: Actor) -> Subscription:
    """One subscription with its delivery counts."""
    require(actor, "manage")
    with app.store.read() as tx:
        return _need(tx, name)


def set_active(app: App, name: str, active: bool, *, actor: Actor) -> Subscription:
    """Resume or pause: a paused subscription keeps collecting deliveries and sends none."""
    require(actor, "manage")
    state = SubscriptionState.ACTIVE if active else SubscriptionState.PAUSED
    with app.store.write() as tx:
        _need(tx, name)
        tx.webhooks.set_state(name, state)
        tx.events.append(f"webhook-{'resumed' if active else 'paused'}", actor=actor.label,
                         subject=f"webhook:{name}")  # fmt: skip
        return _need(tx, name)


def remove_subscription(app: App, name: str, *, actor: Actor) -> None:
    """Remove a subscription and its deliveries (undelivered ones are dropped)."""
    require(actor, "manage")
    with app.store.write() as tx:
        found = _need(tx, name)
        tx.webhooks.delete(found.id)
        tx.events.append("webhook-removed", actor=actor.label, subject=f"webhook:{name}",
                         details={"undelivered": found.counts[DeliveryState.PENDING]
                                  + found.counts[DeliveryState.DEAD]})  # fmt: skip


def list_deliveries(
    app: App, name: str, *, actor: Actor, state: str | None = None, after: int = 0,
    limit: int = 100,
) -> list[Delivery]:  # fmt: skip
    """Deliveries of a subscription, newest first; ``after`` pages on (ids below it)."""
    require(actor, "manage")
    if state is not None and state not in set(DeliveryState):
        raise InvalidInput(
            "delivery-state-invalid",
            f"state must be one of {', '.join(DeliveryState)}.",
            field="state",
        )
    with app.store.read() as tx:
        found = _need(tx, name)
        return tx.webhooks.deliveries(found.id, state=state, after=after, limit=limit)


def redeliver(
    app: App, name: str, *, actor: Actor, delivery: int | None = None, dead: bool = False
) -> int:
    """Send again, with attempts counted from zero: one delivery (any state but in flight)
    or every dead one. The message id stays the same, so a partner can dedupe."""
    require(actor, "manage")
    if (delivery is None) == (not dead):
        raise InvalidInput("redeliver-what", "Name one delivery, or ask for all dead ones.")
    with app.store.write() as tx:
        found = _need(tx, name)
        count = tx.webhooks.redeliver(found.id, delivery_id=delivery,
                                      states=[DeliveryState.DEAD])  # fmt: skip
        if delivery is not None and count == 0:
            raise NotFound(
                "delivery-not-found",
                f"Subscription {name} has no delivery {delivery} that is not in flight.",
            )
        tx.events.append("webhook-redelivered", actor=actor.label, subject=f"webhook:{name}",
                         details={"delivery": delivery, "count": count})  # fmt: skip
    return count


def topics_of(kind: str) -> list[Topic]:
    """The topics a subscription of ``kind`` may choose (the page shows these)."""
    return list(EPCIS_TOPICS) if kind == SubscriptionKind.EPCIS else sorted(ALL_TOPICS)

"""Webhook words declared once: subscription kinds and states, delivery states, headers.

Pure: the dispatcher (services), the store and the surfaces all read these names from here.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from enum import StrEnum

from labelsvc.domain.topics import Topic


class SubscriptionKind(StrEnum):
    """What a subscription is sent: the outbox message as JSON, or a shipment as EPCIS."""

    WEBHOOK = "webhook"
    EPCIS = "epcis"
    AUTHORITY = "authority"  # a site's reports to its serial authority (bearer: the secret)


class SubscriptionState(StrEnum):
    """A paused subscription keeps its deliveries queued and sends none."""

    ACTIVE = "active"
    PAUSED = "paused"


class DeliveryState(StrEnum):
    """One message for one subscription."""

    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by an instance until its lease ends
    DELIVERED = "delivered"  # the partner answered 2xx
    DEAD = "dead"  # every attempt failed; redelivery on demand only


EPCIS_TOPICS = (Topic.SHIPMENT_SHIPPED,)
"""The topics an EPCIS subscription carries: each shipment, as an EPCIS document."""

AUTHORITY_TOPICS = (Topic.LEASE_USAGE, Topic.LEASE_RETURNED)
"""The topics a site's authority subscription carries: its lease reports and returns."""

HEADER_ID = "Labelsvc-Message-Id"
HEADER_TOPIC = "Labelsvc-Topic"
HEADER_TIMESTAMP = "Labelsvc-Timestamp"
HEADER_SIGNATURE = "Labelsvc-Signature"
HEADER_ATTEMPT = "Labelsvc-Attempt"
SIGNATURE_SCHEME = "sha256"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``, keyed with the secret's UTF-8."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"{SIGNATURE_SCHEME}={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """True when ``header`` is the signature of ``timestamp`` and ``body`` (constant time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def backoff_seconds(attempts: int, base: float, most: float, rng: random.Random) -> float:
    """Delay before the next attempt: doubling from ``base`` up to ``most``, with jitter.

    The delay is drawn from its upper half (``[d/2, d]``), so partners coming back after an
    outage are not hit by every instance's retries in the same instant.
    """
    ceiling = float(min(most, base * 2.0 ** max(0, attempts - 1)))
    return ceiling / 2 + rng.random() * ceiling / 2

"""Per-client request rates: a token bucket per API client, so one client cannot crowd out
the rest (a runaway integration gets 429 with ``Retry-After``, the dock keeps working).

Buckets live in the instance's memory: with several instances each enforces the rate on
its own share of the traffic, which bounds a client at (instances x rate) at worst.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from labelsvc.domain.errors import TooMany


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """``rate`` requests per second per client, with ``burst`` allowed at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Spend one request of ``client``'s budget, or raise :class:`TooMany`."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = self._buckets[client] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = math.ceil((1 - bucket.tokens) / self.rate)
        raise TooMany(
            "rate-limited",
            f"Client {client} sent more than {self.rate:g} requests per second (burst "
            f"{self.burst}); slow down and retry after {wait} s (setting "
            "limits.api_requests_per_second).",
            retry_after=max(1, wait),
        )

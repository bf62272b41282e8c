"""Timestamps as stored: ISO 8601 UTC with milliseconds, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    """The current time as stored in every ``*_at`` column."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")

"""Instants given by people and programs (``since``, ``GE_eventTime``...), read strictly.

Stored times are ISO 8601 UTC text with milliseconds, so a filter compares correctly only
once its bound is an instant written the same way. A time without an offset is refused:
it names no instant.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from labelsvc.domain.errors import InvalidInput


def parse_instant(text: str, name: str = "time") -> datetime:
    """An ISO 8601 date-time with ``Z`` or an offset, as an aware datetime in UTC."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1:] in "zZ" else raw)
    except (ValueError, IndexError):
        value = None
    if value is None or value.tzinfo is None or "T" not in raw.upper():
        raise InvalidInput(
            "time-invalid",
            f"{name} must be an ISO 8601 instant with an offset, e.g. 2025-01-31T08:00:00+02:00 "
            f"or 2025-01-31T06:00:00Z; {text!r} is not.",
            field=name,
        )
    return value.astimezone(UTC)


def stored_instant(text: str | None, name: str = "time") -> str | None:
    """A bound as stored times are written (UTC, milliseconds), so text order is time order."""
    if text is None or text == "":
        return None
    return parse_instant(text, name).isoformat(timespec="milliseconds")


def typed_instant(text: str | None, zone: str, name: str = "time") -> str | None:
    """A bound a person typed on a page, as stored times are written: an instant with an
    offset as it is, a date or a date-time without one in the site's zone (``zone``), so
    ``2025-01-31`` on a dock in Berlin means that day's midnight there."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return stored_instant(raw, name)
    except InvalidInput:
        try:
            local = datetime.fromisoformat(raw)
        except ValueError:
            local = None
        if local is None or local.tzinfo is not None:
            raise InvalidInput(
                "time-invalid",
                f"{name} must be a date (2025-01-31), a date and time (2025-01-31T08:00) or an "
                f"instant with an offset; {text!r} is none of these.",
                field=name,
            ) from None
        aware = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        return aware.isoformat(timespec="milliseconds")

"""Access to the service handles from inside a request."""

from __future__ import annotations

from flask import current_app

from labelsvc.services.app import App
from labelsvc.web.ratelimit import RateLimiter


def service() -> App:
    """The :class:`App` this Flask application was built around."""
    found: App = current_app.extensions["labelsvc"]
    return found


def rate_limiter() -> RateLimiter:
    """The API's per-client rate limiter of this application."""
    found: RateLimiter = current_app.extensions["labelsvc.ratelimit"]
    return found

"""Secure defaults of every response: headers that stop framing and inline script, cookies
that are ``Secure`` over TLS, and forwarded headers believed only from trusted proxies.

waitress speaks plain HTTP; TLS ends at a reverse proxy (see the README's nginx set-up).
Such a proxy sends ``X-Forwarded-For`` and ``X-Forwarded-Proto``. They are honoured only
when the connection comes from an address in ``security.trusted_proxies``: anyone else
could send them too, to fake their address (and dodge the login throttle) or the scheme.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script, no eval, nothing from elsewhere; pages may not be framed at all.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


class TlsAwareSessions(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure or app.config.get("SESSION_COOKIE_SECURE"))


class TrustedProxies:
    """Apply ``X-Forwarded-*`` (one hop) only to requests from the configured proxies."""

    def __init__(self, app: Any, trusted: set[str]) -> None:
        self.plain = app
        self.proxied = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1)
        self.trusted = trusted

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.proxied(environ, start_response)
        return self.plain(environ, start_response)


def install_security(app: Flask, trusted_proxies: str) -> None:
    """Security headers on every response; TLS-aware cookies; trusted proxy headers."""
    app.session_interface = TlsAwareSessions()
    trusted = {a.strip() for a in trusted_proxies.split(",") if a.strip()}
    if trusted:
        app.wsgi_app = TrustedProxies(app.wsgi_app, trusted)  # type: ignore[method-assign]

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

"""Logins, sessions and the CSRF guard of every page form and HTMX request.

The session is Flask's signed cookie: it holds the user's name and a random CSRF token.
Every unsafe request to a page (not ``/api/``, which uses bearer tokens and no cookies)
must send that token back, as the ``csrf_token`` form field or the ``X-CSRFToken`` header
that ``<body hx-headers>`` adds to every HTMX request; otherwise it is refused with 400.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import LabelsvcError
from labelsvc.services.logins import LoginLocked, log_in, log_out
from labelsvc.web.context import service
from labelsvc.web.ui.common import current_actor, form_text, require_login, station_name

bp = Blueprint("ui_auth", __name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRFToken"


@bp.record_once
def _configure(state: BlueprintSetupState) -> None:
    """Session cookies that scripts cannot read and other sites cannot send along."""
    state.app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    state.app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


def csrf_token() -> str:
    """This session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


@bp.before_app_request
def check_csrf() -> ResponseReturnValue | None:
    """Refuse an unsafe page request whose CSRF token is missing or wrong."""
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return None
    expected = session.get("csrf")
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    if isinstance(expected, str) and hmac.compare_digest(expected.encode(), sent.encode()):
        return None
    if request.endpoint not in ("ui_auth.login", "ui_auth.logout") and current_actor() is None:
        return require_login()  # the session ended: say "log in again", not "bad token"
    html = render_template("csrf_refused.html")
    return make_response(html, 400)


@bp.app_context_processor
def page_globals() -> dict[str, Any]:
    """What every page template may use: the user, the station, the CSRF token."""
    settings = service().settings
    return {
        "csrf_token": csrf_token,
        "me": current_actor(),
        "station": station_name(),
        "login_required": settings.server.login_required,
        "gs_substitute": settings.gs1.gs_substitute,
    }


def _safe_next(target: str | None) -> str:
    """Only a path on this site may follow a login (no open redirect)."""
    if not target:
        return url_for("ui_station.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("ui_station.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Ask for name and password; on success start a fresh session."""
    error, name, status = None, "", 200
    if request.method == "POST":
        name = form_text("name")
        try:
            done = log_in(service(), name, request.form.get("password", ""), request.remote_addr)
        except LoginLocked as exc:
            error, status = exc.detail, 429
        except LabelsvcError as exc:
            error, status = exc.detail, 503 if exc.kind == "unavailable" else 401
        else:
            session.clear()  # a new session id and CSRF token: no session fixation
            session["user"] = done.actor.name
            session["sid"] = done.secret
            session.permanent = False
            csrf_token()
            return redirect(_safe_next(request.args.get("next")))
    status = status if error else 200
    return render_template(
        "auth/login.html", error=error, name=name, next=request.args.get("next")
    ), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session, on the server too (the workstation keeps its station profile)."""
    secret = session.get("sid")
    if isinstance(secret, str):
        log_out(service(), secret, current_actor())
    session.clear()
    return redirect(url_for("ui_auth.login"))

"""What every page blueprint shares: the acting user, the station cookie, errors as partials."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Response, g, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import LabelsvcError
from labelsvc.services.logins import session_user
from labelsvc.services.users import user_actor
from labelsvc.web.context import service
from labelsvc.web.problems import STATUS

STATION_COOKIE = "labelsvc_station"
STATION_COOKIE_DAYS = 400  # browsers cap cookie lifetime at about 400 days
#: Who acts when ``server.login_required`` is false (allowed on loopback only).
LOCAL_ACTOR_NAME = "local"

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


def station_name() -> str | None:
    """The station profile this workstation remembers (a long-lived cookie)."""
    name = request.cookies.get(STATION_COOKIE, "").strip()
    return name or None


def current_actor() -> Actor | None:
    """The logged-in user (or the local user when logins are off), bound to this station."""
    if "actor" in g:
        found: Actor | None = g.actor
        return found
    actor = None
    name, secret = session.get("user"), session.get("sid")
    if isinstance(name, str):
        # The cookie alone proves nothing: its session must still exist on the server.
        live = session_user(service(), secret) if isinstance(secret, str) else None
        actor = user_actor(service().store, name, station=station_name()) if live == name else None
        if actor is None:
            session.clear()
    if actor is None and not service().settings.server.login_required:
        actor = Actor(name=LOCAL_ACTOR_NAME, kind="user", role="admin", station=station_name())
    g.actor = actor
    return actor


def actor() -> Actor:
    """The acting user of a view that requires a login (checked before the view ran)."""
    found = current_actor()
    assert found is not None, "login_required runs first"
    return found


def is_htmx() -> bool:
    """True when HTMX made this request (answer with a partial)."""
    return request.headers.get("HX-Request") == "true"


def return_to() -> str:
    """The page to come back to after a login: this one, or the page that sent a POST.

    A POST (a scan, a button) cannot be repeated by a redirect after the login, which would
    answer 405; the station page it came from can. Only its path is kept (no open redirect).
    """
    if request.method == "GET":
        return request.full_path.rstrip("?")
    for header in ("X-Scan-Page", "HX-Current-URL", "Referer"):
        parts = urlsplit(request.headers.get(header, ""))
        if parts.path.startswith("/") and not parts.path.startswith("//"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("ui_station.home")


def require_login() -> ResponseReturnValue | None:
    """A ``before_request`` hook: send anonymous visitors to the login page."""
    if current_actor() is not None:
        return None
    target = url_for("ui_auth.login", next=return_to())
    if is_htmx():
        response = make_response("", 401)
        if not request.headers.get("X-Poll"):  # a background poll must not leave the page
            response.headers["HX-Redirect"] = target
        response.headers["X-Session-Ended"] = "1"  # the scan queue keeps its scans
        return response
    return redirect(target)


def status_of(error: LabelsvcError) -> int:
    """The HTTP status of a core error (same mapping as the API's problems)."""
    return STATUS[error.kind]


def error_partial(error: LabelsvcError) -> Response:
    """The operator-facing message of a refused action, with the error's HTTP status."""
    html = render_template("partials/error.html", error=error)
    return make_response(html, status_of(error))


def shows_errors(view: F) -> F:
    """Turn a core error raised by an action into the message partial (or a page)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        try:
            return view(*args, **kwargs)
        except LabelsvcError as error:
            if is_htmx():
                return error_partial(error)
            html = render_template("error_page.html", error=error)
            return make_response(html, status_of(error))

    return wrapper  # type: ignore[return-value]


def form_text(name: str, default: str = "") -> str:
    """A stripped form field."""
    return (request.form.get(name) or default).strip()


def form_int(name: str, default: int | None = None) -> int | None:
    """A whole-number form field, or ``default`` when it is empty."""
    from labelsvc.domain.errors import InvalidInput

    text = form_text(name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(
            "form-invalid", f"'{name}' must be a whole number, not {text!r}.", field=name
        ) from None

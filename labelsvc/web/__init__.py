"""The Flask application factory: nothing happens at import time."""

from __future__ import annotations

import importlib
import secrets

from flask import Flask

from labelsvc.config import Settings, load_settings
from labelsvc.resources import resource
from labelsvc.services.app import App
from labelsvc.web.faults import install_fault_pages
from labelsvc.web.logs import install_request_log
from labelsvc.web.metrics import install_metrics
from labelsvc.web.ratelimit import RateLimiter
from labelsvc.web.security import install_security

# (module, blueprint attribute), registered in this order when the module exists in the tree.
BLUEPRINTS: list[tuple[str, str]] = [
    ("labelsvc.web.health", "bp"),
    ("labelsvc.web.metrics", "bp"),
    ("labelsvc.web.api", "bp"),
    ("labelsvc.web.ui.auth", "bp"),
    ("labelsvc.web.ui.station", "bp"),
    ("labelsvc.web.ui.receiving", "bp"),
    ("labelsvc.web.ui.packing", "bp"),
    ("labelsvc.web.ui.pick", "bp"),
    ("labelsvc.web.ui.returns", "bp"),
    ("labelsvc.web.ui.flow_dashboard", "bp"),
    ("labelsvc.web.ui.trace", "bp"),
    ("labelsvc.web.ui.locations", "bp"),
    ("labelsvc.web.ui.counting", "bp"),
    ("labelsvc.web.ui.admin", "bp"),
]


def create_app(settings: Settings | None = None, app: App | None = None) -> Flask:
    """Build the web application around one opened :class:`App`."""
    settings = settings or load_settings()
    service = app or App.open(settings)
    flask_app = Flask(
        __name__,
        template_folder=str(resource("templates")),
        static_folder="static",
    )
    flask_app.config["SECRET_KEY"] = _secret_key(settings, service)
    flask_app.config["MAX_CONTENT_LENGTH"] = settings.server.max_body_bytes
    flask_app.extensions["labelsvc"] = service
    limits = settings.limits
    flask_app.extensions["labelsvc.ratelimit"] = RateLimiter(
        limits.api_requests_per_second, limits.api_burst
    )
    install_request_log(flask_app)
    install_security(flask_app, settings.security.trusted_proxies)
    install_fault_pages(flask_app)
    install_metrics(flask_app)
    for module_name, attr in BLUEPRINTS:
        module = importlib.import_module(module_name)
        flask_app.register_blueprint(getattr(module, attr))
    return flask_app


def _secret_key(settings: Settings, service: App) -> str:
    """The configured key, or the site's key kept in the database.

    The database is what every instance of a site shares, so a session signed by one
    instance is valid on all of them; the first instance to start generates the key.
    """
    if settings.server.secret_key:
        return settings.server.secret_key
    with service.store.write() as tx:
        return tx.site.setting_once("session_secret", secrets.token_urlsafe(48))

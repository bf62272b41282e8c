"""The Flask application factory: nothing happens at import time."""

from __future__ import annotations

import importlib
import os
import secrets

from flask import Flask

from labelsvc.config import Settings, load_settings
from labelsvc.resources import resource
from labelsvc.services.app import App
from labelsvc.web.faults import install_fault_pages
from labelsvc.web.logs import install_request_log
from labelsvc.web.metrics import install_metrics
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
    ("labelsvc.web.ui.trace", "bp"),
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
    flask_app.config["SECRET_KEY"] = _secret_key(settings)
    flask_app.config["MAX_CONTENT_LENGTH"] = settings.server.max_body_bytes
    flask_app.extensions["labelsvc"] = service
    install_request_log(flask_app)
    install_security(flask_app, settings.security.trusted_proxies)
    install_fault_pages(flask_app)
    install_metrics(flask_app)
    for module_name, attr in BLUEPRINTS:
        module = importlib.import_module(module_name)
        flask_app.register_blueprint(getattr(module, attr))
    return flask_app


def _secret_key(settings: Settings) -> str:
    """The configured key, or one generated once into the data folder beside the database."""
    if settings.server.secret_key:
        return settings.server.secret_key
    key_file = settings.path(settings.storage.database).parent / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)  # never readable
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(48))
    return key_file.read_text(encoding="utf-8").strip()

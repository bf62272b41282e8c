"""Run the service: definitions loaded, print workers started, waitress serving."""

from __future__ import annotations

import logging

from labelsvc.domain.errors import InvalidInput
from labelsvc.services.app import App
from labelsvc.services.bootstrap import load_definitions
from labelsvc.services.print_queue import WorkerSet

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
log = logging.getLogger("labelsvc")


def check_binding(host: str, login_required: bool) -> None:
    """Refuse to serve pages without a login on anything but loopback."""
    if not login_required and host not in LOOPBACK:
        raise InvalidInput(
            "insecure-bind",
            f"Refusing to listen on {host} with server.login_required = false: anyone on the "
            "network could print and void labels. Bind to 127.0.0.1 or require logins.",
        )


def run_server(app: App, host: str | None = None, port: int | None = None) -> None:
    """Serve until interrupted."""
    import waitress

    from labelsvc.web import create_app

    settings = app.settings
    host = host or settings.server.host
    port = port or settings.server.port
    check_binding(host, settings.server.login_required)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    load_definitions(app)
    flask_app = create_app(settings, app)
    app.store.start_checkpointer()
    workers = _start_workers(app)
    log.info("labelsvc listening on http://%s:%s/", host, port)
    try:
        waitress.serve(flask_app, host=host, port=port, threads=settings.server.threads)
    finally:
        if workers is not None:
            workers.stop()
        app.store.stop_checkpointer()


def _start_workers(app: App) -> WorkerSet | None:
    """Start the print workers in this process unless config says another process runs them."""
    if not app.settings.printing.start_workers:
        return None
    return WorkerSet(app).start()

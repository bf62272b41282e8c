"""Run the service: recovery, print workers started, waitress serving.

The database is the one source of truth for pools, printers and templates: ``serve`` does
not re-read their files (``labelsvc init`` and the ``... load`` commands import them), so an
admin's change made on any instance stays made.
"""

from __future__ import annotations

import logging

from labelsvc.domain.actors import SYSTEM
from labelsvc.domain.errors import InvalidInput
from labelsvc.services.allocation import recover_abandoned
from labelsvc.services.app import App
from labelsvc.services.instances import Heartbeat
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
    undone = recover_abandoned(app.store, SYSTEM)
    if undone:
        log.warning("rolled back %d allocation(s) whose writer died: %s", len(undone), undone)
    flask_app = create_app(settings, app)
    app.store.start_checkpointer()
    workers = _start_workers(app)
    heartbeat = Heartbeat(app, f"{host}:{port}").start()
    log.info(
        "labelsvc listening on http://%s:%s/ (store %s %s)",
        host, port, app.store.kind, app.store.describe(),
    )  # fmt: skip
    try:
        waitress.serve(flask_app, host=host, port=port, threads=settings.server.threads)
    finally:
        heartbeat.stop()
        if workers is not None:
            workers.stop()
        app.store.stop_checkpointer()


def _start_workers(app: App) -> WorkerSet | None:
    """Start the print workers in this process unless config says another process runs them."""
    if not app.settings.printing.start_workers:
        return None
    return WorkerSet(app).start()

"""Run the service: recovery, port bound, print workers started, waitress serving.

The database is the one source of truth for pools, printers and templates: ``serve`` does
not re-read their files (``labelsvc init`` and the ``... load`` commands import them), so an
admin's change made on any instance stays made.

The order matters. The port is bound before anything starts that sends labels: a ``serve``
that cannot listen (the port is taken) says so in one line and exits without having sent a
job. SIGTERM (what systemd and container runtimes send) stops it the way Ctrl-C does: the
listening socket closes, requests in progress are answered, each print worker finishes the
send it is in, queued jobs stay queued for the next start, and the exit status is 0.
"""

from __future__ import annotations

import errno
import logging
import signal
from types import FrameType
from typing import Any

from labelsvc.domain.actors import SYSTEM
from labelsvc.domain.errors import InvalidInput, Unavailable
from labelsvc.services.allocation import recover_abandoned
from labelsvc.services.app import App
from labelsvc.services.housekeeping import Housekeeper
from labelsvc.services.instances import Heartbeat
from labelsvc.services.print_queue import WorkerSet
from labelsvc.services.site_worker import SiteWorker
from labelsvc.services.webhooks_dispatch import Dispatcher
from labelsvc.web.logs import configure_logging

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


def bind(flask_app: Any, host: str, port: int, threads: int, *, proxies: bool = False) -> Any:
    """The waitress server listening on ``host:port``; a clear error if it cannot listen.

    With ``proxies`` waitress passes ``X-Forwarded-*`` on, and the app believes them only
    from ``security.trusted_proxies`` (:mod:`labelsvc.web.security`); else it drops them.
    """
    import waitress.server

    try:
        return waitress.server.create_server(
            flask_app, host=host, port=port, threads=threads,
            clear_untrusted_proxy_headers=not proxies,
        )  # fmt: skip
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Unavailable(
                "port-in-use",
                f"Port {port} on {host} is already in use (another 'labelsvc serve'?). Stop "
                "that program, or choose another port with --port or server.port.",
            ) from exc
        if exc.errno in (errno.EACCES, errno.EADDRNOTAVAIL):
            raise Unavailable(
                "cannot-listen",
                f"Cannot listen on {host}:{port}: {exc.strerror}. Ports below 1024 need "
                "privileges; the address must belong to this machine.",
            ) from exc
        raise


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Turn the first SIGTERM into the KeyboardInterrupt that Ctrl-C raises; ignore repeats."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    log.info("SIGTERM: stopping (finishing the labels being sent)")
    raise KeyboardInterrupt


def run_server(
    app: App, host: str | None = None, port: int | None = None, warning: str | None = None
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), then drain; log ``warning`` first."""
    from labelsvc.web import create_app

    settings = app.settings
    host = host or settings.server.host
    port = port or settings.server.port
    check_binding(host, settings.server.login_required)
    configure_logging(settings.server.log_format, settings.server.log_level)
    if warning:
        log.warning("%s", warning)
    try:
        undone = recover_abandoned(app.store, SYSTEM)
        if undone:
            log.warning("rolled back %d allocation(s) whose writer died: %s", len(undone), undone)
    except Unavailable as exc:  # a full disk: serve what the store holds, and say so once
        if not warning:
            log.warning("%s (abandoned allocations are rolled back at the next start)", exc.detail)
    flask_app = create_app(settings, app)
    proxies = bool(settings.security.trusted_proxies.strip())
    server = bind(flask_app, host, port, settings.server.threads, proxies=proxies)
    log.info(
        "listening on http://%s:%s/ (site %s, store %s %s)",
        host, port, settings.base_dir, app.store.kind, app.store.describe(),
    )  # fmt: skip
    heartbeat = Heartbeat(app, f"{host}:{port}").start()
    app.store.start_checkpointer()
    app.background["checkpoint"] = lambda: app.store.checkpoint_error
    previous = signal.signal(signal.SIGTERM, _interrupt)
    workers, housekeeper = None, Housekeeper(app).start()
    app.background["housekeeping"] = housekeeper.problem
    dispatcher = Dispatcher(app).start() if settings.webhooks.start_dispatcher else None
    if dispatcher is not None:
        app.background["webhooks"] = dispatcher.problem
    site_worker = SiteWorker(app).start() if settings.leases.start_site_worker else None
    if site_worker is not None:
        app.background["site-worker"] = site_worker.problem
    try:
        workers = _start_workers(app)
        if workers is not None:
            app.background["print-workers"] = workers.problem
        server.run()  # returns after Ctrl-C / SIGTERM, once requests in progress are answered
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        heartbeat.stop()
        if workers is not None:
            workers.stop()
        housekeeper.stop()
        if site_worker is not None:
            site_worker.stop()
        if dispatcher is not None:
            dispatcher.stop()
        app.store.stop_checkpointer()
        signal.signal(signal.SIGTERM, previous)
        log.info("stopped")


def _start_workers(app: App) -> WorkerSet | None:
    """Start the print workers in this process unless config says another process runs them."""
    if not app.settings.printing.start_workers:
        return None
    return WorkerSet(app).start()

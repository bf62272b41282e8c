"""This process as one of several instances on a store: its id and its heartbeat."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from labelsvc import __version__
from labelsvc.services.app import App
from labelsvc.store.clock import now
from labelsvc.store.site import InstanceRow

log = logging.getLogger(__name__)
INSTANCE_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
STARTED_AT = now()


def report_in(app: App, listen: str) -> None:
    """Record (or refresh) this instance in the store, for health and the admin pages."""
    with app.store.write() as tx:
        tx.site.heartbeat(
            InstanceRow(
                id=INSTANCE_ID, host=socket.gethostname(), pid=os.getpid(), listen=listen,
                version=__version__, started_at=STARTED_AT, seen_at=now(),
            )
        )  # fmt: skip


def live_instances(app: App, within_seconds: float = 120) -> list[InstanceRow]:
    """Instances that reported in recently."""
    since = (datetime.now(UTC) - timedelta(seconds=within_seconds)).isoformat(
        timespec="milliseconds"
    )
    with app.store.read() as tx:
        return tx.site.instances(since)


def sign_off(app: App) -> None:
    """Remove this instance from the list when it stops cleanly."""
    with app.store.write() as tx:
        tx.site.forget_instance(INSTANCE_ID)


class Heartbeat:
    """Reports this instance every ``interval`` seconds while it serves."""

    def __init__(self, app: App, listen: str, interval: float = 30.0) -> None:
        self.app, self.listen, self.interval = app, listen, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="instance-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        try:
            sign_off(self.app)
        except Exception:
            log.warning("could not remove instance %s from the store", INSTANCE_ID)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report_in(self.app, self.listen)
            except Exception:
                log.warning("instance heartbeat failed; trying again in %.0f s", self.interval)
            self._stop.wait(self.interval)

"""This process as one of several instances on a store: its id and its heartbeat."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from labelsvc import __version__
from labelsvc.services.app import App
from labelsvc.store.clock import now
from labelsvc.store.site import InstanceRow

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

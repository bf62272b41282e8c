"""The serving process's site worker: keep supplied pools stocked and the authority told.

Each round refills leased pools below their low-water mark, expires lapsed blocks (their
free values go back through the outbox) and refills list pools from their issuers; every
``leases.report_seconds`` it puts the use of leased and issued serials in the outbox. A step
that fails (the authority, an issuer or the WAN is down) is tried again next round, and
labelling goes on from what the site holds: an unreachable partner is a note in the log and
in ``labelsvc lease status``, not an unhealthy service.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from labelsvc.domain.errors import LabelsvcError
from labelsvc.services.app import App
from labelsvc.services.issuer_client import refill_from_issuers
from labelsvc.services.lease_report import report_usage
from labelsvc.services.lease_returns import expire_leases
from labelsvc.services.lease_site import refill_leases

log = logging.getLogger(__name__)

Step = Callable[[App], int]
STOCK_STEPS: dict[str, Step] = {
    "refill leases": refill_leases,
    "expire leases": expire_leases,
    "refill from issuers": refill_from_issuers,
}
REPORT_STEPS: dict[str, Step] = {"report usage": report_usage}


def sync_once(app: App) -> dict[str, int | str]:
    """One round of every step: what each did, or why it could not (for ``lease sync``)."""
    done: dict[str, int | str] = {}
    for name, step in {**STOCK_STEPS, **REPORT_STEPS}.items():
        try:
            done[name] = step(app)
        except LabelsvcError as exc:
            done[name] = f"{exc.code}: {exc.detail}"
    return done


class SiteWorker:
    """Runs the stock steps every ``poll_seconds`` and the report every ``report_seconds``."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.cfg = app.settings.leases
        self.last_error: str | None = None
        self.notes: dict[str, str] = {}  # step -> why it could not run (partner away)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SiteWorker:
        """Start the thread (a daemon: it never delays exit)."""
        self._thread = threading.Thread(target=self._run, name="site-worker", daemon=True)
        self._thread.start()
        return self

    def problem(self) -> str | None:
        """What is wrong with the worker itself (None while it runs its rounds)."""
        if self._thread is None or not self._thread.is_alive():
            return "the site worker is not running"
        return self.last_error

    def round(self, steps: dict[str, Step]) -> None:
        """Run ``steps``; a partner that is away is noted once per outage, never raised."""
        failed = None
        for name, step in steps.items():
            try:
                step(self.app)
            except LabelsvcError as exc:
                if name not in self.notes:
                    log.warning("%s: %s (trying again)", name, exc.detail)
                self.notes[name] = exc.detail
                continue
            except Exception as exc:
                failed = f"{name}: {type(exc).__name__}: {exc}"
                if self.last_error is None:
                    log.exception("site worker: %s failed, trying again later", name)
                continue
            if self.notes.pop(name, None) is not None:
                log.info("%s: working again", name)
        self.last_error = failed

    def _run(self) -> None:
        due = {"stock": 0.0, "report": 0.0}
        every = {"stock": self.cfg.poll_seconds, "report": self.cfg.report_seconds}
        steps = {"stock": STOCK_STEPS, "report": REPORT_STEPS}
        try:
            while not self._stop.is_set():
                for kind in ("stock", "report"):
                    if time.monotonic() >= due[kind]:
                        self.round(steps[kind])
                        due[kind] = time.monotonic() + every[kind]
                self._stop.wait(max(0.01, min(due.values()) - time.monotonic()))
        finally:
            self.app.store.close()

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

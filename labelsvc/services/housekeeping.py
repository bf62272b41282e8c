"""The serving process's housekeeping thread: purge old label data now and then.

It never dies of an error (a full disk, a locked store): it logs the first failure of an
outage, says so in ``/api/v1/health`` and tries again on its next round.
"""

from __future__ import annotations

import logging
import threading

from labelsvc.services.app import App
from labelsvc.services.maintenance import purge_label_data
from labelsvc.services.reserve import keep_reserve

log = logging.getLogger(__name__)


class Housekeeper:
    """Runs :func:`purge_label_data` at start and every ``interval`` seconds."""

    def __init__(self, app: App, interval: float = 3600.0) -> None:
        self.app = app
        self.interval = interval
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Housekeeper:
        """Start the thread (a daemon: it never delays exit)."""
        self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)
        self._thread.start()
        return self

    def problem(self) -> str | None:
        """What is wrong (None when the last round worked)."""
        if self._thread is None or not self._thread.is_alive():
            return "the housekeeping thread is not running"
        return self.last_error

    def round(self) -> None:
        """One round; errors are recorded, never raised."""
        try:
            if self.app.store.kind == "sqlite":
                keep_reserve(self.app.store.path.parent)
            purged = purge_label_data(self.app)
        except Exception as exc:
            if self.last_error is None:
                log.warning("housekeeping failed, trying again later: %s", exc)
            self.last_error = f"{type(exc).__name__}: {exc}"
            return
        self.last_error = None
        if purged:
            log.info("dropped the stored label data of %d finished job(s)", purged)

    def _run(self) -> None:
        try:
            self.round()
            while not self._stop.wait(self.interval):
                self.round()
        finally:
            self.app.store.close()

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

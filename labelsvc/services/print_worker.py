"""The worker of one printer: takes its jobs in order and settles each one exactly once.

See :mod:`labelsvc.services.print_queue` for the rules; this module carries them out.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from labelsvc.domain.errors import Conflict, LabelsvcError
from labelsvc.printing import PrinterStatus, Transport, TransportError
from labelsvc.services.app import App
from labelsvc.services.commissioning import commission_first_labels
from labelsvc.services.label_render import render_job
from labelsvc.services.printers import transport_for
from labelsvc.store import Tx
from labelsvc.store.clock import now
from labelsvc.store.jobs import WAITING, Job

log = logging.getLogger(__name__)

CONFIRM_HINT = (
    " — the printer may have printed part of it: check, then confirm printed, or not printed"
    " to send it again"
)


def record_sent(tx: Tx, job: Job, actor: str) -> None:
    """The items of a sent job count as printed: state, print count and one event each."""
    if not job.item_ids:
        return
    commission_first_labels(tx, job, actor)
    tx.items.mark_printed(job.item_ids)
    details: dict[str, object] = {"job": job.id, "printer": job.printer}
    if job.reprint:
        details["reason"] = job.reason
    tx.events.append_many(
        "reprinted" if job.reprint else "printed",
        job.item_ids,
        actor=actor,
        station=job.station,
        details=details,
    )


def _seconds_until(stamp: str) -> float:
    return max(0.0, (datetime.fromisoformat(stamp) - datetime.fromisoformat(now())).total_seconds())


class PrinterWorker(threading.Thread):
    """Sends one printer's jobs, one at a time, oldest first."""

    def __init__(
        self,
        app: App,
        printer: str,
        *,
        owner: str,
        actor: str,
        lease_seconds: float,
        poll_seconds: float,
    ) -> None:
        super().__init__(name=f"print-{printer}", daemon=True)
        self.app, self.printer, self.owner, self.actor = app, printer, owner, actor
        self.lease_seconds, self.poll_seconds = lease_seconds, poll_seconds
        self.failures = 0
        self._event = threading.Event()
        self._stopping = threading.Event()
        cfg = app.settings.printing
        self.hold_poll = min(cfg.retry_max_seconds, max(cfg.retry_base_seconds, 2.0))

    def wake(self) -> None:
        """Look for jobs now."""
        self._event.set()

    def stop(self) -> None:
        """Finish the job in hand, then end."""
        self._stopping.set()
        self._event.set()

    def backoff(self) -> float:
        """The next retry delay: doubling from the base up to the maximum."""
        cfg = self.app.settings.printing
        return float(
            min(cfg.retry_base_seconds * 2 ** max(0, self.failures - 1), cfg.retry_max_seconds)
        )

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._event.clear()
                try:
                    wait = self.step()
                except Exception:
                    log.exception("print worker for %s failed a round; retrying", self.printer)
                    self.failures += 1
                    wait = self.backoff()
                if wait != 0:
                    self._event.wait(self.poll_seconds if wait is None else wait)
        finally:
            self.app.store.close()

    def step(self) -> float | None:
        """Handle the oldest waiting job; return seconds to wait (None: idle, 0: go on)."""
        with self.app.store.read() as tx:
            job = tx.jobs.next_waiting(self.printer)
            row = tx.printers.get(self.printer)
        if job is None:
            return None
        if job.next_attempt_at and job.next_attempt_at > now():
            return min(_seconds_until(job.next_attempt_at), self.poll_seconds)
        if row is None:
            self._settle(
                job.id,
                "failed",
                WAITING,
                error=(
                    f"printer {self.printer} is not defined — add printers/{self.printer}.toml,"
                    " restart, then retry the job"
                ),
            )
            return 0
        transport = transport_for(self.app, row)
        try:
            try:
                status = transport.status()
            except TransportError as exc:
                return self._unreachable(job, exc)
            if status is not None and not status.ok:
                return self._hold(job, status)
            return self._send(job, transport)
        finally:
            transport.close()

    def _unreachable(self, job: Job, exc: TransportError) -> float:
        self.failures += 1
        delay = self.backoff()
        with self.app.store.write() as tx:
            tx.jobs.note(job.id, error=exc.detail, retry_in=delay)
            tx.printers.set_status(self.printer, "unreachable", exc.detail)
        return delay

    def _hold(self, job: Job, status: PrinterStatus) -> float:
        with self.app.store.write() as tx:
            tx.printers.set_status(self.printer, "problem", status.detail)
            if job.state == "queued":
                try:
                    tx.jobs.move(
                        job.id,
                        "held",
                        actor=self.actor,
                        expect=("queued",),
                        error=status.detail,
                        retry_in=self.hold_poll,
                    )
                except Conflict:
                    return 0
            elif job.last_error != status.detail:
                tx.jobs.move(
                    job.id,
                    "held",
                    actor=self.actor,
                    expect=("held",),
                    error=status.detail,
                    retry_in=self.hold_poll,
                )
            else:
                tx.jobs.note(job.id, error=status.detail, retry_in=self.hold_poll)
        return self.hold_poll

    def _send(self, job: Job, transport: Transport) -> float:
        with self.app.store.write() as tx:
            claimed = tx.jobs.claim(
                job.id, owner=self.owner, lease_seconds=self.lease_seconds, actor=self.actor
            )
            payload = tx.jobs.payload(job.id) if claimed and claimed.render is None else b""
        if claimed is None:  # taken by another process, or another of its jobs is sending
            return min(self.poll_seconds, 0.5)
        if claimed.render is not None:
            rendered = self._render(claimed)
            if rendered is None:
                return self.backoff()
            payload = rendered
        try:
            transport.send(payload, tag=f"job-{job.id}")
        except TransportError as exc:
            if exc.partial:
                self._settle(
                    job.id, "needs-confirmation", ("sending",), error=exc.detail + CONFIRM_HINT
                )
                return 0
            self.failures += 1
            delay = self.backoff()
            self._settle(
                job.id,
                "queued",
                ("sending",),
                error=exc.detail,
                retry_in=delay,
                printer_status=("unreachable", exc.detail),
            )
            return delay
        except Exception as exc:
            log.exception("unexpected error sending job %s", job.id)
            self._settle(
                job.id,
                "needs-confirmation",
                ("sending",),
                error=f"unexpected error while sending ({exc!r})" + CONFIRM_HINT,
            )
            return 0
        self.failures = 0
        self._settle(job.id, "sent", ("sending",), printer_status=("ok", "ready"))
        return 0

    def _render(self, job: Job) -> bytes | None:
        """Render a deferred job and keep its bytes; on failure hand the job back unsent."""
        try:
            payload = render_job(self.app, job)
            with self.app.store.write() as tx:
                tx.jobs.store_payload(job.id, payload, job.label_count)
            return payload
        except LabelsvcError as exc:
            permanent = exc.kind in ("invalid", "not-found")
            self.failures += 0 if permanent else 1
            self._settle(
                job.id, "failed" if permanent else "queued", ("sending",),
                error=f"the labels could not be rendered: {exc.detail}",
                retry_in=None if permanent else self.backoff(),
            )  # fmt: skip
            return None

    def _settle(
        self,
        job_id: int,
        to: str,
        expect: tuple[str, ...],
        *,
        error: str | None = None,
        retry_in: float | None = None,
        printer_status: tuple[str, str] | None = None,
    ) -> None:
        """Move a job on in one transaction; a claim lost meanwhile is logged, not raised."""
        try:
            with self.app.store.write() as tx:
                owner = self.owner if expect == ("sending",) else None
                job = tx.jobs.move(
                    job_id,
                    to,
                    actor=self.actor,
                    expect=expect,
                    owner=owner,
                    error=error,
                    retry_in=retry_in,
                )
                if to == "sent":
                    record_sent(tx, job, job.requested_by)
                if printer_status is not None:
                    tx.printers.set_status(self.printer, *printer_status)
        except Conflict as exc:
            log.warning("job %s was not moved to %s: %s", job_id, to, exc.detail)

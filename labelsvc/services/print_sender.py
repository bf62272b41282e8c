"""The worker of one printer: takes its jobs in order and settles each one exactly once.

See :mod:`labelsvc.services.print_queue` for the rules; this module carries them out.
Settling is retried until the store takes it, so one failed write (a locked or full
database) never leaves a job ``sending`` and the printer's queue stuck.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from labelsvc.domain.errors import Conflict, LabelsvcError
from labelsvc.printing import PrinterStatus, Transport, TransportError
from labelsvc.printing.cups import CupsQueue
from labelsvc.printing.tcp9100 import Tcp9100
from labelsvc.services.app import App
from labelsvc.services.label_render import render_stream
from labelsvc.services.print_confirm import (
    Evidence,
    await_counter,
    await_cups,
    await_drained,
    counter_or_none,
)
from labelsvc.services.print_worker import (
    CONFIRM_HINT,
    MISSING_HINT,
    after_move,
    counted_state,
    publish,
)
from labelsvc.services.printers import identity_mismatch, poll_printer, transport_for
from labelsvc.store import Tx
from labelsvc.store.clock import now
from labelsvc.store.jobs import MISSING, WAITING, Job
from labelsvc.store.printers import PrinterRow

log = logging.getLogger(__name__)

PROBE_SECONDS = 1.0  # how often a printer that is away is asked whether it is back


def _seconds_until(stamp: str) -> float:
    return max(0.0, (datetime.fromisoformat(stamp) - datetime.fromisoformat(now())).total_seconds())


def _chunks(first: bytes, rest: Iterator[bytes], sink: list[bytes]) -> Iterable[bytes]:
    """The rendered pieces, kept in ``sink`` as they go out (the job's stored payload)."""
    sink.append(first)
    yield first
    for piece in rest:
        sink.append(piece)
        yield piece


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
        self.current: int | None = None  # the job being sent or settled right now
        self.failed_round: str | None = None  # why the last round failed (None: it did not)
        self._event = threading.Event()
        self._stopping = threading.Event()
        self._probed = 0.0
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
                    self.failed_round = None
                except Exception as exc:
                    if self.failed_round is None:  # once per outage, not every round
                        log.exception("print worker for %s failed a round; retrying",
                                      self.printer)  # fmt: skip
                    self.failed_round = f"{type(exc).__name__}: {exc}"
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
        if row is None:
            self._settle(
                job,
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
            if job.next_attempt_at and job.next_attempt_at > now():
                wait = min(_seconds_until(job.next_attempt_at), self.poll_seconds)
                if row.status not in ("unreachable", "fault") or not self._probe_due():
                    return wait
                # the printer was away: ask it now rather than wait out the backoff
                if self._ask(transport) is None:
                    return min(wait, PROBE_SECONDS)
            if row.identity is None and isinstance(transport, Tcp9100):
                row = self._identify(row)  # what is this printer? asked before its first job
            mismatch = identity_mismatch(row)
            if mismatch is not None:
                return self._hold(job, PrinterStatus(ok=False, problems=[mismatch]), "mismatch")
            try:
                status = transport.status()
            except TransportError as exc:
                return self._unreachable(job, exc)
            if status is not None and not status.ok:
                return self._hold(job, status)
            return self._send(job, transport)
        finally:
            transport.close()

    def _identify(self, row: PrinterRow) -> PrinterRow:
        """Read the printer's identity (``~HI``, print width) into its row."""
        try:
            poll_printer(self.app, row)
        except Exception as exc:  # the send path reports the printer's state itself
            log.warning("could not identify printer %s: %s", self.printer, exc)
        with self.app.store.read() as tx:
            return tx.printers.get(self.printer) or row

    def _probe_due(self) -> bool:
        if time.monotonic() - self._probed < PROBE_SECONDS:
            return False
        self._probed = time.monotonic()
        return True

    def _ask(self, transport: Transport) -> PrinterStatus | None:
        """A status answer (ready or not), or None while the printer is away or faulty."""
        try:
            status = transport.status()
        except TransportError:
            return None
        finally:
            transport.close()
        return status or PrinterStatus(ok=True, reported=False)

    def _unreachable(self, job: Job, exc: TransportError) -> float:
        self.failures += 1
        delay = self.backoff()
        state = "fault" if exc.code == "printer-garbage" else "unreachable"
        self._write(
            lambda tx: (
                tx.jobs.note(job.id, error=exc.detail, retry_in=delay),
                tx.printers.set_status(self.printer, state, exc.detail),
            )
        )
        return delay

    def _hold(self, job: Job, status: PrinterStatus, state: str = "problem") -> float:
        def write(tx: Tx) -> None:
            tx.printers.set_status(self.printer, state, status.detail)
            if job.state == "queued" or job.last_error != status.detail:
                held = tx.jobs.move(
                    job.id,
                    "held",
                    actor=self.actor,
                    expect=(job.state,),
                    error=status.detail,
                    retry_in=self.hold_poll,
                )
                publish(tx, held)
            else:
                tx.jobs.note(job.id, error=status.detail, retry_in=self.hold_poll)

        try:
            self._write(write)
        except Conflict:
            return 0
        return self.hold_poll

    def _send(self, job: Job, transport: Transport) -> float:
        try:
            before = counter_or_none(transport) if isinstance(transport, Tcp9100) else None
        except TransportError as exc:
            return self._unreachable(job, exc)
        with self.app.store.write() as tx:
            claimed = tx.jobs.claim(
                job.id, owner=self.owner, lease_seconds=self.lease_seconds, actor=self.actor
            )
            if claimed is not None and before is not None:
                tx.jobs.set_counter(job.id, before)
            payload = tx.jobs.payload(job.id) if claimed and claimed.render is None else b""
        if claimed is None:  # taken by another process, or another of its jobs is sending
            return min(self.poll_seconds, 0.5)
        self.current = claimed.id
        try:
            return self._deliver(claimed, transport, payload, before)
        finally:
            self.current = None

    def _deliver(self, job: Job, transport: Transport, payload: bytes, before: int | None) -> float:
        sent: list[bytes] = []
        try:
            data: Iterable[bytes] = [payload]
            if job.render is not None:
                stream = render_stream(self.app, job)
                data = _chunks(next(stream, b""), stream, sent)
            if isinstance(transport, Tcp9100):
                transport.send(data, tag=f"job-{job.id}")
            else:
                transport.send(b"".join(data), tag=f"job-{job.id}")
        except TransportError as exc:
            if exc.partial:
                return self._confirm(job, transport, before, [], broke=exc.detail)
            self.failures += 1
            delay = self.backoff()
            self._settle(
                job,
                "queued",
                ("sending",),
                error=exc.detail,
                retry_in=delay,
                printer_status=("unreachable", exc.detail),
            )
            return delay
        except LabelsvcError as exc:  # the labels could not be rendered
            if sent:  # the pieces before went out: settle what printed
                return self._confirm(job, transport, before, [], broke=exc.detail)
            permanent = exc.kind in ("invalid", "not-found")
            self.failures += 0 if permanent else 1
            self._settle(
                job,
                "failed" if permanent else "queued",
                ("sending",),
                error=f"the labels could not be rendered: {exc.detail}",
                retry_in=None if permanent else self.backoff(),
            )
            return 0 if permanent else self.backoff()
        except Exception as exc:
            log.exception("unexpected error sending job %s", job.id)
            self._settle(
                job,
                "needs-confirmation",
                ("sending",),
                error=f"unexpected error while sending ({exc!r})" + CONFIRM_HINT,
            )
            return 0
        self.failures = 0
        return self._confirm(job, transport, before, sent)

    def _confirm(
        self,
        job: Job,
        transport: Transport,
        before: int | None,
        sent: list[bytes],
        broke: str | None = None,
    ) -> float:
        """Ask the printer what printed and settle the job by its answer."""
        quiet = self.app.settings.printing.confirm_quiet_seconds
        count = job.label_count
        if before is not None:
            evidence = await_counter(transport, before, count, quiet=quiet)
        elif broke is None and isinstance(transport, Tcp9100):
            evidence = await_drained(transport, count, quiet=quiet)
        elif broke is None and isinstance(transport, CupsQueue) and transport.last_job:
            evidence = await_cups(transport, transport.last_job, count, quiet=quiet)
        elif broke is None:
            evidence = Evidence(count, "the transport cannot tell what printed; sent whole")
        else:
            evidence = Evidence(None, "no label counter")
        payload = b"".join(sent) if sent else None
        details = evidence.details(count)
        if evidence.printed is None:
            why = broke or evidence.how
            self._settle(
                job,
                "needs-confirmation",
                ("sending",),
                error=why + CONFIRM_HINT,
                details=details,
                payload=payload,
            )
        elif evidence.printed == count:
            self._settle(
                job,
                counted_state(evidence, count),
                ("sending",),
                details=details,
                printed=count,
                payload=payload,
                printer_status=("ok", "ready"),
            )
        else:
            to = counted_state(evidence, count)
            why = (
                f"the printer printed {evidence.printed} of {count} labels"
                f" (label counter {evidence.before} -> {evidence.after})"
                + (f"; {broke}" if broke else "")
                + MISSING_HINT
            )
            self._settle(
                job,
                to,
                ("sending",),
                error=why,
                details=details,
                printed=evidence.printed,
                payload=payload,
            )
        return 0

    def _write(self, change: Any, attempts: int | None = None) -> None:
        """Run ``change(tx)`` in a write transaction, retried while the store refuses it.

        A state conflict is the answer and is raised; anything else (locked, disk full,
        connection lost) is retried with backoff until it succeeds or the worker stops.
        """
        delay, tried = 0.05, 0
        while True:
            try:
                with self.app.store.write() as tx:
                    change(tx)
                return
            except Conflict:
                raise
            except Exception as exc:
                tried += 1
                if self._stopping.is_set() or (attempts is not None and tried >= attempts):
                    raise
                if tried == 1:
                    log.warning(
                        "printer %s: could not record a job's state (%s); retrying",
                        self.printer,
                        exc,
                    )
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _settle(
        self,
        job: Job,
        to: str,
        expect: tuple[str, ...],
        *,
        error: str | None = None,
        retry_in: float | None = None,
        printer_status: tuple[str, str] | None = None,
        details: dict[str, Any] | None = None,
        printed: int | None = None,
        payload: bytes | None = None,
    ) -> None:
        """Move a job on in one transaction, retried until stored; a lost claim is logged."""

        def change(tx: Tx) -> None:
            owner = self.owner if expect == ("sending",) else None
            if payload is not None:
                tx.jobs.store_payload(job.id, payload, job.label_count)
            if printed is not None:
                tx.jobs.set_printed(job.id, printed)
            moved = tx.jobs.move(job.id, to, actor=self.actor, expect=expect, owner=owner,
                                 error=error, retry_in=retry_in, details=details)  # fmt: skip
            after_move(tx, moved, printed)
            if printer_status is not None:
                tx.printers.set_status(self.printer, *printer_status)

        try:
            self._write(change)
        except Conflict as exc:
            log.warning("job %s was not moved to %s: %s", job.id, to, exc.detail)
            return
        if to in MISSING and self.app.settings.printing.resend_missing:
            from labelsvc.services.print_orphans import queue_missing

            try:
                queue_missing(self.app, job.id, actor=self.actor, by_setting=True)
            except Conflict as exc:  # labels not known one by one: a person decides
                log.warning("job %s: missing labels not queued: %s", job.id, exc.detail)
            self.wake()

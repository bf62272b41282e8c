"""The print queue: jobs in the database, one worker per printer, nothing lost or doubled.

Job granularity: a job is one request's labels, cut into chunks of at most
:data:`CHUNK_LABELS` (1,000). Per job the queue pays a claim and a settle transaction, a
``~HS`` and a label counter round trip and a connection, a few ms together; a printer needs
far longer than that for a chunk, so the queue stays printer-bound
(benchmarks/bench_printing.py). What a broken send leaves is settled from the printer's
label counter (which labels printed, which did not); only a printer that cannot count
leaves a chunk for a person to confirm.

Delivery rules:
- a worker claims a job (``queued``/``held`` → ``sending``) in one ``BEGIN IMMEDIATE``
  transaction, as owner ``host:pid:token`` with a lease it renews while it runs, and only
  when no other job of that printer is being sent, so jobs leave in order;
- nothing sent (refused connection...) → back to ``queued`` with backoff;
- sent, whole or broken off → the printer is asked what it printed (its label counter, or
  ``~HS`` once its buffer is empty): ``printed``, ``partly-printed`` (the first N) or
  ``not-printed``; the missing labels print again only when a person asks
  (:func:`print_missing`) or the setting ``printing.resend_missing`` says so; a printer that
  cannot say → ``needs-confirmation``, never resent by itself;
- printer reports paper out / head open / paused → ``held`` with the reason, sent once clear;
- a ``sending`` job whose owner is gone (dead pid, lapsed lease) → ``needs-confirmation``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, LabelsvcError, NotFound
from labelsvc.services.app import App
from labelsvc.services.owners import LIVE_TOKENS
from labelsvc.services.print_orphans import queue_missing, recover_orphans
from labelsvc.services.print_sender import PrinterWorker
from labelsvc.services.print_worker import WORKER_ACTOR, publish, record_sent
from labelsvc.services.printers import poll_printer, stuck_printers
from labelsvc.store import Tx
from labelsvc.store.events import EventRow
from labelsvc.store.jobs import Job, later

log = logging.getLogger(__name__)

CHUNK_LABELS = 1000
__all__ = ["CHUNK_LABELS", "WORKER_ACTOR", "WorkerSet", "queue_missing", "recover_orphans"]


def enqueue_labels(
    tx: Tx,
    *,
    printer: str,
    template: str,
    labels: Sequence[bytes] | None = None,
    item_ids: Sequence[Sequence[int]] | None = None,
    render: dict[str, object] | None = None,
    requested_by: str,
    station: str | None = None,
    reprint: bool = False,
    reason: str | None = None,
    batch: str | None = None,
    chunk: int = CHUNK_LABELS,
) -> list[int]:
    """Queue labels in the caller's transaction as jobs of ``chunk`` labels.

    Either rendered ``labels`` (``item_ids[i]`` are the items label ``i`` carries), or only
    ``item_ids`` with a ``render`` spec: then the worker renders each job from the committed
    rows before it sends it. Call :func:`notify` after commit.
    """
    count = len(labels) if labels is not None else len(item_ids or [])
    ids = []
    for start in range(0, count, chunk):
        part = (item_ids or [])[start : start + chunk]
        payload = b"".join(labels[start : start + chunk]) if labels is not None else b""
        ids.append(
            tx.jobs.create(
                printer=printer,
                template=template,
                payload=payload,
                item_ids=[i for per in part for i in per],
                label_count=min(chunk, count - start),
                requested_by=requested_by,
                station=station,
                reprint=reprint,
                reason=reason,
                batch=batch,
                render=render if labels is None else None,
            )
        )
    return ids


JOBS_CHANNEL = "labelsvc_jobs"  # PostgreSQL NOTIFY channel: "jobs are waiting for printer X"


def notify(app: App, printer: str | None = None) -> None:
    """Wake the workers for ``printer``: this process's at once, other instances' through
    PostgreSQL ``NOTIFY`` (on SQLite they find new jobs by polling)."""
    app.wake(printer)
    try:
        app.store.notify(JOBS_CHANNEL, printer or "")
    except LabelsvcError:  # the job is committed; another instance's poll still finds it
        log.warning("could not notify other instances about jobs for %s", printer)


def _get(tx: Tx, job_id: int) -> Job:
    job = tx.jobs.get(job_id)
    if job is None:
        raise NotFound("job-not-found", f"There is no print job {job_id}.", job=job_id)
    return job


def list_jobs(
    app: App,
    actor: Actor,
    *,
    state: str | None = None,
    printer: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Job]:
    """Jobs in id order, filtered by state and printer; page with ``after_id``."""
    require(actor, "jobs")
    with app.store.read() as tx:
        return tx.jobs.query(state=state, printer=printer, after_id=after_id, limit=limit)


def get_job(app: App, actor: Actor, job_id: int) -> Job:
    """One job (without its payload)."""
    require(actor, "jobs")
    with app.store.read() as tx:
        return _get(tx, job_id)


def job_history(app: App, actor: Actor, job_id: int) -> list[EventRow]:
    """The events of one job, oldest first."""
    require(actor, "jobs")
    with app.store.read() as tx:
        _get(tx, job_id)
        return tx.events.for_subject(f"job:{job_id}")


def retry_job(app: App, actor: Actor, job_id: int) -> Job:
    """Send a failed, held or waiting job again now, without waiting for its backoff."""
    require(actor, "jobs")
    with app.store.write() as tx:
        job = tx.jobs.move(
            job_id,
            "queued",
            actor=actor.label,
            expect=("failed", "held", "queued"),
            details={"retry": True},
        )
    notify(app, job.printer)
    return job


def cancel_job(app: App, actor: Actor, job_id: int) -> Job:
    """Stop a job that has not been sent; one being sent right now cannot be stopped."""
    require(actor, "jobs")
    with app.store.write() as tx:
        if _get(tx, job_id).state == "sending":
            raise Conflict(
                "job-sending",
                f"Print job {job_id} is being sent right now; wait until it is sent or "
                "needs confirmation.",
                job=job_id,
            )
        return tx.jobs.move(
            job_id,
            "cancelled",
            actor=actor.label,
            expect=("queued", "held", "failed", "needs-confirmation"),
        )


def confirm_job(app: App, actor: Actor, job_id: int, *, printed: bool) -> Job:
    """Settle a job that may have printed: it did (→ printed) or it did not (→ queued, once)."""
    require(actor, "confirm-job")
    with app.store.write() as tx:
        if printed:
            job = tx.jobs.move(
                job_id,
                "printed",
                actor=actor.label,
                expect=("needs-confirmation",),
                details={"confirmed": "printed", "evidence": "a person"},
            )
            record_sent(tx, job, actor.label)
            publish(tx, job)
        else:
            job = tx.jobs.move(
                job_id,
                "queued",
                actor=actor.label,
                expect=("needs-confirmation",),
                details={"confirmed": "not-printed"},
            )
    if not printed:
        notify(app, job.printer)
    return job


def print_missing(app: App, actor: Actor, job_id: int) -> Job:
    """A person's say: print the labels the printer counted as not printed, once."""
    require(actor, "confirm-job")
    job = queue_missing(app, job_id, actor=actor.label)
    notify(app, job.printer)
    return job


class WorkerSet:
    """One :class:`PrinterWorker` per printer plus a supervisor that polls and recovers."""

    def __init__(
        self,
        app: App,
        *,
        printers: Iterable[str] | None = None,
        poll_seconds: float = 1.0,
        lease_seconds: float = 30.0,
    ) -> None:
        self.app = app
        self.only = set(printers) if printers is not None else None
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.workers: dict[str, PrinterWorker] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._supervisor: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self._previous_wake: Callable[[str | None], None] = app.wake
        self.last_error: str | None = None  # the last failed supervisor round, for health
        self._polled = 0.0

    def problem(self) -> str | None:
        """What is wrong with the workers right now (None when they run normally)."""
        if self._supervisor is None or not self._supervisor.is_alive():
            return "the print supervisor is not running"
        stuck = stuck_printers(self.app)
        failing = [f"printer {name}: its worker fails ({w.failed_round})"
                   for name, w in sorted(self.workers.items()) if w.failed_round]  # fmt: skip
        if stuck or failing:
            return "; ".join(stuck + failing)
        return self.last_error

    def start(self) -> WorkerSet:
        """Recover orphans, start the supervisor and a worker for every printer with work."""
        LIVE_TOKENS.add(self.owner)
        self._previous_wake = self.app.wake
        self.app.wake = self.notify
        try:
            recover_orphans(self.app, keep=self.owner)
            self._tick()
        except Exception as exc:  # e.g. a full disk at start: the supervisor tries again
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("print supervisor could not start its first round: %s", exc)
        self._supervisor = threading.Thread(
            target=self._supervise, name="print-supervisor", daemon=True
        )
        self._supervisor.start()
        if self.app.store.kind == "postgresql":
            self._listener = threading.Thread(
                target=self.app.store.listen, name="print-listener", daemon=True,
                args=(JOBS_CHANNEL, self._on_notify, self._stop),
            )  # fmt: skip
            self._listener.start()
        return self

    def _on_notify(self, printer: str) -> None:
        """Another instance queued jobs (PostgreSQL NOTIFY): wake the worker at once."""
        self.notify(printer or None)

    def notify(self, printer: str | None = None) -> None:
        """Wake the worker of ``printer`` (all of them when None) to look for jobs now."""
        if printer is None:
            self._wake.set()
            for worker in list(self.workers.values()):
                worker.wake()
        elif self.only is None or printer in self.only:
            self._worker(printer).wake()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the jobs being sent are finished; release the owner token."""
        self._stop.set()
        self._wake.set()
        with self._lock:  # a worker made by a last supervisor round is started under it
            workers = list(self.workers.values())
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.join(timeout)
        if self._supervisor is not None:
            self._supervisor.join(timeout)
        if self._listener is not None:
            self._listener.join(timeout)
        LIVE_TOKENS.discard(self.owner)
        if self.app.wake == self.notify:
            self.app.wake = self._previous_wake

    def run_forever(self) -> None:
        """Run in the foreground until Ctrl-C (``labelsvc print-worker``)."""
        self.start()
        try:
            while not self._stop.wait(3600):
                pass
        except KeyboardInterrupt:
            log.info("stopping print workers")
        finally:
            self.stop()

    def _worker(self, printer: str) -> PrinterWorker:
        with self._lock:
            worker = self.workers.get(printer)
            if worker is None or not worker.is_alive():
                worker = PrinterWorker(
                    self.app,
                    printer,
                    owner=self.owner,
                    actor=WORKER_ACTOR,
                    lease_seconds=self.lease_seconds,
                    poll_seconds=self.poll_seconds,
                )
                self.workers[printer] = worker
                worker.start()
            return worker

    def _tick(self) -> None:
        """One supervisor round: renew leases, flag orphans, start and wake workers."""
        with self.app.store.write() as tx:
            tx.jobs.renew_leases(self.owner, self.lease_seconds)
            busy = tx.jobs.printers_with_work()
        recover_orphans(self.app, keep=self.owner)
        self._recover_own()
        for printer in busy:
            if self.only is None or printer in self.only:
                self._worker(printer).wake()
        self._poll_fleet()

    def _recover_own(self) -> None:
        """A job this process claimed but whose worker is gone or busy elsewhere is stuck:
        recover it now (the lease alone would never lapse, the supervisor renews it)."""
        with self.app.store.read() as tx:
            mine = [j for j in tx.jobs.in_state("sending") if j.claimed_by == self.owner]
        for job in mine:
            worker = self.workers.get(job.printer)
            if worker is not None and worker.is_alive() and worker.current == job.id:
                continue
            if job.updated_at > later(-2 * self.poll_seconds - 1):
                continue  # just claimed: the worker is about to take it in hand
            with self.app.store.write() as tx:
                tx.jobs.move(
                    job.id,
                    "needs-confirmation",
                    actor=WORKER_ACTOR,
                    expect=("sending",),
                    owner=self.owner,
                    error=(
                        "the worker sending this job stopped in this process; the "
                        "printer may have printed it — confirm printed, or not "
                        "printed to send it again"
                    ),
                )

    def _poll_fleet(self) -> None:
        """Ask every printer for its status, identity and counters on a schedule."""
        every = self.app.settings.printing.status_poll_seconds
        if time.monotonic() - self._polled < every:
            return
        self._polled = time.monotonic()
        with self.app.store.read() as tx:
            rows = tx.printers.all()
        for row in rows:
            if self.only is not None and row.name not in self.only:
                continue
            busy = self.workers.get(row.name)
            if busy is not None and busy.current is not None:
                continue  # it is printing: its worker asks it
            try:
                poll_printer(self.app, row)
            except Exception as exc:
                log.warning("could not poll printer %s: %s", row.name, exc)

    def _supervise(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait(min(self.poll_seconds, self.lease_seconds / 3))
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    self._tick()
                    self.last_error = None
                except Exception as exc:
                    if self.last_error is None:  # once per outage, not every round
                        log.exception("print supervisor round failed; trying again")
                    self.last_error = f"{type(exc).__name__}: {exc}"
        finally:
            self.app.store.close()


def recent_jobs(app: App, actor: Actor, *, limit: int = 50) -> list[Job]:
    """The newest print jobs, newest first, whatever their state."""
    require(actor, "jobs")
    with app.store.read() as tx:
        return tx.jobs.recent(limit)

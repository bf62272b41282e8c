"""Jobs whose send was cut short, settled from the printer's own count where it keeps one.

An orphan is a ``sending`` job whose worker is gone (its process died, its lease lapsed).
If the job recorded the printer's label counter before it was sent, the printer is asked
again: the difference is how many of the job's labels printed (one printer's jobs go out
one at a time, so nothing else of ours printed in between), and the job becomes
``printed``, ``partly-printed`` or ``not-printed`` with that evidence. Otherwise it waits
for a person (``needs-confirmation``). The labels the printer did not print are queued
again by :func:`queue_missing`, only when a person or a setting says so.
"""

from __future__ import annotations

import logging
from typing import Any

from labelsvc.domain.errors import Conflict, NotFound
from labelsvc.printing.tcp9100 import Tcp9100
from labelsvc.printing.zpl_stream import split_labels
from labelsvc.services.app import App
from labelsvc.services.owners import LIVE_TOKENS, owner_is_gone
from labelsvc.services.print_confirm import Evidence, await_counter
from labelsvc.services.print_worker import MISSING_HINT, WORKER_ACTOR, settle_counted
from labelsvc.services.printers import transport_for
from labelsvc.store import Tx
from labelsvc.store.clock import now
from labelsvc.store.jobs import MISSING, Job

log = logging.getLogger(__name__)

ORPHAN_QUIET = 2.0  # seconds the counter may stand still before an orphan is settled by it


def recover_orphans(app: App, *, keep: str | None = None) -> list[int]:
    """Settle jobs left ``sending`` by a worker that is gone; return their ids."""
    at = now()
    with app.store.read() as tx:
        orphans = [
            job for job in tx.jobs.in_state("sending")
            if job.claimed_by != keep and (job.lease_until is None or job.lease_until < at
                or owner_is_gone(job.claimed_by, own_process_tokens=LIVE_TOKENS))
        ]  # fmt: skip
    settled = []
    for job in orphans:
        evidence = _evidence(app, job)
        try:
            with app.store.write() as tx:
                _settle_orphan(tx, job, evidence)
            settled.append(job.id)
        except Conflict:
            continue  # another process settled it meanwhile
    return settled


def _evidence(app: App, job: Job) -> Evidence | None:
    """What the printer's counter says about an orphan (None: it cannot say)."""
    if job.counter_before is None:
        return None
    with app.store.read() as tx:
        row = tx.printers.get(job.printer)
    if row is None:
        return None
    transport = transport_for(app, row)
    if not isinstance(transport, Tcp9100):
        return None
    evidence = await_counter(transport, job.counter_before, job.label_count, quiet=ORPHAN_QUIET)
    return evidence if evidence.printed is not None else None


def _settle_orphan(tx: Tx, job: Job, evidence: Evidence | None) -> None:
    gone = f"the worker sending this job ({job.claimed_by}) stopped"
    if evidence is None or evidence.printed is None:
        tx.jobs.move(
            job.id, "needs-confirmation", actor=WORKER_ACTOR, expect=("sending",),
            owner=job.claimed_by,
            error=(f"{gone}; the printer may have printed it — confirm printed, or not "
                   "printed to send it again"),
        )  # fmt: skip
        return
    why = None
    if evidence.printed < job.label_count:
        why = (
            f"{gone}; the printer printed {evidence.printed} of {job.label_count} labels"
            f" (label counter {evidence.before} -> {evidence.after})" + MISSING_HINT
        )
    settle_counted(tx, job, evidence, owner=job.claimed_by, error=why)


def queue_missing(app: App, job_id: int, *, actor: str, by_setting: bool = False) -> Job:
    """Queue one new job with exactly the labels a partly or not printed job is missing.

    Labels that carry one item each are rendered again from their items; labels of a job
    without per-label items are cut out of the bytes it sent. Once per job: the old job
    records the new one (``resent_as``). Call ``notify`` after.
    """
    with app.store.write() as tx:
        job = tx.jobs.get(job_id)
        if job is None:
            raise NotFound("job-not-found", f"There is no print job {job_id}.", job=job_id)
        new_id = _missing_job(tx, job, actor)
        tx.jobs.set_resent(job_id, new_id)
        new = tx.jobs.get(new_id)
        assert new is not None
        tx.events.append(
            "job-missing-queued", subject=f"job:{job_id}", actor=actor, station=job.station,
            details={"job": new_id, "labels": new.label_count,
                     "allowed_by": "setting" if by_setting else "a person"},
        )  # fmt: skip
    return new


def _missing_job(tx: Tx, job: Job, actor: str) -> int:
    """The new job of a job's missing labels, or Conflict when they cannot be told apart."""
    printed = job.printed_labels or 0
    common: dict[str, Any] = {
        "printer": job.printer, "template": job.template, "requested_by": actor,
        "station": job.station, "reprint": job.reprint, "reason": job.reason,
        "batch": job.batch,
    }  # fmt: skip
    missing = job.missing_item_ids()
    if job.state in MISSING and missing:
        return tx.jobs.create(
            **common, payload=b"", item_ids=missing, label_count=len(missing),
            render={"template": job.template, "reprint": job.reprint},
        )  # fmt: skip
    labels = split_labels(tx.jobs.payload(job.id)) if job.state in MISSING else []
    if job.item_ids or len(labels) != job.label_count or printed >= len(labels):
        raise Conflict(
            "job-not-missing",
            f"Print job {job.id} is {job.state}; only a partly or not printed job whose "
            "labels are known one by one has missing labels to print.",
            job=job.id, state=job.state,
        )  # fmt: skip
    rest = labels[printed:]
    return tx.jobs.create(**common, payload=b"".join(rest), label_count=len(rest))

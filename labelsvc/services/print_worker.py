"""Settling print jobs: what a job's new state does in the same transaction.

A job is ``printed`` when the printer says so (:mod:`labelsvc.services.print_confirm`), not
when the kernel took its bytes; the items of a label count as ``labeled`` only then, in
:func:`record_sent` (the one place that does it). Each move is published in the outbox.
The thread that sends a printer's jobs is :class:`labelsvc.services.print_sender.PrinterWorker`.
"""

from __future__ import annotations

from typing import Any

from labelsvc.domain.topics import Topic
from labelsvc.services.commissioning import commission_first_labels
from labelsvc.services.print_confirm import Evidence
from labelsvc.store import Tx
from labelsvc.store.jobs import Job

CONFIRM_HINT = (
    " — the printer may have printed part of it: check, then confirm printed, or not printed"
    " to send it again"
)
MISSING_HINT = " — a person may print the missing labels (print-missing)"
TOPICS = {
    "printed": Topic.JOB_PRINTED,
    "sent": Topic.JOB_PRINTED,
    "failed": Topic.JOB_FAILED,
    "held": Topic.JOB_HELD,
    "needs-confirmation": Topic.JOB_NEEDS_CONFIRMATION,
    "partly-printed": Topic.JOB_NEEDS_CONFIRMATION,
    "not-printed": Topic.JOB_NEEDS_CONFIRMATION,
}
WORKER_ACTOR = "system:print-worker"


def record_sent(tx: Tx, job: Job, actor: str, item_ids: list[int] | None = None) -> None:
    """The items whose labels the printer confirmed become labeled: state, count, events.

    The one place where a job's items become ``labeled`` (``item_ids``: only those the
    printer confirmed; None: all of the job's).
    """
    confirmed = job.item_ids if item_ids is None else item_ids
    if not confirmed:
        return
    commission_first_labels(tx, job, actor, confirmed)
    tx.items.mark_printed(confirmed)
    details: dict[str, object] = {"job": job.id, "printer": job.printer}
    if job.reprint:
        details["reason"] = job.reason
    tx.events.append_many(
        "reprinted" if job.reprint else "printed",
        confirmed,
        actor=actor,
        station=job.station,
        details=details,
    )


def after_move(tx: Tx, moved: Job, printed: int | None) -> None:
    """What follows a job's move in its transaction: its confirmed items labeled, and the
    outbox message."""
    if moved.state in ("printed", "sent", "partly-printed"):
        confirmed = moved.item_ids
        if moved.state == "partly-printed" and len(moved.item_ids) == moved.label_count:
            confirmed = moved.item_ids[: printed or 0]
        elif moved.state == "partly-printed":
            confirmed = []  # labels carry several items: a person must say which
        record_sent(tx, moved, moved.requested_by, confirmed)
    publish(tx, moved, {"printed": printed} if printed is not None else None)


def counted_state(evidence: Evidence, count: int) -> str:
    """The state a job's evidence puts it in (the printer said how many printed)."""
    if evidence.printed == count:
        return "sent" if evidence.how.startswith("the transport") else "printed"
    return "partly-printed" if evidence.printed else "not-printed"


def settle_counted(
    tx: Tx, job: Job, evidence: Evidence, *, owner: str | None, error: str | None = None
) -> Job:
    """Settle a ``sending`` job by what its printer counted, in the caller's transaction."""
    tx.jobs.set_printed(job.id, evidence.printed)
    moved = tx.jobs.move(
        job.id, counted_state(evidence, job.label_count), actor=WORKER_ACTOR,
        expect=("sending",), owner=owner, error=error,
        details=evidence.details(job.label_count),
    )  # fmt: skip
    after_move(tx, moved, evidence.printed)
    return moved


def publish(tx: Tx, job: Job, extra: dict[str, Any] | None = None) -> None:
    """The job's new state as an outbox message, where partners subscribe to it."""
    topic = TOPICS.get(job.state)
    if topic is None:
        return
    payload = {
        "job": job.id,
        "printer": job.printer,
        "state": job.state,
        "labels": job.label_count,
        "batch": job.batch,
        "error": job.last_error,
        **(extra or {}),
    }
    tx.outbox.add(topic, payload, subject=f"job:{job.id}")

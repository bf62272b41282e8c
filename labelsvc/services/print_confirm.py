"""How many of a job's labels the printer printed, asked of the printer itself.

The kernel taking the bytes says nothing about labels: a 250-label job fits in the socket
buffers. So after a send (whole or broken off) the worker asks the printer: its label
counter read just before the job, then again until it has moved by the job's label count or
stopped moving for ``quiet`` seconds; a printer without a counter is asked ``~HS`` until its
buffer is empty. What the printer said is the job's evidence, kept in its history.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from labelsvc.printing import PrinterStatus, Transport, TransportError
from labelsvc.printing.cups import CupsQueue
from labelsvc.printing.tcp9100 import Tcp9100

POLL_SECONDS = 0.05
IPP_FINAL = ("completed", "stopped", "canceled", "aborted")


@dataclass(frozen=True)
class Evidence:
    """What the printer said about a job; ``printed`` None means it could not say."""

    printed: int | None
    how: str
    before: int | None = None
    after: int | None = None

    def details(self, count: int) -> dict[str, Any]:
        """For the job's event."""
        out: dict[str, Any] = {"evidence": self.how, "printed": self.printed, "of": count}
        if self.before is not None:
            out.update(counter_before=self.before, counter_after=self.after)
        return out


def counter_or_none(transport: Transport) -> int | None:
    """The printer's label counter, or None when it does not answer (garbage raises)."""
    try:
        return transport.label_counter()
    except TransportError as exc:
        if exc.code == "printer-garbage":
            raise
        return None


def await_counter(transport: Transport, before: int, count: int, *, quiet: float) -> Evidence:
    """Poll the counter until the job's labels are counted or it stops moving.

    A printer that drops off (restarting) is asked again until ``quiet`` seconds pass
    without progress (three times that while it has not answered at all); the last counter
    it gave is the evidence.
    """
    last, moved_at = None, time.monotonic()
    while True:
        try:
            now_count = transport.label_counter()
        except TransportError:
            now_count = None
        if now_count is not None:
            if last is None or now_count != last:
                moved_at = time.monotonic()
            last = now_count
            if now_count - before >= count:
                break
        # a printer that has not answered yet (restarting) gets three times as long
        limit = quiet if last is not None else 3 * quiet
        if time.monotonic() - moved_at > limit:  # also when stopping: the printer prints on
            break
        time.sleep(POLL_SECONDS if now_count is not None else min(0.5, quiet / 4))
    if last is None:
        return Evidence(
            None, f"no answer to the label counter after the send (before: {before})", before, None
        )
    printed = max(0, min(count, last - before))
    return Evidence(printed, "label counter", before, last)


def await_drained(transport: Transport, count: int, *, quiet: float) -> Evidence:
    """No counter: the job printed once ``~HS`` says the buffer holds nothing to print."""
    if not isinstance(transport, Tcp9100):
        return Evidence(None, "the transport cannot tell what printed")
    deadline = time.monotonic() + quiet
    while time.monotonic() < deadline:
        try:
            status = transport.status()
        except TransportError:
            status = None
        finally:
            transport.close()
        if _drained(status):
            return Evidence(count, "buffer drained")
        time.sleep(min(0.5, quiet / 4))
    return Evidence(None, "the printer did not confirm: no status answer after the send")


def _drained(status: PrinterStatus | None) -> bool:
    """A real ``~HS`` answer: ready, nothing in the buffer, no label left in the batch."""
    if status is None or not status.raw or not status.ok:
        return False
    return status.formats_in_buffer == 0 and status.labels_remaining == 0


def await_cups(queue: CupsQueue, job_id: int, count: int, *, quiet: float) -> Evidence:
    """Follow the CUPS job's IPP state until completed, stopped, canceled or aborted.

    Completed: CUPS delivered all of it to the printer; the others leave it to a person,
    with the state as the evidence. Waiting in the queue is not "quiet": a state that does
    not change for ``quiet`` seconds (while not pending behind other jobs) ends the wait.
    """
    last, changed = None, time.monotonic()
    give_up = changed + 10 * quiet  # a job pending behind others is waited for this long
    while True:
        state = queue.job_state(job_id)
        if state != last:
            last, changed = state, time.monotonic()
        if state in IPP_FINAL or time.monotonic() > give_up:
            break
        if time.monotonic() - changed > quiet and state != "pending":
            break
        time.sleep(0.2)
    how = f"CUPS job {job_id} is {last or 'unknown'}"
    return Evidence(count if last == "completed" else None, how)

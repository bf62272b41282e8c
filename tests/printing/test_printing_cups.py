"""A job through a real cupsd raw queue into the emulator."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable

import pytest
from printing_support import free_port, label

from labelsvc.domain.actors import Actor
from labelsvc.printing.cups import CupsQueue
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import print_queue
from labelsvc.services.app import App

pytestmark = pytest.mark.cups
OPERATOR = Actor(name="anna", role="operator")


def test_job_goes_through_a_cups_raw_queue(
    app: App,
    cups_server: str,
    cups_queue: Callable[[str, int], str],
    add_printer: Callable[..., None],
    emulator: PrinterEmulator,
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    queue = cups_queue("zebra-raw", emulator.port)
    add_printer("cups-zebra", driver="cups", address=queue, server=cups_server)
    labels = [label(n) for n in range(5)]
    workers()
    with app.store.write() as tx:
        [job_id] = print_queue.enqueue_labels(
            tx, printer="cups-zebra", template="unit", labels=labels, requested_by=OPERATOR.label
        )
    print_queue.notify(app, "cups-zebra")

    assert wait_until(lambda: print_queue.get_job(app, OPERATOR, job_id).state == "printed")
    assert emulator.wait_for_labels(5, timeout=30)
    assert emulator.labels == labels
    evidence = print_queue.job_history(app, OPERATOR, job_id)[-1].details["evidence"]
    assert re.fullmatch(r"CUPS job \d+ is completed", evidence), evidence


def test_an_aborted_cups_job_is_never_shown_as_printed(
    app: App,
    cups_server: str,
    add_printer: Callable[..., None],
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    """The queue's device is not there: IPP never says completed, so neither do we."""
    subprocess.run(
        ["lpadmin", "-h", cups_server, "-p", "gone-raw", "-E", "-v",
         f"socket://127.0.0.1:{free_port()}", "-m", "raw",
         "-o", "printer-error-policy=abort-job"],
        check=True, capture_output=True,
    )  # fmt: skip
    add_printer("cups-gone", driver="cups", address="gone-raw", server=cups_server)
    workers()
    with app.store.write() as tx:
        [job_id] = print_queue.enqueue_labels(
            tx, printer="cups-gone", template="unit", labels=[label(1)],
            requested_by=OPERATOR.label,
        )  # fmt: skip
    print_queue.notify(app, "cups-gone")
    final = ("printed", "needs-confirmation", "failed")
    assert wait_until(lambda: print_queue.get_job(app, OPERATOR, job_id).state in final, 90)
    job = print_queue.get_job(app, OPERATOR, job_id)
    assert job.state == "needs-confirmation", job
    # the IPP state is the evidence: aborted, or still retrying the device when the wait ends
    assert re.match(r"CUPS job \d+ is (aborted|stopped|processing)", job.last_error or "")


def test_an_unknown_queue_is_refused_safely(cups_server: str) -> None:
    from labelsvc.printing import TransportError

    with pytest.raises(TransportError) as err:
        CupsQueue("no-such-queue", server=cups_server).send(label(1))
    assert err.value.partial is False

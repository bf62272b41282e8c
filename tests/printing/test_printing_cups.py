"""A job through a real cupsd raw queue into the emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from printing_support import label

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

    assert wait_until(lambda: print_queue.get_job(app, OPERATOR, job_id).state == "sent")
    assert emulator.wait_for_labels(5, timeout=30)
    assert emulator.labels == labels


def test_an_unknown_queue_is_refused_safely(cups_server: str) -> None:
    from labelsvc.printing import TransportError

    with pytest.raises(TransportError) as err:
        CupsQueue("no-such-queue", server=cups_server).send(label(1))
    assert err.value.partial is False

"""A worker killed in mid-send: nothing lost, nothing printed twice without a person's say.

The worker runs in a real subprocess; the emulator jams inside the first job's labels so
the worker is blocked in the middle of sending when it is killed with SIGKILL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from printing_support import label

from labelsvc.domain.actors import Actor
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import print_queue
from labelsvc.services.app import App

SUPERVISOR = Actor(name="sam", role="supervisor")
WORKER = (
    "import sys\n"
    "from labelsvc.config import load_settings\n"
    "from labelsvc.services.app import App\n"
    "from labelsvc.services.print_queue import WorkerSet\n"
    "WorkerSet(App.open(load_settings(sys.argv[1])), poll_seconds=0.1).run_forever()\n"
)


def test_killed_worker_leaves_its_job_for_confirmation(
    app: App,
    config_file: Path,
    zebra: PrinterEmulator,
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    # 70 kB labels: the zebra reads 64 kB at a time, so it jams inside the first one;
    # ~10 MB in all: more than the socket buffers hold, so the worker is stuck in send()
    big = [label(n, pad=70_000) for n in range(150)]
    small = [label(1000 + n) for n in range(20)]
    with app.store.write() as tx:
        big_job, *small_jobs = print_queue.enqueue_labels(
            tx,
            printer="zebra",
            template="unit",
            labels=big + small,
            requested_by="user:anna",
            chunk=150,
        )
    assert len(small_jobs) == 1
    zebra.stall()

    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(config_file)])
    try:
        assert wait_until(lambda: zebra.stalled_connections == 1)
        assert print_queue.get_job(app, SUPERVISOR, big_job).state == "sending"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    zebra.drop_stalled()  # the jammed printer is power-cycled: the cut label is gone

    workers()  # a new worker process starts
    first_small = small_jobs[0]
    assert wait_until(lambda: print_queue.get_job(app, SUPERVISOR, first_small).state == "printed")
    flagged = print_queue.get_job(app, SUPERVISOR, big_job)
    # settled from the printer's label counter, read before the dead worker sent it
    assert flagged.state == "not-printed", flagged
    assert flagged.printed_labels == 0
    assert "stopped; the printer printed 0 of 150 labels" in (flagged.last_error or "")
    assert zebra.wait_for_labels(len(small))
    assert zebra.labels == small  # the cut job was not sent again by itself

    again = print_queue.print_missing(app, SUPERVISOR, big_job)
    assert again.label_count == 150
    assert wait_until(lambda: print_queue.get_job(app, SUPERVISOR, again.id).state == "printed")
    assert zebra.wait_for_labels(170)
    assert Counter(zebra.labels) == Counter(big + small)  # every label exactly once
    types = [e.type for e in print_queue.job_history(app, SUPERVISOR, big_job)]
    assert types == ["job-queued", "job-sending", "job-not-printed", "job-missing-queued"]


def test_a_killed_worker_without_a_counter_leaves_its_job_for_confirmation(
    app: App,
    config_file: Path,
    add_printer: Callable[..., None],
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    """A printer that keeps no label counter (it never answers the query): a person says."""
    with PrinterEmulator() as zebra:
        add_printer("zebra", driver="tcp9100", address=f"127.0.0.1:{zebra.port}",
                    status_timeout=0.3)  # fmt: skip
        zebra.set_profile("no-reply")
        big = [label(n, pad=70_000) for n in range(150)]
        with app.store.write() as tx:
            (job_id,) = print_queue.enqueue_labels(
                tx, printer="zebra", template="unit", labels=big, requested_by="user:anna",
                chunk=150,
            )  # fmt: skip
        zebra.stall()
        add_printer("zebra", driver="tcp9100", address=f"127.0.0.1:{zebra.port}",
                    status_timeout=0.3, check_status=False)  # fmt: skip
        worker = subprocess.Popen([sys.executable, "-c", WORKER, str(config_file)])
        try:
            assert wait_until(lambda: zebra.stalled_connections == 1)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        zebra.drop_stalled()
        zebra.set_profile("ok")
        workers()
        assert wait_until(
            lambda: print_queue.get_job(app, SUPERVISOR, job_id).state == "needs-confirmation"
        )
        requeued = print_queue.confirm_job(app, SUPERVISOR, job_id, printed=False)
        assert requeued.state == "queued"
        assert wait_until(lambda: print_queue.get_job(app, SUPERVISOR, job_id).state == "printed")
        assert Counter(zebra.labels) == Counter(big)


def test_a_live_workers_job_is_not_taken_for_an_orphan(
    app: App,
    zebra: PrinterEmulator,
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    """A second process recovering orphans must leave a live worker's in-flight job alone."""
    with app.store.write() as tx:
        [job_id] = print_queue.enqueue_labels(
            tx,
            printer="zebra",
            template="unit",
            labels=[label(n, 70_000) for n in range(150)],
            requested_by="user:anna",
            chunk=150,
        )
    zebra.stall()
    workers()
    assert wait_until(lambda: zebra.stalled_connections == 1)

    assert print_queue.recover_orphans(app) == []  # another worker set's view of it
    assert print_queue.get_job(app, SUPERVISOR, job_id).state == "sending"
    zebra.resume()
    assert wait_until(lambda: print_queue.get_job(app, SUPERVISOR, job_id).state == "printed")
    assert zebra.wait_for_labels(150)
    assert len(zebra.labels) == 150

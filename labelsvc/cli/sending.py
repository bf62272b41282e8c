"""Commands that queue labels send them too, so a label comes out without a server running.

``--no-wait`` leaves the jobs to the workers of ``labelsvc serve`` or ``labelsvc
print-worker``. If one runs, both may try a job; claiming it is one transaction, so each
job is still sent once.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from labelsvc.cli.actor import cli_actor
from labelsvc.services.app import App
from labelsvc.services.print_queue import WorkerSet, get_job
from labelsvc.store.jobs import DONE
from labelsvc.store.jobs import FINAL as JOB_FINAL

FINAL = set(JOB_FINAL)
F = TypeVar("F", bound=Callable[..., Any])


def wait_option(f: F) -> F:
    """``--wait/--no-wait`` and ``--timeout`` for commands that print."""
    f = click.option("--timeout", type=float, default=120.0, show_default=True,
                     help="Seconds to wait for the labels.")(f)  # fmt: skip
    return click.option(
        "--wait/--no-wait", default=True, show_default=True,
        help="Send the labels from this command and wait until they are out.",
    )(f)  # fmt: skip


def send_jobs(app: App, job_ids: Sequence[int], timeout: float) -> dict[int, str]:
    """Run print workers until every job is final or the time is up; return the states."""
    if not job_ids:
        return {}
    actor = cli_actor()
    jobs = [get_job(app, actor, job_id) for job_id in job_ids]
    printers = {j.printer for j in jobs}
    labels = sum(j.label_count for j in jobs)
    workers = WorkerSet(app, printers=printers, poll_seconds=0.2).start()
    deadline = time.monotonic() + timeout
    states = {j.id: j.state for j in jobs}
    try:
        with click.progressbar(length=labels, label="printing", file=sys.stderr) as bar:
            done = 0
            while time.monotonic() < deadline and set(states.values()) - FINAL:
                time.sleep(0.1)
                jobs = [get_job(app, actor, job_id) for job_id in job_ids]
                states = {j.id: j.state for j in jobs}
                now_done = sum(j.label_count for j in jobs if j.state in FINAL)
                bar.update(now_done - done)
                done = now_done
                held = [j for j in jobs if j.state == "held"]
                if held:
                    bar.label = f"held: {held[0].last_error}"
    finally:
        workers.stop()
    return states


def report(states: dict[int, str]) -> None:
    """Say plainly when not every label went out, and exit non-zero."""
    if states and set(states.values()) - set(DONE):
        pending = ", ".join(f"job {i} {s}" for i, s in sorted(states.items()) if s not in DONE)
        click.secho(f"not all labels printed: {pending} (see 'labelsvc jobs list')",
                    fg="red", err=True)  # fmt: skip
        raise SystemExit(3)

"""``labelsvc printers|jobs|emulate-printer|print-worker``: a thin shell over the services."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.printing.emulator import PROFILES, PrinterEmulator
from labelsvc.services import print_queue
from labelsvc.services import printers as printer_service
from labelsvc.services.app import App
from labelsvc.store.jobs import DONE, FINAL, STATES, Job

SETTLED = (*FINAL, "held")


def _job_line(job: Job) -> str:
    flag = " reprint" if job.reprint else ""
    error = f"  ({job.last_error})" if job.last_error and job.state not in DONE else ""
    return (
        f"{job.id:>6}  {job.state:<18} {job.printer:<16} {job.label_count:>5} labels"
        f"  try {job.attempts}{flag}{error}"
    )


@click.group("printers")
def printers() -> None:
    """Printers defined in printers/*.toml: list, status, history, test print."""


@printers.command("list")
@pass_app
def printers_list(app: App) -> None:
    """Load the printer files and list every printer with its last status."""
    printer_service.sync_printers(app)
    for p in printer_service.list_printers(app, cli_actor()):
        click.echo(
            f"{p.name:<18} {p.driver:<15} {p.address:<28} {p.dpi} dpi  {p.status}"
            f"  {p.status_detail}"
        )


@printers.command("status")
@click.argument("name")
@pass_app
def printers_status(app: App, name: str) -> None:
    """Ask printer NAME for its status now (exit code 1 when it cannot print)."""
    printer_service.sync_printers(app)
    status = printer_service.printer_status(app, cli_actor(), name)
    if not status.reported:
        click.echo(f"{name}: this driver cannot report a status")
        return
    click.echo(f"{name}: {'ready' if status.ok else 'NOT READY'} — {status.detail}")
    if status.reported and status.raw:
        click.echo(
            f"  formats in buffer {status.formats_in_buffer}, labels remaining "
            f"{status.labels_remaining}"
        )
    if not status.ok:
        raise SystemExit(1)


@printers.command("history")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, help="Readings to show.")
@pass_app
def printers_history(app: App, name: str, limit: int) -> None:
    """What printer NAME said about itself (status, warnings, identity), newest first."""
    for r in printer_service.printer_history(app, cli_actor(), name, limit):
        ident = f"  {r.model} {r.firmware} {r.dpi} dpi" if r.model else ""
        counter = f"  {r.label_counter} labels" if r.label_counter is not None else ""
        warn = f"  warnings: {', '.join(r.warnings)}" if r.warnings else ""
        click.echo(f"{r.read_at}  {r.status:<11} {r.detail}{warn}{ident}{counter}")


@printers.command("test")
@click.argument("name")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Send it from here and wait for the outcome.",
)
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait.")
@pass_app
def printers_test(app: App, name: str, wait: bool, timeout: float) -> None:
    """Queue a small test label on printer NAME."""
    printer_service.sync_printers(app)
    job_id = printer_service.test_print(app, cli_actor(), name)
    click.echo(f"test label queued as job {job_id}")
    if not wait:
        return
    workers = print_queue.WorkerSet(app, printers=[name], poll_seconds=0.2).start()
    try:
        deadline = time.monotonic() + timeout
        job = print_queue.get_job(app, cli_actor(), job_id)
        # A test print is a question ("does this printer work?"): the first failed attempt
        # answers it, where a real job would keep retrying.
        while job.state not in SETTLED and not job.last_error and time.monotonic() < deadline:
            time.sleep(0.1)
            job = print_queue.get_job(app, cli_actor(), job_id)
    finally:
        workers.stop()
    click.echo(_job_line(job))
    if job.state not in DONE:
        why = job.last_error or f"not sent within {timeout:g} s"
        if job.state in ("queued", "held"):
            print_queue.cancel_job(app, cli_actor(), job_id)  # no test label later, by surprise
        click.secho(f"error: printer {name} did not print the test label: {why}", fg="red",
                    err=True)  # fmt: skip
        raise SystemExit(3)


@click.group("jobs")
def jobs() -> None:
    """Print jobs: list, show, retry, cancel, confirm, print-missing."""


@jobs.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only jobs in this state.")
@click.option("--printer", help="Only jobs of this printer.")
@click.option("--after", "after_id", default=0, help="Jobs after this id (paging).")
@click.option("--limit", default=100, show_default=True)
@pass_app
def jobs_list(app: App, state: str | None, printer: str | None, after_id: int, limit: int) -> None:
    """List print jobs, oldest first."""
    found = print_queue.list_jobs(
        app, cli_actor(), state=state, printer=printer, after_id=after_id, limit=limit
    )
    for job in found:
        click.echo(_job_line(job))


@jobs.command("show")
@click.argument("job_id", type=int)
@pass_app
def jobs_show(app: App, job_id: int) -> None:
    """Show one job and its history."""
    job = print_queue.get_job(app, cli_actor(), job_id)
    click.echo(_job_line(job))
    click.echo(
        f"  template {job.template}, requested by {job.requested_by}"
        f"{', station ' + job.station if job.station else ''}"
        f"{', batch ' + job.batch if job.batch else ''}, items {len(job.item_ids)}"
    )
    if job.reprint:
        click.echo(f"  reprint: {job.reason}")
    for event in print_queue.job_history(app, cli_actor(), job_id):
        click.echo(f"  {event.at}  {event.type:<24} {event.actor}  {event.details}")


@jobs.command("retry")
@click.argument("job_id", type=int)
@pass_app
def jobs_retry(app: App, job_id: int) -> None:
    """Send a failed or held job again now."""
    click.echo(_job_line(print_queue.retry_job(app, cli_actor(), job_id)))


@jobs.command("cancel")
@click.argument("job_id", type=int)
@pass_app
def jobs_cancel(app: App, job_id: int) -> None:
    """Cancel a job that has not been sent."""
    click.echo(_job_line(print_queue.cancel_job(app, cli_actor(), job_id)))


@jobs.command("confirm")
@click.argument("job_id", type=int)
@click.option(
    "--printed/--not-printed",
    required=True,
    help="Whether the labels of this job came out of the printer.",
)
@pass_app
def jobs_confirm(app: App, job_id: int, printed: bool) -> None:
    """Settle a job that needs confirmation: it printed or not (queued again)."""
    click.echo(_job_line(print_queue.confirm_job(app, cli_actor(), job_id, printed=printed)))


@jobs.command("print-missing")
@click.argument("job_id", type=int)
@pass_app
def jobs_print_missing(app: App, job_id: int) -> None:
    """Print exactly the labels the printer counted as not printed (queued as a new job)."""
    click.echo(_job_line(print_queue.print_missing(app, cli_actor(), job_id)))


@click.command("emulate-printer")
@click.option("--port", default=9100, show_default=True, help="TCP port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--out",
    "out_dir",
    default="var/emulator",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for label-NNNNNN.zpl files and the 'profile' file.",
)
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES)),
    default="ok",
    show_default=True,
    help="What ~HS reports; change it while running by writing OUT/profile.",
)
def emulate_printer(port: int, host: str, out_dir: Path, profile: str) -> None:
    """Run a Zebra printer emulator in the foreground (Ctrl-C stops it).

    It records every label it receives and answers ~HS. To simulate paper out while it
    runs: echo paper-out > OUT/profile (and echo ok > OUT/profile to load paper again).
    """

    def show(number: int, label: bytes) -> None:
        click.echo(f"label {number}: {len(label)} bytes -> {out_dir}/label-{number:06d}.zpl")

    emulator = PrinterEmulator(host, port, out_dir=out_dir, profile=profile, on_label=show)
    click.echo(f"printer emulator on {host}:{port}, profile {profile}, labels in {out_dir}")
    try:
        emulator.serve_forever()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc
    except KeyboardInterrupt:
        click.echo(f"stopped after {len(emulator.labels)} labels")


@click.command("print-worker")
@click.option("--printer", "only", multiple=True, help="Only these printers (repeatable).")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between DB polls.")
@pass_app
def work(app: App, only: tuple[str, ...], poll: float) -> None:
    """Send queued print jobs until Ctrl-C (``labelsvc serve`` runs the same workers)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    printer_service.sync_printers(app)
    click.echo(f"print workers running (poll {poll}s); Ctrl-C stops")
    print_queue.WorkerSet(app, printers=only or None, poll_seconds=poll).run_forever()

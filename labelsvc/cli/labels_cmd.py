"""``labelsvc print``, ``reprint`` and ``void``: labels for serials from the command line."""

from __future__ import annotations

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json
from labelsvc.cli.sending import report, send_jobs, wait_option
from labelsvc.services.app import App
from labelsvc.services.labeling import reprint as reprint_label
from labelsvc.services.labeling import request_labels
from labelsvc.services.labeling import void as void_serial
from labelsvc.services.lookup import describe


@click.command("print")
@click.option("--printer", help="Printer name (default: printing.default_printer).")
@click.option("--template", help="Template name (default: unit).")
@click.option("--pool", help="Serial pool to allocate from.")
@click.option("--product", help="Product GTIN or SKU (its unit pool is used).")
@click.option("--count", type=click.IntRange(1, 100_000), default=1, show_default=True)
@click.option("--lot", help="Lot (AI 10) printed on every label.")
@click.option("--expiry", help="Expiry YYMMDD (AI 17) printed on every label.")
@click.option("--key", "idempotency_key", help="Idempotency key: a retry prints nothing new.")
@wait_option
@click.option("--json", "as_json", is_flag=True)
@pass_app
def print_labels(
    app: App, printer: str | None, template: str | None, pool: str | None, product: str | None,
    count: int, lot: str | None, expiry: str | None, idempotency_key: str | None, wait: bool,
    timeout: float, as_json: bool,
) -> None:  # fmt: skip
    """Allocate COUNT serials and print their labels."""
    actor = cli_actor()
    request = request_labels(
        app, count=count, actor=actor, product=product, pool=pool, template=template,
        printer=printer, lot=lot, expiry=expiry, station=actor.station,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    click.echo(
        f"{len(request.items)} serial(s) from {request.allocation and request.allocation.pool}, "
        f"{len(request.job_ids)} job(s) on {request.printer}",
        err=True,
    )
    states = send_jobs(app, request.job_ids, timeout) if wait else {}
    if as_json:
        echo_json({"serials": [i.value for i in request.items], "jobs": request.job_ids,
                   "states": states, "batch": request.batch})  # fmt: skip
    else:
        for item in request.items:
            click.echo(item.value)
    report(states)


@click.command()
@click.argument("scan")
@click.option("--reason", required=True, help="Why the label is printed again.")
@click.option("--printer")
@click.option("--template")
@wait_option
@pass_app
def reprint(
    app: App, scan: str, reason: str, printer: str | None, template: str | None, wait: bool,
    timeout: float,
) -> None:  # fmt: skip
    """Print the label of an existing serial again (same serial; recorded with the reason)."""
    result = reprint_label(app, scan, reason=reason, actor=cli_actor(), printer=printer,
                           template=template)  # fmt: skip
    click.echo(f"reprint of {describe(result.items[0])} queued as job {result.job_ids[0]} on "
               f"{result.printer}")  # fmt: skip
    report(send_jobs(app, result.job_ids, timeout) if wait else {})


@click.command()
@click.argument("scan")
@click.option("--reason", required=True, help="Why the serial is voided (label destroyed...).")
@pass_app
def void(app: App, scan: str, reason: str) -> None:
    """Retire a serial whose label was destroyed; it is never issued again."""
    item = void_serial(app, scan, reason=reason, actor=cli_actor())
    click.echo(f"{describe(item)} voided")

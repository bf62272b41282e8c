"""``labelsvc epcis``: capture a partner's EPCIS document, query events, receive by SSCC."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json
from labelsvc.services.app import App


@click.group()
def epcis() -> None:
    """EPCIS 2.0 capture and query."""


@epcis.command("capture")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def capture_cmd(app: App, file: Path) -> None:
    """Capture an EPCIS 2.0 JSON-LD document (all or nothing); print the capture job."""
    from labelsvc.services.epcis_capture import capture

    result = capture(app, cli_actor(), json.loads(file.read_text(encoding="utf-8")))
    job = result.job
    made = f"; receipts: {', '.join(result.receipts)}" if result.receipts else ""
    click.echo(f"capture {job.id}: {job.state}, {job.stored} of {job.events} event(s) stored{made}")
    for error in job.errors:
        click.echo(f"  {error['code']}: {error['detail']}", err=True)
    if job.state != "succeeded":
        raise SystemExit(1)


@epcis.command("events")
@click.option("--epc", help="An EPC URI or GS1 Digital Link URI: its history.")
@click.option("--biz-step", help="A CBV bizStep, e.g. shipping.")
@click.option("--since", help="ISO 8601 instant with offset, inclusive.")
@click.option("--until", help="ISO 8601 instant with offset, exclusive.")
@click.option("--limit", type=int, default=100, show_default=True)
@pass_app
def events_cmd(app: App, epc: str | None, biz_step: str | None, since: str | None,
               until: str | None, limit: int) -> None:  # fmt: skip
    """Query events (ours and captured) as an EPCISQueryDocument."""
    from labelsvc.services.epcis_query import EventQuery, query_document, query_events

    q = EventQuery(epcs=(epc,) if epc else (), biz_steps=(biz_step,) if biz_step else (),
                   ge_time=since, lt_time=until, per_page=limit)  # fmt: skip
    echo_json(query_document(query_events(app, cli_actor(), q)))


@epcis.command("receive-container")
@click.argument("reference")
@click.argument("sscc")
@pass_app
def receive_container_cmd(app: App, reference: str, sscc: str) -> None:
    """Receive a pre-labelled pallet of a captured ASN by its SSCC alone."""
    from labelsvc.services.asn_capture import receive_container

    r = receive_container(app, reference, sscc, actor=cli_actor())
    click.echo(f"{r.received} received")
    for name, why in r.refused:
        click.echo(f"refused {name}: {why}", err=True)
    if r.refused:
        raise SystemExit(1)


@epcis.command("declare-error")
@click.argument("scan")
@click.argument("event_id")
@click.option("--reason", type=click.Choice(["did_not_occur", "incorrect_data"]), required=True)
@click.option("--why", required=True, help="What was wrong (kept in the audit log).")
@pass_app
def declare_error_cmd(app: App, scan: str, event_id: str, reason: str, why: str) -> None:
    """Declare one of SCAN's exported EPCIS events (its EVENT_ID) in error (admins)."""
    from labelsvc.services.epcis import declare_error

    declare_error(app, cli_actor(), scan, event_id, reason=reason, why=why)
    click.echo(f"declared in error: {event_id}")

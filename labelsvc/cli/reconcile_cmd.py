"""``labelsvc reconcile``: at an authority, lease state per site and pool and the reports it
refused; a shell over :mod:`labelsvc.services.lease_state`."""

from __future__ import annotations

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.domain.reconcile import DiscrepancyState
from labelsvc.services import lease_state
from labelsvc.services.app import App

SUMMARY_COLUMNS = ("site", "pool", "leases", "granted", "used", "returned", "voided",
                   "expired", "outstanding")  # fmt: skip


@click.group()
def reconcile() -> None:
    """What sites reported about their leased serials, and what was refused."""


@reconcile.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def reconcile_status(app: App, as_json: bool) -> None:
    """Granted, used, returned, expired and outstanding serials per site and pool."""
    rows = lease_state.lease_summary(app.store, actor=cli_actor())
    if as_json:
        echo_json(rows)
        return
    echo_table(SUMMARY_COLUMNS, [[getattr(r, c) for c in SUMMARY_COLUMNS] for r in rows])
    waiting = lease_state.open_discrepancies(app.store, actor=cli_actor())
    if waiting:
        click.echo(f"{waiting} open discrepancies: labelsvc reconcile discrepancies", err=True)


@reconcile.command("discrepancies")
@click.option("--all", "everything", is_flag=True, help="Resolved ones too.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def reconcile_discrepancies(app: App, everything: bool, limit: int, as_json: bool) -> None:
    """Reports refused serial by serial (open ones unless --all), newest first."""
    rows = lease_state.list_discrepancies(
        app.store, actor=cli_actor(), state=None if everything else DiscrepancyState.OPEN,
        limit=limit,
    )  # fmt: skip
    if as_json:
        echo_json(rows)
        return
    echo_table(["id", "kind", "site", "lease", "value", "state", "detail"],
               [[d.id, d.kind, d.site, d.lease_id, d.value, d.state, d.detail]
                for d in rows])  # fmt: skip


@reconcile.command("resolve")
@click.argument("discrepancy_id", type=int)
@click.option("--note", default="", help="What was found.")
@pass_app
def reconcile_resolve(app: App, discrepancy_id: int, note: str) -> None:
    """Mark discrepancy ID looked into."""
    done = lease_state.resolve_discrepancy(app.store, discrepancy_id, actor=cli_actor(),
                                           note=note)  # fmt: skip
    click.echo(f"discrepancy {done.id} ({done.kind}, {done.value}) resolved")

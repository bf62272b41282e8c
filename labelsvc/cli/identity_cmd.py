"""``labelsvc identity``: the site's GLN and time zone, station SGLNs, partners (admins)."""

from __future__ import annotations

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.services import identity as ids
from labelsvc.services.app import App


@click.group()
def identity() -> None:
    """GS1 identities: site GLN and zone, station SGLNs, partner master data."""


@identity.command("show")
@pass_app
def show(app: App) -> None:
    """The site's GS1 identity (JSON)."""
    echo_json(ids.identity_view(ids.site_identity(app, cli_actor())))


@identity.command("site")
@click.option("--gln", help="The site's 13-digit GLN ('' clears it).")
@click.option("--prefix-length", type=int, help="Digits of the GLN that are the company prefix.")
@click.option("--timezone", help="IANA zone of the site, e.g. Europe/Berlin.")
@pass_app
def site(app: App, gln: str | None, prefix_length: int | None, timezone: str | None) -> None:
    """Set the site's GLN, company prefix length and time zone."""
    found = ids.set_site_identity(app, cli_actor(), gln=gln, prefix_length=prefix_length,
                                  timezone=timezone)  # fmt: skip
    echo_json(ids.identity_view(found))


@identity.command("station")
@click.argument("station")
@click.argument("sgln", default="")
@pass_app
def station(app: App, station: str, sgln: str) -> None:
    """Give STATION an SGLN URN or a GLN extension of the site's GLN (none: the default)."""
    click.echo(ids.set_station_sgln(app, cli_actor(), station, sgln or None) or "default")


@identity.command("partner")
@click.argument("name")
@click.option("--gln", required=True, help="The partner's 13-digit GLN.")
@click.option("--sgln", help="The partner's location as an SGLN URN (default: its GLN).")
@click.option("--description", default="")
@pass_app
def partner(app: App, name: str, gln: str, sgln: str | None, description: str) -> None:
    """Create or change a partner (a receipt's supplier, a shipment's destination)."""
    found = ids.save_partner(app, cli_actor(), name, gln=gln, sgln=sgln, description=description)
    click.echo(f"{found.name} {found.gln} {found.sgln or ''}".rstrip())


@identity.command("partners")
@pass_app
def partners(app: App) -> None:
    """List partners."""
    echo_table(["name", "gln", "sgln", "description"],
               [[p.name, p.gln, p.sgln or "", p.description] for p in ids.list_partners(
                   app, cli_actor())])  # fmt: skip

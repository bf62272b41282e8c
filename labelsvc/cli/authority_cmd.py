"""``labelsvc authority``: at a serial authority, the sites it leases to and their leases;
a shell over :mod:`labelsvc.services.lease_grant`."""

from __future__ import annotations

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.services import lease_grant
from labelsvc.services.app import App


@click.group()
def authority() -> None:
    """This instance as a serial authority: sites and the leases they hold."""


@authority.group("site")
def site() -> None:
    """Sites (or stations) that lease blocks of serials from here."""


@site.command("add")
@click.argument("name")
@click.option("--description", default="", help="What and where the site is.")
@pass_app
def site_add(app: App, name: str, description: str) -> None:
    """Register a site; its API token is printed once and never again."""
    made, token = lease_grant.register_site(app.store, name, cli_actor(), description)
    click.echo(token.secret)
    click.echo(f"site {made.name}: give it the token above once (labelsvc lease link "
               f"--site {made.name} --token ...); it is not shown again.", err=True)  # fmt: skip


@site.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def site_list(app: App, as_json: bool) -> None:
    """Sites with their state and when each last asked for a lease."""
    found = lease_grant.list_sites(app.store, cli_actor())
    if as_json:
        echo_json(found)
        return
    rows = [[s.name, s.state, s.last_seen_at or "-", s.description] for s in found]
    echo_table(["name", "state", "last seen", "description"], rows)


@site.command("decommission")
@click.argument("name")
@pass_app
def site_decommission(app: App, name: str) -> None:
    """Lease no more to a site (it returns what it holds unused through its outbox)."""
    done = lease_grant.decommission_site(app.store, name, cli_actor())
    click.echo(f"site {done.name} is {done.state}: it gets no new lease")


@authority.command("leases")
@click.option("--site", "site_name", help="Only this site's leases.")
@click.option("--pool", help="Only leases of this pool.")
@click.option("--limit", type=int, default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def leases(app: App, site_name: str | None, pool: str | None, limit: int, as_json: bool) -> None:
    """Leases newest first: granted, used, returned and outstanding serials of each."""
    found = lease_grant.list_leases(app.store, cli_actor(), site=site_name, pool=pool,
                                    limit=limit)  # fmt: skip
    if as_json:
        echo_json(found)
        return
    echo_table(
        ["id", "site", "pool", "outcome", "requested", "granted", "used", "returned",
         "outstanding", "expires", "reason"],
        [[r.id, r.site, r.pool, r.outcome, r.requested, r.granted, r.used, r.returned,
          r.outstanding, r.expires_at or "-", r.reason or ""] for r in found],
    )  # fmt: skip

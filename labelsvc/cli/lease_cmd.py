"""``labelsvc lease``: at a site, its link to the serial authority and its leased blocks;
a shell over :mod:`labelsvc.services.lease_site` and :mod:`labelsvc.services.lease_returns`."""

from __future__ import annotations

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_table
from labelsvc.services import lease_returns, lease_site
from labelsvc.services.app import App


@click.group()
def lease() -> None:
    """Blocks of serials leased from a central authority, for labelling offline."""


@lease.command("link")
@click.option("--authority", "url", required=True, help="The authority's base URL.")
@click.option("--site", "site_name", required=True, help="This site's name there.")
@click.option("--token", required=True, help="The token 'labelsvc authority site add' printed.")
@pass_app
def link(app: App, url: str, site_name: str, token: str) -> None:
    """Link this site to its authority (checked with one call)."""
    done = lease_site.link_authority(app, url=url, site=site_name, token=token,
                                     actor=cli_actor())  # fmt: skip
    click.echo(f"linked to {done.authority_url} as site {done.site}")
    if not done.reachable:
        click.echo(f"warning: authority-unreachable: {done.detail}", err=True)


@lease.command("pool")
@click.argument("name")
@click.option("--gtin", help="Only this GTIN of a unit pool.")
@click.option("--block", type=int, required=True, help="Serials asked for in one block.")
@click.option("--low-water", type=int, required=True, help="Ask for a block at this many left.")
@pass_app
def pool(app: App, name: str, gtin: str | None, block: int, low_water: int) -> None:
    """Define pool NAME here as the authority does, supplied by its leases."""
    made = lease_site.mirror_pool(app, name, actor=cli_actor(), block=block,
                                  low_water=low_water, gtin=gtin)  # fmt: skip
    click.echo(f"pool {made.spec.name} ({made.spec.kind}) is leased: blocks of {block:,} at "
               f"{low_water:,} left; {made.remaining:,} here now")  # fmt: skip


@lease.command("request")
@click.argument("pool_name")
@click.option("--gtin", help="The GTIN of a unit pool (default: its first).")
@click.option("--count", type=int, help="Serials to ask for (default: the pool's block).")
@pass_app
def request(app: App, pool_name: str, gtin: str | None, count: int | None) -> None:
    """Ask the authority for a block now."""
    done = lease_site.request_block(app, pool_name, actor=cli_actor(), gtin=gtin, count=count)
    if done.outcome == "refused":
        click.echo(f"error: lease-refused: {done.reason}", err=True)
        raise SystemExit(1)
    why = f" ({done.reason})" if done.reason else ""
    click.echo(f"lease {done.lease_id}: {done.outcome}, {done.granted:,} of "
               f"{done.request.count:,} serials{why}")  # fmt: skip


@lease.command("status")
@pass_app
def status(app: App) -> None:
    """The link, every leased block (available, state, expiry) and the latest requests."""
    found = lease_returns.lease_status(app, actor=cli_actor())
    if found.link is None:
        click.echo("not linked to an authority (labelsvc lease link)")
    else:
        shown = found.link
        click.echo(f"authority {shown.authority_url}, site {shown.site}: {shown.state}; "
                   f"{found.undelivered} reports not delivered yet")  # fmt: skip
    echo_table(["pool", "gtin", "lease", "count", "available", "state", "expires"],
               [[b.pool, b.gtin or "-", b.reference, b.count, b.available, b.state,
                 b.expires_at or "-"] for b in found.blocks])  # fmt: skip
    echo_table(["request", "pool", "gtin", "count", "state", "lease", "granted", "reason"],
               [[r.collection_id[:8], r.pool, r.gtin or "-", r.count, r.state, r.lease_id or "-",
                 r.granted, r.reason or r.last_error or ""] for r in found.requests])  # fmt: skip


@lease.command("return")
@click.argument("serials", nargs=-1)
@click.option("--pool", "pool_name", help="Only this pool's blocks.")
@click.option("--lease", "lease_id", type=int, help="Only this lease's block.")
@click.option("--count", type=int, help="Return this many (default: every unused one).")
@pass_app
def give_back(app: App, serials: tuple[str, ...], pool_name: str | None, lease_id: int | None,
              count: int | None) -> None:  # fmt: skip
    """Give unused leased serials back (the named SERIALS, or by pool, lease and count)."""
    actor = cli_actor()
    if serials:
        done = lease_returns.return_serials(app, serials, actor=actor)
    else:
        done = lease_returns.return_leased(app, actor=actor, pool=pool_name, lease=lease_id,
                                           count=count)  # fmt: skip
    click.echo(f"returned {done.serials:,} serials of {done.blocks} blocks; the authority is "
               "told through the outbox")  # fmt: skip


@lease.command("decommission")
@pass_app
def decommission(app: App) -> None:
    """Return every unused serial and leave the authority: no new lease from now on."""
    click.echo(lease_returns.decommission(app, actor=cli_actor()))


@lease.command("sync")
@pass_app
def sync(app: App) -> None:
    """One round of what 'serve' does on its own: refill, expire, report (for cron, tests).

    The reports wait in the outbox; 'serve' or 'labelsvc webhooks run' delivers them.
    """
    from labelsvc.services.site_worker import sync_once

    for step, done in sync_once(app).items():
        click.echo(f"{step}: {done}")

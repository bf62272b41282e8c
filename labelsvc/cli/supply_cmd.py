"""``labelsvc supply``: serials issued elsewhere: import a list, name an issuer, status; a
shell over :mod:`labelsvc.services.supply_files` and :mod:`labelsvc.services.issuer_client`."""

from __future__ import annotations

from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.services.app import App
from labelsvc.services.issuer_client import configure_issuer, refill_from_issuers, supply_status
from labelsvc.services.supply_files import import_list


@click.group()
def supply() -> None:
    """Serials issued elsewhere: list pools, their files and issuers."""


@supply.command("import")
@click.argument("pool")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--gtin", help="The GTIN the serials are for (a unit pool of several GTINs).")
@pass_app
def supply_import(app: App, pool: str, file: Path, gtin: str | None) -> None:
    """Import FILE (CSV or XML with count and sha256) into POOL, whole or not at all."""
    done = import_list(app.store, pool, file.name, file.read_bytes(), actor=cli_actor(),
                       gtin=gtin)  # fmt: skip
    click.echo(f"pool {pool}: {done.count:,} serials from {file.name} ({done.format}, sha256 "
               f"{done.sha256[:12]}...) in block {done.block.id}")  # fmt: skip


@supply.command("issuer")
@click.argument("pool")
@click.option("--url", required=True, help="The issuer's endpoint (POST, JSON; see README).")
@click.option("--token", help="Sent as 'Authorization: Bearer TOKEN'.")
@click.option("--block", type=click.IntRange(min=1), required=True, help="Serials per request.")
@click.option("--low-water", type=click.IntRange(min=0), required=True,
              help="Request a block when fewer serials than this are left.")  # fmt: skip
@click.option("--gtin", help="The GTIN it issues for (a unit pool of several GTINs).")
@click.option("--report-url", help="Report use of its serials there (topic list.usage).")
@pass_app
def supply_issuer(app: App, pool: str, url: str, token: str | None, block: int, low_water: int,
                  gtin: str | None, report_url: str | None) -> None:  # fmt: skip
    """Let list POOL refill from an issuer's endpoint when it runs low."""
    made = configure_issuer(app, pool, url=url, token=token, block=block, low_water=low_water,
                            gtin=gtin, report_url=report_url, actor=cli_actor())  # fmt: skip
    click.echo(f"pool {pool}: asks {url} for {block:,} serials below {low_water:,}")
    if made.report_secret:
        click.echo(made.report_secret)
        click.echo(f"use is reported to {report_url} (subscription "
                   f"{made.issuer.subscription}); the secret above signs each report and is "
                   "not shown again.", err=True)  # fmt: skip


@supply.command("refill")
@pass_app
def supply_refill(app: App) -> None:
    """One round: each list pool below its low-water mark asks its issuer for a block."""
    click.echo(f"{refill_from_issuers(app)} block(s) received")


@supply.command("status")
@click.argument("pool", required=False)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def supply_status_cmd(app: App, pool: str | None, as_json: bool) -> None:
    """List pools: free serials, blocks, and their issuer's last request."""
    found = supply_status(app, cli_actor(), pool)
    if as_json:
        echo_json(found)
        return
    echo_table(
        ["pool", "available", "blocks", "issuer", "low-water", "pending", "last error"],
        [[s.pool, f"{s.available:,}", len(s.blocks), s.issuer.url if s.issuer else "",
          s.issuer.low_water if s.issuer else "", s.issuer.pending_collection or ""
          if s.issuer else "", (s.issuer.last_error or "") if s.issuer else ""]
         for s in found],
    )  # fmt: skip

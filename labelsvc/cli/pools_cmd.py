"""``labelsvc pools``: list, show, load and change serial pools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.services.app import App
from labelsvc.services.pools import (
    PoolStatus,
    get_pool,
    list_pools,
    load_pool_files,
    save_pool,
    set_pool_state,
    spec_from_mapping,
)


@click.group()
def pools() -> None:
    """Serial pools: capacity, usage and state."""


def _row(p: PoolStatus) -> list[Any]:
    s = p.spec
    warn = "LOW " if p.low else ""
    warn += "GUESSABLE" if p.guessable else ""
    return [s.name, s.kind, s.strategy, s.state, f"{p.used:,}", f"{p.remaining:,}",
            f"{p.percent_used:.4f}%", warn.strip()]  # fmt: skip


@pools.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_(app: App, as_json: bool) -> None:
    """Every pool with its use and what remains."""
    found = list_pools(app.store, cli_actor())
    if as_json:
        echo_json([{**json.loads(json.dumps(_plain(p))), "remaining": p.remaining} for p in found])
        return
    echo_table(["name", "kind", "strategy", "state", "used", "remaining", "used %", "warnings"],
               [_row(p) for p in found])  # fmt: skip


def _plain(p: PoolStatus) -> dict[str, Any]:
    from labelsvc.cli.output import to_plain

    plain: dict[str, Any] = to_plain(p)
    plain["percent_used"] = p.percent_used
    return plain


@pools.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: App, name: str, as_json: bool) -> None:
    """One pool in detail."""
    p = get_pool(app.store, name, cli_actor())
    if as_json:
        echo_json(_plain(p))
        return
    for key, value in _plain(p)["spec"].items():
        click.echo(f"{key:16} {value}")
    click.echo(f"{'capacity':16} {p.capacity:,}")
    click.echo(f"{'used':16} {p.used:,} ({p.percent_used:.4f}%)")
    click.echo(f"{'remaining':16} {p.remaining:,}")
    if p.low:
        click.secho("warning: below its low-water mark", fg="yellow")
    if p.guessable:
        click.secho("warning: more than 1/10,000 used; serials become guessable", fg="yellow")


@pools.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Apply files even over an admin's later change.")
@pass_app
def load(app: App, folder: Path | None, force: bool) -> None:
    """Import pool definitions (*.toml) from FOLDER (default: the configured folder)."""
    folder = folder or app.settings.path(app.settings.paths.serial_pools)
    report = load_pool_files(app.store, folder, cli_actor(), force=force)
    click.echo(f"{len(report)} pool file(s): {', '.join(map(str, report))}")


@pools.command()
@click.argument("name")
@click.option("--kind", type=click.Choice(["unit", "sscc", "custom"]), required=True)
@click.option("--strategy", type=click.Choice(["sequential", "random"]), default="sequential")
@click.option("--gtin", "gtins", multiple=True, help="GTIN served (unit pools; repeatable).")
@click.option("--company-prefix")
@click.option("--extension-digit", type=int)
@click.option("--pattern", help="e.g. 'SN-{seq:08}' or 'T-{rand}'.")
@click.option("--alphabet")
@click.option("--length", type=int)
@click.option("--start", "range_start", type=int)
@click.option("--end", "range_end", type=int)
@click.option("--low-water", type=int, default=0)
@click.option("--description", default="")
@pass_app
def create(app: App, name: str, **options: Any) -> None:
    """Create or change a pool (same keys as the TOML files)."""
    data = {k: v for k, v in options.items() if v not in (None, ())}
    data["gtins"] = list(options["gtins"])
    spec = spec_from_mapping({"name": name, **data}, "command line")
    p = save_pool(app.store, spec, cli_actor())
    click.echo(f"pool {p.spec.name}: capacity {p.capacity:,}, used {p.used:,}")


def _state_command(command: str, state: str, help_text: str) -> None:
    @pools.command(command, help=help_text)
    @click.argument("name")
    @pass_app
    def change(app: App, name: str) -> None:
        p = set_pool_state(app.store, name, state, cli_actor())  # type: ignore[arg-type]
        click.echo(f"pool {p.spec.name} is now {p.spec.state}")


_state_command("suspend", "suspended", "Stop allocations from a pool for now.")
_state_command("resume", "active", "Allow allocations from a suspended pool again.")
_state_command("retire", "retired", "Retire a pool for good.")

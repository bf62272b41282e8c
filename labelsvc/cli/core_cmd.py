"""``labelsvc init``, ``serve`` and ``allocate``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from labelsvc.cli import CliState, pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json
from labelsvc.services.allocation import allocate as allocate_serials
from labelsvc.services.app import App


def _site_config(ctx: click.Context, folder: Path | None) -> Path:
    """The config file of the site to make: DIR, else --config / LABELSVC_CONFIG, else here."""
    if folder is not None:
        return folder / "config.toml"
    state = ctx.find_object(CliState)
    if state is not None and state.config_path:
        return Path(state.config_path)
    return Path.cwd() / "config.toml"


@click.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-demo", is_flag=True, help="Do not add the demo product.")
@click.option("--admin-password", help="Password of the first admin (default: generated).")
@click.pass_context
def init(
    ctx: click.Context, folder: Path | None, no_demo: bool, admin_password: str | None
) -> None:
    """Make a site in FOLDER (default: here): config, pools, printers, templates, database.

    Files that exist are kept; running it again loads the definitions again.
    """
    from labelsvc.config import load_settings
    from labelsvc.services.app import App
    from labelsvc.services.bootstrap import initialize
    from labelsvc.services.reserve import keep_reserve
    from labelsvc.services.site import create_site

    config = _site_config(ctx, folder).absolute()
    made = create_site(config.parent, config.name)
    click.echo(f"site: {config.parent}")
    click.echo(f"made: {', '.join(made)}" if made else "made: nothing new (files kept)")
    app = App.open(load_settings(config), create=True)
    report = initialize(app, demo=not no_demo, admin_password=admin_password)
    if app.store.kind == "sqlite":
        keep_reserve(app.store.path.parent)
    click.echo(f"database: {app.store.describe()}")
    click.echo(f"pools: {', '.join(report.pools) or 'none'}")
    click.echo(f"printers: {', '.join(report.printers) or 'none'}")
    if report.templates:
        click.echo(f"label templates: {', '.join(report.templates)}")
    if report.products_created:
        click.echo(f"demo products added: {report.products_created}")
    if report.admin_password:
        click.secho(
            f"first admin user: admin  password: {report.admin_password}  (shown once; change it "
            "with 'labelsvc users passwd admin')",
            fg="yellow",
        )
    here = "" if config.parent == Path.cwd() else f"cd {config.parent} && "
    click.echo(f"next: {here}labelsvc serve")


@click.command()
@click.option("--host", help="Bind address (default from config: server.host).")
@click.option("--port", type=int, help="Port (default from config: server.port).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run the web service (waitress) with the print workers."""
    from labelsvc.services.reserve import release_if_full
    from labelsvc.web.server import check_binding, run_server

    state = ctx.find_object(CliState)
    assert state is not None
    settings = state.settings
    check_binding(host or settings.server.host, settings.server.login_required)  # before all
    database = settings.path(settings.storage.database)
    full = release_if_full(database.parent) if database.exists() else None
    run_server(state.app, host=host, port=port, warning=full)


@click.command()
@click.option("--pool", required=True, help="Pool to allocate from.")
@click.option("--count", type=click.IntRange(1), default=1, show_default=True)
@click.option("--gtin", help="GTIN, when a unit pool serves several.")
@click.option("--key", "idempotency_key", help="Idempotency key: the same key, the same serials.")
@click.option("--station", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the serials to this file, one a line.")  # fmt: skip
@pass_app
def allocate(
    app: App, pool: str, count: int, gtin: str | None, idempotency_key: str | None,
    station: str, as_json: bool, output: Path | None,
) -> None:  # fmt: skip
    """Allocate serials from a pool (all or nothing)."""
    with click.progressbar(length=count, label=f"allocating {count:,}", file=sys.stderr) as bar:
        result = allocate_serials(
            app.store, pool, count, actor=cli_actor(station), idempotency_key=idempotency_key,
            gtin=gtin, station=station, progress=bar.update,
            limit=app.settings.limits.max_allocation,
        )  # fmt: skip
    if output:
        output.write_text("\n".join(result.serials) + "\n", encoding="utf-8")
    if as_json:
        echo_json(result)
        return
    if not output:
        for serial in result.serials:
            click.echo(serial)
    note = " (replayed: nothing new allocated)" if result.replayed else ""
    click.echo(f"allocation {result.id}: {result.count:,} from {result.pool}{note}", err=True)

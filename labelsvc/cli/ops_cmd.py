"""``labelsvc doctor|backup|restore|purge``: running a site."""

from __future__ import annotations

from pathlib import Path

import click

from labelsvc.cli import CliState, pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.services.app import App


@click.command()
@pass_app
def doctor(app: App) -> None:
    """Check the site (config, store, permissions, disk, printers) and say what to fix."""
    from labelsvc.services.doctor import diagnose

    findings = diagnose(app)
    colours = {"ok": "green", "warn": "yellow", "fail": "red"}
    for f in findings:
        click.secho(f"{f.level:<5}", fg=colours[f.level], nl=False)
        click.echo(f" {f.check:<12} {f.detail}" + (f"\n{'':18}fix: {f.fix}" if f.fix else ""))
    failed = sum(f.level == "fail" for f in findings)
    click.echo(
        f"{len(findings)} checks, {failed} to fix"
        if failed
        else f"{len(findings)} checks, all usable"
    )
    if failed:
        raise SystemExit(1)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def backup(app: App, file: Path) -> None:
    """Copy the database to FILE while the service runs (a consistent snapshot)."""
    from labelsvc.services.maintenance import backup as make_backup

    size = make_backup(app, cli_actor(), file)
    click.echo(f"backup of {app.store.path} written to {file} ({size:,} bytes, mode 600)")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@click.pass_context
def restore(ctx: click.Context, file: Path, yes: bool) -> None:
    """Check FILE and make it the site's database (stop 'labelsvc serve' first).

    Every sequential pool then moves past the values it may have issued after the backup,
    so no serial or SSCC is ever issued twice.
    """
    from labelsvc.services.maintenance import restore as restore_backup

    state = ctx.find_object(CliState)
    assert state is not None
    settings = state.settings
    target = settings.path(settings.storage.database)
    if target.exists() and not yes:
        click.confirm(f"Replace {target} with {file}?", abort=True)
    report = restore_backup(settings, file, cli_actor())
    click.echo(f"restored {file} into {report.database}")
    if not report.live_readable:
        click.echo("the replaced database could not be read: pools moved by storage.restore_margin")
    for jump in report.jumps:
        click.echo(f"pool {jump.pool}: next value {jump.from_value:,} -> {jump.to_value:,}")


@click.command()
@click.option("--days", type=click.IntRange(1), help="Age in days (default: config's "
              "storage.purge_label_data_days).")  # fmt: skip
@pass_app
def purge(app: App, days: int | None) -> None:
    """Drop stored label data of jobs sent or cancelled long ago (events and serials stay)."""
    from labelsvc.services.maintenance import purge_label_data

    count = purge_label_data(app, days)
    click.echo(f"label data of {count:,} finished job(s) dropped")

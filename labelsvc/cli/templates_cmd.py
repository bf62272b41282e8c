"""``labelsvc templates``: import label templates from files into the site's database."""

from __future__ import annotations

from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.services.app import App


@click.group("templates")
def templates() -> None:
    """Label templates: the database holds them; files are imported."""


@templates.command("load")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Apply files even over an admin's later change.")
@pass_app
def templates_load(app: App, folder: Path | None, force: bool) -> None:
    """Import *.zpl.j2 from FOLDER (default: the configured folder), validated first."""
    from labelsvc.services.templates import load_template_files

    folder = folder or app.settings.path(app.settings.paths.zpl)
    report = load_template_files(app.store, folder, cli_actor(), force=force)
    click.echo(f"{len(report)} template file(s): {', '.join(map(str, report))}")


@templates.command("list")
@pass_app
def templates_list(app: App) -> None:
    """The templates this site prints with."""
    for name in app.templates.names():
        click.echo(f"{name:<24} {app.templates.kind_of(name)}")

"""``labelsvc db``: the store's schema version, migrations and moving a site to PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from labelsvc.cli import pass_settings
from labelsvc.config import Settings

if TYPE_CHECKING:
    from labelsvc.store import Store


def _open(settings: Settings, location: str | None = None) -> Store:
    """The configured store (or another one), without migrating it."""
    from labelsvc.store import Store

    return Store(
        location or settings.storage.location(settings),
        busy_timeout_ms=settings.storage.busy_timeout_ms,
        pool_size=4,
    )


@click.group("db")
def db() -> None:
    """The database: its version, migrations, and a copy into PostgreSQL."""


@db.command("status")
@pass_settings
def db_status(settings: Settings) -> None:
    """Say which store this site uses and which migrations it has and lacks."""
    from labelsvc.store.migrations import applied, available

    store = _open(settings)
    with store.read() as tx:
        done = applied(tx.conn)
    known = available()
    click.echo(f"store: {store.kind} {store.describe()}")
    click.echo(f"migrations applied: {len(done)} (latest {done[-1] if done else 'none'})")
    pending = [m for m in known if m not in done]
    unknown = [m for m in done if m not in known]
    if pending:
        click.echo(f"pending: {', '.join(pending)} (run 'labelsvc db migrate')")
    if unknown:
        click.secho(f"made by a newer labelsvc: {', '.join(unknown)}", fg="red")
        raise SystemExit(1)


@db.command("migrate")
@pass_settings
def db_migrate(settings: Settings) -> None:
    """Apply pending migrations (refused on a database a newer labelsvc migrated)."""
    store = _open(settings)
    ran = store.migrate()
    click.echo(f"{store.describe()}: {'applied ' + ', '.join(ran) if ran else 'up to date'}")


@db.command("copy")
@click.option("--to", "target_url", required=True, help="postgresql://... of an empty database.")
@pass_settings
def db_copy(settings: Settings, target_url: str) -> None:
    """Copy this SQLite site into an empty PostgreSQL database and verify the copy.

    Stop the service first. Afterwards set storage.url to the new database.
    """
    from labelsvc.store.copy import copy_store

    source, target = _open(settings), _open(settings, target_url)
    report = copy_store(source, target)
    for table in report:
        click.echo(f"{table.name:<24} {table.source_rows:>10,} rows -> {table.target_rows:>10,}")
    click.echo(
        f"verified: {len(report)} tables with equal row counts, every serial unique. "
        f'Set storage.url = "{target_url}" to use it.'
    )

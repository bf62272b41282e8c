"""``labelsvc products``, ``users`` and ``tokens``."""

from __future__ import annotations

from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.domain.actors import ROLES, SCOPES
from labelsvc.services.app import App
from labelsvc.services.products import list_products, read_product_file, save_products
from labelsvc.services.users import (
    add_user,
    change_user,
    create_token,
    revoke_token,
    users_and_tokens,
)


@click.group()
def products() -> None:
    """Products (GTIN, SKU, packaging)."""


@products.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def products_load(app: App, file: Path) -> None:
    """Load products from a CSV (header row) or JSON file; all or nothing."""
    found = read_product_file(file)
    created, updated = save_products(app.store, found, cli_actor())
    click.echo(f"{created} created, {updated} updated")


@products.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def products_list(app: App, as_json: bool) -> None:
    """List products."""
    found = list_products(app.store, cli_actor())
    if as_json:
        echo_json(found)
        return
    echo_table(
        ["gtin", "sku", "description", "per case", "per pallet", "pool"],
        [[p.gtin, p.sku, p.description, p.units_per_case, p.cases_per_pallet, p.unit_pool]
         for p in found],
    )  # fmt: skip


@click.group()
def users() -> None:
    """People who log in to the pages."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.password_option(help="Password (asked for when not given).")
@pass_app
def users_add(app: App, name: str, role: str, password: str) -> None:
    """Add a user with a role."""
    add_user(app.store, name, role, password, cli_actor())
    click.echo(f"user {name} added as {role}")


@users.command("passwd")
@click.argument("name")
@click.password_option()
@pass_app
def users_passwd(app: App, name: str, password: str) -> None:
    """Set a user's password."""
    change_user(app.store, name, cli_actor(), password=password)
    click.echo(f"password of {name} changed")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_app
def users_role(app: App, name: str, role: str) -> None:
    """Change a user's role."""
    change_user(app.store, name, cli_actor(), role=role)
    click.echo(f"{name} is now {role}")


@users.command("disable")
@click.argument("name")
@pass_app
def users_disable(app: App, name: str) -> None:
    """Disable a user; they can no longer log in."""
    change_user(app.store, name, cli_actor(), disabled=True)
    click.echo(f"{name} disabled")


@users.command("list")
@pass_app
def users_list(app: App) -> None:
    """List users."""
    found, _ = users_and_tokens(app, cli_actor())
    echo_table(["name", "role", "created", "disabled"],
               [[u.name, u.role, u.created_at, u.disabled_at or ""] for u in found])  # fmt: skip


@click.group()
def tokens() -> None:
    """API tokens for programs such as a WMS."""


@tokens.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES), required=True,
              help="read, label, pack, receive or admin (repeatable).")  # fmt: skip
@pass_app
def tokens_create(app: App, name: str, scopes: tuple[str, ...]) -> None:
    """Create a token; its secret is printed once and never stored."""
    token = create_token(app.store, name, list(scopes), cli_actor())
    click.echo(token.secret)
    click.echo(
        f"token {token.name} ({', '.join(token.scopes)}): keep the secret above; it is "
        "not shown again.",
        err=True,
    )


@tokens.command("list")
@pass_app
def tokens_list(app: App) -> None:
    """List tokens (never their secrets)."""
    _, found = users_and_tokens(app, cli_actor())
    echo_table(["name", "scopes", "created", "revoked"],
               [[t.name, ",".join(t.scopes), t.created_at, t.revoked_at or ""]
                for t in found])  # fmt: skip


@tokens.command("revoke")
@click.argument("name")
@pass_app
def tokens_revoke(app: App, name: str) -> None:
    """Revoke a token at once."""
    revoke_token(app.store, name, cli_actor())
    click.echo(f"token {name} revoked")

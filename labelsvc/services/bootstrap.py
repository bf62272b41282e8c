"""Start-up: apply definitions from files and, on a fresh install, create demo data."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from labelsvc.domain.actors import SYSTEM, Actor
from labelsvc.services.app import App
from labelsvc.services.pools import load_pool_files
from labelsvc.services.printers import sync_printers
from labelsvc.services.products import read_product_file, save_products
from labelsvc.services.site import demo_products
from labelsvc.services.templates import load_template_files
from labelsvc.services.users import add_user


@dataclass
class InitReport:
    """What ``labelsvc init`` did, to tell the person who ran it."""

    pools: list[str] = field(default_factory=list)
    printers: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    products_created: int = 0
    admin_password: str | None = None


def load_definitions(app: App, actor: Actor = SYSTEM) -> InitReport:
    """Import pools and printers from their folders (``init`` and explicit loads)."""
    report = InitReport()
    report.pools = [
        str(i)
        for i in load_pool_files(
            app.store, app.settings.path(app.settings.paths.serial_pools), actor
        )
    ]
    report.printers = [p.name for p in sync_printers(app)]
    report.templates = [
        str(i)
        for i in load_template_files(app.store, app.settings.path(app.settings.paths.zpl), actor)
    ]
    return report


def initialize(app: App, *, demo: bool = True, admin_password: str | None = None) -> InitReport:
    """Create the database, load definitions, add the demo product and a first admin."""
    report = load_definitions(app)
    products = demo_products(app.settings.base_dir)
    if demo and products.exists():
        report.products_created, _ = save_products(app.store, read_product_file(products), SYSTEM)
    with app.store.read() as tx:
        has_users = bool(tx.users.all())
    if not has_users:
        password = admin_password or secrets.token_urlsafe(12)
        add_user(app.store, "admin", "admin", password, SYSTEM)
        report.admin_password = password
    return report

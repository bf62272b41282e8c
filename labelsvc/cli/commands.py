"""The table of commands: name, where it lives, and its one-line help.

The command modules import the services, the store and the label renderer; importing all
of them costs most of a second before any command runs. :class:`LazyGroup` imports only
the module of the command that is run, and ``--help`` lists the commands from this table.
"""

from __future__ import annotations

import importlib

import click

# name → (module, attribute, one-line help), in the order --help lists them.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("labelsvc.cli.core_cmd", "init", "Make a site folder and its database (demo data)."),
    "serve": ("labelsvc.cli.core_cmd", "serve", "Run the web service with the print workers."),
    "allocate": ("labelsvc.cli.core_cmd", "allocate", "Allocate serials from a pool."),
    "db": ("labelsvc.cli.db_cmd", "db", "The database: migrations, a copy into PostgreSQL."),
    "doctor": ("labelsvc.cli.ops_cmd", "doctor", "Check the site and say what to fix."),
    "backup": ("labelsvc.cli.ops_cmd", "backup", "Copy the database consistently, online."),
    "restore": ("labelsvc.cli.ops_cmd", "restore", "Check a backup and restore it."),
    "purge": ("labelsvc.cli.ops_cmd", "purge", "Drop stored label data of old finished jobs."),
    "pools": ("labelsvc.cli.pools_cmd", "pools", "Serial pools: capacity, usage and state."),
    "products": ("labelsvc.cli.admin_cmd", "products", "Products (GTIN, SKU, packaging)."),
    "users": ("labelsvc.cli.admin_cmd", "users", "People who log in to the pages."),
    "tokens": ("labelsvc.cli.admin_cmd", "tokens", "API tokens for programs such as a WMS."),
    "render": ("labelsvc.cli.render_cmd", "render", "Render one label from a template."),
    "templates": ("labelsvc.cli.templates_cmd", "templates", "Label templates: import, list."),
    "print": ("labelsvc.cli.labels_cmd", "print_labels", "Allocate serials and print labels."),
    "reprint": ("labelsvc.cli.labels_cmd", "reprint", "Print an existing serial's label again."),
    "void": ("labelsvc.cli.labels_cmd", "void", "Retire a serial whose label was destroyed."),
    "printers": (
        "labelsvc.cli.printing_cmd",
        "printers",
        "Printers: list, status, history, test print.",
    ),
    "jobs": ("labelsvc.cli.printing_cmd", "jobs", "The print queue."),
    "emulate-printer": ("labelsvc.cli.printing_cmd", "emulate_printer", "Run a printer emulator."),
    "print-worker": ("labelsvc.cli.printing_cmd", "work", "Run the print workers on their own."),
    "gs1": ("labelsvc.cli.gs1_cmd", "gs1", "Parse and build GS1 element strings and links."),
    "receipts": ("labelsvc.cli.flows_cmd", "receipts", "Receiving against an ASN or PO."),
    "pack": ("labelsvc.cli.flows_cmd", "pack", "Packing: units into cases, cases on pallets."),
    "ship": ("labelsvc.cli.flows_cmd", "ship", "Ship a unit, case or pallet."),
    "unship": ("labelsvc.cli.flows_cmd", "unship", "Undo a shipment (a return)."),
    "orders": ("labelsvc.cli.orders_cmd", "orders_group", "Outbound orders: pick and ship."),
    "returns": ("labelsvc.cli.orders_cmd", "returns_group", "Returns (RMA): check and decide."),
    "flow-metrics": ("labelsvc.cli.orders_cmd", "flow_metrics", "Trace time, recall scope."),
    "trace": ("labelsvc.cli.trace_cmd", "trace", "State, parents, contents and timeline."),
    "find": ("labelsvc.cli.trace_cmd", "find", "Find serials by GTIN, lot, receipt or time."),
    "quarantine": ("labelsvc.cli.trace_cmd", "quarantine", "Hold an item, container or lot."),
    "release": ("labelsvc.cli.trace_cmd", "release", "Release a held item, container or lot."),
    "export": ("labelsvc.cli.trace_cmd", "export", "Export EPCIS 2.0 JSON-LD."),
    "webhooks": ("labelsvc.cli.webhooks_cmd", "webhooks", "Webhook and EPCIS subscriptions."),
    "locations": ("labelsvc.cli.locations_cmd", "locations", "Sites, zones and bins."),
    "move": ("labelsvc.cli.locations_cmd", "move", "Put items or containers into a location."),
    "touchpoints": ("labelsvc.cli.locations_cmd", "touchpoints_group", "Touchpoints and scans."),
    "count": ("labelsvc.cli.locations_cmd", "count", "Cycle counts of a bin or container."),
    "identity": ("labelsvc.cli.identity_cmd", "identity", "GS1 identities: site, stations."),
    "epcis": ("labelsvc.cli.epcis_cmd", "epcis", "EPCIS 2.0 capture and query."),
    "authority": ("labelsvc.cli.authority_cmd", "authority", "Serial authority: sites, leases."),
    "lease": ("labelsvc.cli.lease_cmd", "lease", "A site's leased blocks of serials."),
    "supply": ("labelsvc.cli.supply_cmd", "supply", "Serials issued elsewhere: import, issuer."),
    "reconcile": ("labelsvc.cli.reconcile_cmd", "reconcile", "Leased serials: state, refusals."),
}


def load_command(name: str) -> click.Command | None:
    """Import the module of command ``name`` and return the command (None if unknown)."""
    entry = COMMANDS.get(name)
    if entry is None:
        return None
    command = getattr(importlib.import_module(entry[0]), entry[1])
    assert isinstance(command, click.Command)
    return command


def all_commands() -> list[click.Command]:
    """Every command, imported (for documentation checks, not for running one)."""
    return [c for name in COMMANDS if (c := load_command(name)) is not None]


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or load_command(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from the table, without importing them."""
        rows = [(name, entry[2]) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

"""The list of command groups, one module each."""

from __future__ import annotations

import importlib

import click

# (module, attribute) of every command, in the order --help lists them.
COMMANDS: list[tuple[str, str]] = [
    ("labelsvc.cli.core_cmd", "init"),
    ("labelsvc.cli.core_cmd", "serve"),
    ("labelsvc.cli.core_cmd", "allocate"),
    ("labelsvc.cli.db_cmd", "db"),
    ("labelsvc.cli.pools_cmd", "pools"),
    ("labelsvc.cli.admin_cmd", "products"),
    ("labelsvc.cli.admin_cmd", "users"),
    ("labelsvc.cli.admin_cmd", "tokens"),
    ("labelsvc.cli.render_cmd", "render"),
    ("labelsvc.cli.templates_cmd", "templates"),
    ("labelsvc.cli.labels_cmd", "print_labels"),
    ("labelsvc.cli.labels_cmd", "reprint"),
    ("labelsvc.cli.labels_cmd", "void"),
    ("labelsvc.cli.printing_cmd", "printers"),
    ("labelsvc.cli.printing_cmd", "jobs"),
    ("labelsvc.cli.printing_cmd", "emulate_printer"),
    ("labelsvc.cli.printing_cmd", "work"),
    ("labelsvc.cli.gs1_cmd", "gs1"),
    ("labelsvc.cli.flows_cmd", "receipts"),
    ("labelsvc.cli.flows_cmd", "pack"),
    ("labelsvc.cli.flows_cmd", "ship"),
    ("labelsvc.cli.flows_cmd", "unship"),
    ("labelsvc.cli.trace_cmd", "trace"),
    ("labelsvc.cli.trace_cmd", "find"),
    ("labelsvc.cli.trace_cmd", "quarantine"),
    ("labelsvc.cli.trace_cmd", "release"),
    ("labelsvc.cli.trace_cmd", "export"),
]


def all_commands() -> list[click.Command]:
    """Import each command module and return its click command."""
    found = []
    for module_name, attr in COMMANDS:
        module = importlib.import_module(module_name)
        found.append(getattr(module, attr))
    return found

"""``labelsvc trace|find|quarantine|release|export``: look up, hold and export history."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table, scan_text
from labelsvc.services import putaway
from labelsvc.services import trace as tracing
from labelsvc.services.app import App
from labelsvc.services.metrics_flows import measured_trace
from labelsvc.services.trace import HoldResult, Trace


@click.command()
@click.argument("scan")
@click.option("--json", "as_json", is_flag=True, help="Print the whole trace as JSON.")
@pass_app
def trace(app: App, scan: str, as_json: bool) -> None:
    """Anything scanned: state, parent chain, what is inside, and its history."""
    actor = cli_actor()
    with measured_trace(app, actor, scan, "cli") as clock:  # time to trace, to the last line
        t = tracing.trace(app, scan_text(scan), actor=actor)
        _print_trace(t, as_json)
        clock.answered(1 + len(t.descendants))


def _print_trace(t: Trace, as_json: bool) -> None:
    if as_json:
        echo_json(t)
        return
    i = t.item
    hold = f", on hold ({i.hold})" if i.hold else ""
    click.echo(f"{i.name}: {i.level or i.kind}, {i.state}{hold}")
    if i.lot or i.expiry:
        click.echo(f"lot {i.lot or '-'}, expiry {i.expiry or '-'}")
    if t.extra_ais:
        from labelsvc.gs1 import AI_TABLE  # the dictionary: only when there is an AI to name

        for ai, value in sorted(t.extra_ais.items()):
            click.echo(f"({ai}) {AI_TABLE[ai].title if ai in AI_TABLE else ''}: {value}")
    if t.container:
        c = t.container
        click.echo(f"{c.level} {c.state}, {c.count}{f'/{c.capacity}' if c.capacity else ''}")
    for a in t.ancestors:
        click.echo(f"  in {a.name} ({a.level})")
    if t.receipts:
        click.echo(f"received on {', '.join(t.receipts)}")
    if t.location:
        click.echo(f"at {t.location.code} ({t.location.kind}) since {t.location_history[-1].at}"
                   if t.location_history else f"at {t.location.code}")  # fmt: skip
    for step in t.location_history:
        click.echo(f"  {step.at} {step.type}: {step.came_from or '-'} -> {step.went_to or '-'}")
    if t.descendants:
        click.echo(f"holds {len(t.descendants)} item(s), {t.units} unit(s)")
    echo_table(["at", "event", "actor", "station", "parent", "details"],
               [[e.at, e.type, e.actor, e.station, e.parent, json.dumps(e.details)]
                for e in t.timeline])  # fmt: skip


@click.command()
@click.option("--gtin")
@click.option("--lot", help="With --gtin.")
@click.option("--receipt", help="Receipt reference.")
@click.option("--location", help="A location's code: what is in it, containers included.")
@click.option("--since", help="ISO 8601 instant with offset (2025-01-31T08:00:00+02:00).")
@click.option("--until", help="ISO 8601 instant with offset, exclusive.")
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def find(app: App, gtin: str | None, lot: str | None, receipt: str | None,
         location: str | None, since: str | None, until: str | None, limit: int,
         as_json: bool) -> None:  # fmt: skip
    """Items by lot, GTIN, receipt, location, or activity in a time range."""
    if location:
        found = putaway.contents(app, scan_text(location), actor=cli_actor(), limit=limit)
    else:
        found = tracing.find_items(app, actor=cli_actor(), gtin=gtin, lot=lot, receipt=receipt,
                                   since=since, until=until, limit=limit)  # fmt: skip
    if as_json:
        echo_json(found)
        return
    rows = [[i.name, i.level, i.state, i.hold, i.lot, i.expiry, i.parent] for i in found]
    echo_table(["name", "level", "state", "hold", "lot", "expiry", "in"], rows)


def _hold_text(r: HoldResult) -> str:
    return f"{r.action} {len(r.items)} of {r.total} item(s): {r.reason}"


@click.command()
@click.argument("scan", required=False)
@click.option("--reason", required=True)
@click.option("--recall", is_flag=True, help="A recall rather than a quarantine.")
@click.option("--gtin", help="With --lot: hold a whole lot instead of SCAN.")
@click.option("--lot")
@pass_app
def quarantine(app: App, scan: str | None, reason: str, recall: bool, gtin: str | None,
               lot: str | None) -> None:  # fmt: skip
    """Quarantine (or recall) SCAN and everything in it, or a whole lot."""
    if lot and gtin:
        r = tracing.quarantine_lot(app, gtin, lot, actor=cli_actor(), reason=reason, recall=recall)
    elif scan:
        r = tracing.quarantine(app, scan_text(scan), actor=cli_actor(), reason=reason,
                               recall=recall)  # fmt: skip
    else:
        raise click.UsageError("Give SCAN, or --gtin with --lot.")
    click.echo(_hold_text(r))


@click.command()
@click.argument("scan", required=False)
@click.option("--reason", required=True)
@click.option("--gtin", help="With --lot: release a whole lot instead of SCAN.")
@click.option("--lot")
@pass_app
def release(app: App, scan: str | None, reason: str, gtin: str | None, lot: str | None) -> None:
    """Release SCAN and everything in it, or a whole lot (supervisor)."""
    if lot and gtin:
        r = tracing.release_lot(app, gtin, lot, actor=cli_actor(), reason=reason)
    elif scan:
        r = tracing.release(app, scan_text(scan), actor=cli_actor(), reason=reason)
    else:
        raise click.UsageError("Give SCAN, or --gtin with --lot.")
    click.echo(_hold_text(r))


@click.group()
def export() -> None:
    """Export history for other systems."""


@export.command("epcis")
@click.option("--container", help="SSCC (scan) of a case or pallet: it and all it holds.")
@click.option("--receipt", help="Receipt reference: everything received on it.")
@click.option("--since", help="ISO 8601 instant with offset (2025-01-31T08:00:00+02:00).")
@click.option("--until", help="ISO 8601 instant with offset, exclusive.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write ('-' for standard output).")  # fmt: skip
@pass_app
def export_epcis(app: App, container: str | None, receipt: str | None, since: str | None,
                 until: str | None, output: Path) -> None:  # fmt: skip
    """An EPCIS 2.0 JSON-LD document of a container, a receipt or a time range."""
    from labelsvc.services import epcis  # only this command needs the exporter

    doc = epcis.export_epcis(app, actor=cli_actor(), container=container and scan_text(container),
                             receipt=receipt, since=since, until=until)  # fmt: skip
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if str(output) == "-":
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"{len(doc['epcisBody']['eventList'])} EPCIS event(s) written to {output}")

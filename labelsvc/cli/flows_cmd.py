"""``labelsvc receipts|pack|ship|unship``: receiving, packing and shipping from a shell.

Each command calls one service function; scans are typed as a scanner sends them (type GS
as ``\\x1d`` or ``<GS>``). ``--json`` prints the service's result as JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.cli.sending import report, send_jobs, wait_option
from labelsvc.services import packing, receiving, shipping
from labelsvc.services.app import App
from labelsvc.services.flow_views import ContainerView
from labelsvc.services.receipt_files import read_receipt_file
from labelsvc.services.receiving import ReceiptView

GS = "\x1d"
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
station_option = click.option("--station", default="cli", show_default=True, help="Station name.")


def scan_text(text: str) -> str:
    """Let a shell user type GS as the literal ``\\x1d`` or ``<GS>``."""
    return text.replace("\\x1d", GS).replace("\\x1D", GS).replace("<GS>", GS)


def _show(value: Any, as_json: bool, text: str) -> None:
    if as_json:
        echo_json(value)
    else:
        click.echo(text)


def _receipt_text(r: ReceiptView) -> None:
    click.echo(f"receipt {r.reference} ({r.kind}) supplier={r.supplier or '-'} state={r.state}")
    echo_table(
        ["line", "gtin", "sku", "lot", "expiry", "expected", "received", "listed"],
        [[ln.line_no, ln.gtin, ln.sku, ln.lot, ln.expiry, ln.quantity, ln.received, ln.listed]
         for ln in r.lines],
    )  # fmt: skip


@click.group()
def receipts() -> None:
    """Receiving against an ASN or PO: load, receive untagged goods, scan tagged ones, close."""


@receipts.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_app
def receipts_load(app: App, file: Path, as_json: bool) -> None:
    """Load an ASN or PO from FILE (.json, or .csv with one row per line)."""
    r = receiving.load_receipt(app, read_receipt_file(file), actor=cli_actor())
    if as_json:
        echo_json(r)
    else:
        _receipt_text(r)


@receipts.command("list")
@click.option("--state", type=click.Choice(["open", "closed"]))
@json_option
@pass_app
def receipts_list(app: App, state: str | None, as_json: bool) -> None:
    """Receipts, newest first."""
    found = receiving.list_receipts(app, actor=cli_actor(), state=state)
    if as_json:
        echo_json(found)
        return
    echo_table(["reference", "kind", "supplier", "state", "expected", "received"],
               [[r.reference, r.kind, r.supplier, r.state, sum(ln.quantity for ln in r.lines),
                 sum(ln.received for ln in r.lines)] for r in found])  # fmt: skip


@receipts.command("show")
@click.argument("reference")
@json_option
@pass_app
def receipts_show(app: App, reference: str, as_json: bool) -> None:
    """A receipt's lines with live counts, and its discrepancy report."""
    r = receiving.get_receipt(app, reference, actor=cli_actor())
    report = receiving.receipt_report(app, reference, actor=cli_actor())
    if as_json:
        echo_json({"receipt": r, "discrepancies": report.findings})
        return
    _receipt_text(r)
    click.echo("no discrepancies" if report.clean else "discrepancies:")
    for f in report.findings:
        click.echo(f"  {f.kind:10} {f.detail} {' '.join(f.values)}".rstrip())


@receipts.command("receive")
@click.argument("reference")
@click.option("--line", "line_no", type=int, required=True, help="Line number.")
@click.option("--count", type=int, required=True, help="How many untagged units.")
@click.option("--printer", help="Printer (default: the configured default printer).")
@station_option
@json_option
@wait_option
@pass_app
def receipts_receive(app: App, reference: str, line_no: int, count: int, printer: str | None,
                     station: str, as_json: bool, wait: bool, timeout: float) -> None:  # fmt: skip
    """Serialize COUNT untagged units of a line: new serials, commissioned, labels printed."""
    r = receiving.receive_untagged(
        app, reference, line_no, count, actor=cli_actor(station), printer=printer
    )
    _show(r, as_json, f"{len(r.items)} serials on line {line_no}; print jobs {list(r.job_ids)}")
    if not as_json:
        for item in r.items:
            click.echo(item.name)
    report(send_jobs(app, r.job_ids, timeout) if wait else {})


@receipts.command("scan")
@click.argument("reference")
@click.argument("scans", nargs=-1, required=True)
@click.option("--parent", help="Scan of the case or pallet these arrived in.")
@click.option("--level", type=click.Choice(["case", "pallet"]), help="What an SSCC is.")
@station_option
@json_option
@pass_app
def receipts_scan(app: App, reference: str, scans: tuple[str, ...], parent: str | None,
                  level: str | None, station: str, as_json: bool) -> None:  # fmt: skip
    """Check tagged SCANS against a receipt; each gets an outcome with its reason code."""
    results = [
        receiving.receive_scan(app, reference, scan_text(s), actor=cli_actor(station),
                               parent=scan_text(parent) if parent else None, level=level)
        for s in scans
    ]  # fmt: skip
    if as_json:
        echo_json(results)
        return
    for r in results:
        mark = "ok " if r.accepted else "NO "
        click.echo(f"{mark} {r.code:16} {r.detail}")


@receipts.command("close")
@click.argument("reference")
@click.option("--reason", help="Needed (with the supervisor role) when there are discrepancies.")
@json_option
@pass_app
def receipts_close(app: App, reference: str, reason: str | None, as_json: bool) -> None:
    """Close a receipt."""
    r = receiving.close_receipt(app, reference, actor=cli_actor(), reason=reason)
    _show(r, as_json, f"receipt {r.reference} is {r.state}")


@receipts.command("reopen")
@click.argument("reference")
@click.option("--reason", required=True)
@pass_app
def receipts_reopen(app: App, reference: str, reason: str) -> None:
    """Open a closed receipt again (supervisor)."""
    r = receiving.reopen_receipt(app, reference, actor=cli_actor(), reason=reason)
    click.echo(f"receipt {r.reference} is {r.state}")


def _container_text(c: ContainerView) -> str:
    cap = f"/{c.capacity}" if c.capacity else ""
    jobs = f"; label job {list(c.job_ids)}" if c.job_ids else ""
    return f"{c.level} {c.sscc}: {c.state}, {c.count}{cap}{jobs}"


@click.group()
def pack() -> None:
    """Packing: units into cases, cases onto pallets, with SSCC labels."""


def _open_command(level: Literal["case", "pallet"]) -> None:
    @pack.command(f"open-{level}", help=f"Open a {level} with a new SSCC.")
    @click.option("--gtin", help="Product (fixes the capacity); else the first item decides.")
    @click.option("--pool", help="SSCC pool (default: the first active SSCC pool).")
    @station_option
    @json_option
    @pass_app
    def open_(app: App, gtin: str | None, pool: str | None, station: str, as_json: bool) -> None:
        c = packing.open_container(app, level, actor=cli_actor(station), gtin=gtin, pool=pool)
        _show(c, as_json, _container_text(c))


_open_command("case")
_open_command("pallet")


@pack.command("add")
@click.argument("container")
@click.argument("scans", nargs=-1, required=True)
@click.option("--move", is_flag=True, help="Take items out of their current container first.")
@station_option
@pass_app
def pack_add(app: App, container: str, scans: tuple[str, ...], move: bool, station: str) -> None:
    """Add scanned units (or closed cases) to CONTAINER."""
    c = None
    for s in scans:
        c = packing.add_to_container(app, scan_text(container), scan_text(s),
                                     actor=cli_actor(station), move=move)  # fmt: skip
    assert c is not None
    click.echo(_container_text(c))


@pack.command("remove")
@click.argument("scans", nargs=-1, required=True)
@click.option("--reason")
@station_option
@pass_app
def pack_remove(app: App, scans: tuple[str, ...], reason: str | None, station: str) -> None:
    """Take scanned items out of their (open) container."""
    for s in scans:
        c = packing.remove_from_container(app, scan_text(s), actor=cli_actor(station),
                                          reason=reason)  # fmt: skip
        click.echo(_container_text(c))


@pack.command("close")
@click.argument("container")
@click.option("--reason", help="Needed when the container is not full.")
@click.option("--printer", help="Printer (default: the configured default printer).")
@station_option
@json_option
@wait_option
@pass_app
def pack_close(app: App, container: str, reason: str | None, printer: str | None, station: str,
               as_json: bool, wait: bool, timeout: float) -> None:  # fmt: skip
    """Close CONTAINER; its SSCC label prints."""
    c = packing.close_container(app, scan_text(container), actor=cli_actor(station),
                                reason=reason, printer=printer)  # fmt: skip
    _show(c, as_json, _container_text(c))
    report(send_jobs(app, c.job_ids, timeout) if wait else {})


@pack.command("reopen")
@click.argument("container")
@click.option("--reason", required=True)
@pass_app
def pack_reopen(app: App, container: str, reason: str) -> None:
    """Open a closed container again (supervisor)."""
    c = packing.reopen_container(app, scan_text(container), actor=cli_actor(), reason=reason)
    click.echo(_container_text(c))


@pack.command("unpack")
@click.argument("container")
@click.option("--reason", required=True)
@pass_app
def pack_unpack(app: App, container: str, reason: str) -> None:
    """Take everything out of CONTAINER (a closed one is reopened: supervisor)."""
    out = packing.unpack_container(app, scan_text(container), actor=cli_actor(), reason=reason)
    click.echo(f"{len(out)} item(s) taken out")


@pack.command("show")
@click.argument("container")
@json_option
@pass_app
def pack_show(app: App, container: str, as_json: bool) -> None:
    """A container's state and count."""
    c = packing.get_container(app, scan_text(container), actor=cli_actor())
    _show(c, as_json, _container_text(c))


@pack.command("list")
@click.option("--station")
@pass_app
def pack_list(app: App, station: str | None) -> None:
    """Containers still open."""
    for c in packing.list_open_containers(app, actor=cli_actor(), station=station):
        click.echo(_container_text(c))


@click.command()
@click.argument("scan")
@click.option("--ref", "reference", required=True, help="Order, delivery or carrier reference.")
@click.option("--partner", help="The customer it goes to (see labelsvc identity partner).")
@station_option
@json_option
@pass_app
def ship(app: App, scan: str, reference: str, partner: str | None, station: str,
         as_json: bool) -> None:  # fmt: skip
    """Ship a pallet, case or loose unit and everything in it."""
    r = shipping.ship(app, scan_text(scan), reference=reference, actor=cli_actor(station),
                      partner=partner)  # fmt: skip
    _show(r, as_json, f"shipped {r.item.name} with {r.count} item(s) against {r.reference}")


@click.command()
@click.argument("scan")
@click.option("--reason", required=True)
@pass_app
def unship(app: App, scan: str, reason: str) -> None:
    """Undo a shipment (a return; supervisor)."""
    r = shipping.unship(app, scan_text(scan), actor=cli_actor(), reason=reason)
    click.echo(f"{r.item.name} and {r.count - 1} item(s) in it are back in stock")

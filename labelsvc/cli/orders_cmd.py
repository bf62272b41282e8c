"""``labelsvc orders|returns|flow-metrics``: outbound orders, returns and the flow metrics.

Each command calls one service function; ``--json`` prints the service's result as JSON.
"""

from __future__ import annotations

from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table, scan_text
from labelsvc.domain.orders import Disposition
from labelsvc.services import metrics_flows, order_shipping, orders, returns
from labelsvc.services.app import App
from labelsvc.services.order_files import read_order_file
from labelsvc.services.orders import OrderView
from labelsvc.services.returns import ReturnView

json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
station_option = click.option("--station", default="cli", show_default=True, help="Station name.")


def _order_text(v: OrderView) -> None:
    click.echo(f"order {v.reference} customer={v.customer} state={v.state} "
               f"picked={v.picked_total}/{v.wanted}")  # fmt: skip
    echo_table(["line", "gtin", "sku", "quantity", "picked", "allocated"],
               [[ln.line_no, ln.gtin, ln.sku, ln.quantity, ln.picked, ln.allocated]
                for ln in v.lines])  # fmt: skip


def _return_text(v: ReturnView) -> None:
    click.echo(f"return {v.reference} customer={v.customer} order={v.order or '-'} "
               f"state={v.state}")  # fmt: skip
    echo_table(["code", "order", "shipment", "days", "warranty", "flag", "disposition"],
               [[u.code, u.shipped_order, u.shipment, u.days_since_ship, u.warranty_days,
                 u.flag, u.disposition] for u in v.units])  # fmt: skip


@click.group("orders")
def orders_group() -> None:
    """Outbound orders: import from a WMS file, pick by scan, close short, ship."""


@orders_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_app
def orders_import(app: App, file: Path, as_json: bool) -> None:
    """Load an order from FILE (.json, or .csv with one row per line)."""
    view = orders.create_order(app, read_order_file(file), actor=cli_actor(), source="file")
    echo_json(view) if as_json else _order_text(view)


@orders_group.command("show")
@click.argument("reference")
@json_option
@pass_app
def orders_show(app: App, reference: str, as_json: bool) -> None:
    """An order's lines, what is picked and its state."""
    view = orders.get_order(app, reference, actor=cli_actor())
    echo_json(view) if as_json else _order_text(view)


@orders_group.command("pick")
@click.argument("reference")
@click.argument("scans", nargs=-1, required=True)
@station_option
@pass_app
def orders_pick(app: App, reference: str, scans: tuple[str, ...], station: str) -> None:
    """Pick scanned units for order REFERENCE (the first refusal stops, with its reason)."""
    for scan in scans:
        done = orders.pick(app, reference, scan_text(scan), actor=cli_actor(station))
        click.echo(done.detail)


@orders_group.command("put-back")
@click.argument("reference")
@click.argument("scan")
@pass_app
def orders_put_back(app: App, reference: str, scan: str) -> None:
    """Undo a pick of order REFERENCE: the unit goes back to stock."""
    _order_text(orders.put_back(app, reference, scan_text(scan), actor=cli_actor()))


@orders_group.command("close-short")
@click.argument("reference")
@click.option("--reason", required=True, help="Why the order ships incomplete.")
@pass_app
def orders_close_short(app: App, reference: str, reason: str) -> None:
    """Let an incomplete order ship with what was picked."""
    _order_text(orders.close_short(app, reference, actor=cli_actor(), reason=reason))


@orders_group.command("ship")
@click.argument("reference")
@click.option("--shipment", help="Shipment reference (default: the order's).")
@station_option
@pass_app
def orders_ship(app: App, reference: str, shipment: str | None, station: str) -> None:
    """Ship everything picked for a complete (or closed-short) order."""
    sent = order_shipping.ship_order(app, reference, actor=cli_actor(station), shipment=shipment)
    click.echo(f"order {reference} shipped on {sent.shipment}: {', '.join(sent.roots)} "
               f"({sent.count} items)")  # fmt: skip


@click.group("returns")
def returns_group() -> None:
    """Returns (RMA): open against an order or customer, check units in, decide each."""


@returns_group.command("open")
@click.argument("reference")
@click.option("--order", help="The order the goods left on.")
@click.option("--customer", help="The customer (taken from --order when given).")
@json_option
@pass_app
def returns_open(app: App, reference: str, order: str | None, customer: str | None,
                 as_json: bool) -> None:  # fmt: skip
    """Open return REFERENCE (the RMA number)."""
    view = returns.open_return(app, reference, actor=cli_actor(), order=order, customer=customer)
    echo_json(view) if as_json else _return_text(view)


@returns_group.command("receive")
@click.argument("reference")
@click.argument("scans", nargs=-1, required=True)
@station_option
@pass_app
def returns_receive(app: App, reference: str, scans: tuple[str, ...], station: str) -> None:
    """Check returned units in: where each left, how long ago, or why it is flagged."""
    for scan in scans:
        unit = returns.receive_unit(app, reference, scan_text(scan), actor=cli_actor(station))
        click.echo(unit.detail)


@returns_group.command("dispose")
@click.argument("reference")
@click.argument("scan")
@click.argument("disposition", type=click.Choice([str(d) for d in Disposition]))
@pass_app
def returns_dispose(app: App, reference: str, scan: str, disposition: str) -> None:
    """Decide one returned unit: restock, quarantine, repair or scrap."""
    _return_text(returns.dispose(app, reference, scan_text(scan), disposition, actor=cli_actor()))


@returns_group.command("show")
@click.argument("reference")
@json_option
@pass_app
def returns_show(app: App, reference: str, as_json: bool) -> None:
    """A return with its units, checks and dispositions."""
    view = returns.get_return(app, reference, actor=cli_actor())
    echo_json(view) if as_json else _return_text(view)


@click.command("flow-metrics")
@click.option("--hours", type=int, default=24, show_default=True, help="Trace-time period.")
@json_option
@pass_app
def flow_metrics(app: App, hours: int, as_json: bool) -> None:
    """Time to trace (p50/p95), recall scope and returns resolution time."""
    actor = cli_actor()
    times = metrics_flows.trace_times(app, actor, hours=hours)
    scopes = metrics_flows.recall_scope(app, actor)
    took = metrics_flows.returns_resolution(app, actor)
    if as_json:
        echo_json({"trace_time": times, "recall_scope": scopes, "returns_resolution": took})
        return
    click.echo(f"trace look-ups: {times.count}, p50 {_ms(times.p50_ms)}, p95 {_ms(times.p95_ms)}")
    echo_table(["recall at", "reason", "units", "lot units", "share %"],
               [[s.at, s.reason, s.units, s.lot_units, f"{s.share:.1f}" if s.share else "-"]
                for s in scopes])  # fmt: skip
    mean = f"{took.mean_hours:.2f} h" if took.mean_hours is not None else "-"
    click.echo(f"returns resolved: {took.count}, mean {mean}")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"

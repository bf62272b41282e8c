"""``labelsvc locations|move|touchpoints|count``: the site's layout, putaway and move by
scan, touchpoint scans and cycle counts from a shell. Each command calls one service."""

from __future__ import annotations

from pathlib import Path

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table, scan_text
from labelsvc.services import counts, putaway, touchpoints
from labelsvc.services.app import App
from labelsvc.services.counts import CountView
from labelsvc.services.flow_views import ItemView
from labelsvc.services.location_labels import print_location_labels
from labelsvc.services.locations import list_locations, read_locations_file, save_locations

json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
station_option = click.option("--station", default="cli", show_default=True, help="Station name.")


def echo_items(found: list[ItemView]) -> None:
    """Items as a table: name, level, state, hold, lot, container."""
    echo_table(["name", "level", "state", "hold", "lot", "in"],
               [[i.name, i.level, i.state, i.hold, i.lot, i.parent] for i in found])  # fmt: skip


@click.group()
def locations() -> None:
    """Sites, zones and bins: load them from a file, list them, see what is in one, label."""


@locations.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def locations_load(app: App, file: Path) -> None:
    """Add or update locations from FILE (.toml with [[location]] tables, or .csv)."""
    added, updated = save_locations(app, read_locations_file(file), actor=cli_actor())
    click.echo(f"{added} added, {updated} updated")


@locations.command("list")
@json_option
@pass_app
def locations_list(app: App, as_json: bool) -> None:
    """Every location with its parent and SGLN."""
    found = list_locations(app, actor=cli_actor())
    if as_json:
        echo_json(found)
        return
    echo_table(["code", "kind", "parent", "name", "sgln"],
               [[v.code, v.kind, v.parent, v.name, v.sgln] for v in found])  # fmt: skip


@locations.command("contents")
@click.argument("location")
@click.option("--limit", type=int, default=1000, show_default=True)
@json_option
@pass_app
def locations_contents(app: App, location: str, limit: int, as_json: bool) -> None:
    """What is in LOCATION (containers and what they hold)."""
    found = putaway.contents(app, scan_text(location), actor=cli_actor(), limit=limit)
    echo_json(found) if as_json else echo_items(found)


@locations.command("label")
@click.argument("codes", nargs=-1, required=True)
@click.option("--printer", help="Printer name (default: the configured default printer).")
@click.option("--template", default="location", show_default=True)
@pass_app
def locations_label(app: App, codes: tuple[str, ...], printer: str | None, template: str) -> None:
    """Print the bin label of each of CODES (GLN 414 + extension 254)."""
    jobs = print_location_labels(app, [scan_text(c) for c in codes], actor=cli_actor(),
                                 printer=printer, template=template)  # fmt: skip
    click.echo(f"{len(codes)} label(s) queued: job {', '.join(f'#{j}' for j in jobs)}")


@click.command()
@click.argument("location")
@click.argument("codes", nargs=-1, required=True)
@station_option
@json_option
@pass_app
def move(app: App, location: str, codes: tuple[str, ...], station: str, as_json: bool) -> None:
    """Put CODES (items or containers, with their contents) away into LOCATION."""
    result = putaway.move_to(app, [scan_text(c) for c in codes], scan_text(location),
                             actor=cli_actor(station))  # fmt: skip
    if as_json:
        echo_json(result)
        return
    for m in result.moved:
        click.echo(f"{m.item.name}: {m.came_from or '-'} -> {result.location.code} ({m.count})")


@click.group("touchpoints")
def touchpoints_group() -> None:
    """Touchpoints: declare them, the ones a product requires, and record scans at them."""


@touchpoints_group.command("list")
@json_option
@pass_app
def touchpoints_list(app: App, as_json: bool) -> None:
    """Every declared touchpoint with its CBV business step."""
    found = touchpoints.list_touchpoints(app, actor=cli_actor())
    required = touchpoints.required_touchpoints(app, actor=cli_actor())
    if as_json:
        echo_json({"touchpoints": found, "required": required})
        return
    echo_table(["name", "biz_step", "title", "implied by"],
               [[t.name, t.biz_step, t.title, ",".join(t.event_types)] for t in found])  # fmt: skip
    for gtin, names in sorted(required.items()):
        click.echo(f"{gtin} requires {', '.join(names)}")


@touchpoints_group.command("declare")
@click.argument("name")
@click.option("--biz-step", required=True, help="CBV 2.0 business step, e.g. inspecting.")
@click.option("--title", default="")
@pass_app
def touchpoints_declare(app: App, name: str, biz_step: str, title: str) -> None:
    """Declare touchpoint NAME (or change its business step)."""
    row = touchpoints.declare_touchpoint(app, name, biz_step=biz_step, title=title,
                                         actor=cli_actor())  # fmt: skip
    click.echo(f"{row.name}: {row.biz_step}")


@touchpoints_group.command("require")
@click.argument("gtin")
@click.argument("names", nargs=-1)
@pass_app
def touchpoints_require(app: App, gtin: str, names: tuple[str, ...]) -> None:
    """Set the touchpoints product GTIN's flow requires (none: clear the list)."""
    found = touchpoints.require_touchpoints(app, gtin, list(names), actor=cli_actor())
    click.echo(f"{gtin} requires {', '.join(found) or 'nothing'}")


@touchpoints_group.command("scan")
@click.argument("touchpoint")
@click.argument("code")
@click.option("--location", help="Where it was scanned (a location code).")
@click.option("--disposition", help="CBV disposition, e.g. conformant.")
@station_option
@pass_app
def touchpoints_scan(app: App, touchpoint: str, code: str, location: str | None,
                     disposition: str | None, station: str) -> None:  # fmt: skip
    """Record that CODE (and all it holds) was scanned at TOUCHPOINT."""
    r = touchpoints.record_scan(app, scan_text(code), touchpoint, location=location,
                                disposition=disposition, actor=cli_actor(station))  # fmt: skip
    click.echo(f"{r.item.name} ({r.count} item(s)) scanned at {r.touchpoint} ({r.biz_step})")


def _count_text(view: CountView) -> None:
    expected = "hidden" if view.expected is None else view.expected
    click.echo(f"count #{view.id} of {view.target}: {view.state}, counted {view.counted}, "
               f"expected {expected}{' (blind)' if view.blind else ''}")  # fmt: skip
    if view.lines is not None:
        echo_table(["item", "difference", "recorded", "resolution"],
                   [[ln.item, ln.difference, ln.recorded, ln.resolution]
                    for ln in view.differences])  # fmt: skip


@click.group()
def count() -> None:
    """Cycle counts by serial: start one on a bin or container, scan, close, resolve."""


@count.command("start")
@click.argument("target")
@click.option("--blind", is_flag=True, help="Do not show the expected list while counting.")
@station_option
@pass_app
def count_start(app: App, target: str, blind: bool, station: str) -> None:
    """Open a count of TARGET (a bin's code or a container's scan)."""
    _count_text(counts.start_count(app, scan_text(target), blind=blind,
                                   actor=cli_actor(station)))  # fmt: skip


@count.command("scan")
@click.argument("count_id", type=int)
@click.argument("codes", nargs=-1, required=True)
@station_option
@pass_app
def count_scan(app: App, count_id: int, codes: tuple[str, ...], station: str) -> None:
    """Count CODES in count COUNT_ID (each serial once)."""
    for code in codes:
        click.echo(counts.count_scan(app, count_id, scan_text(code),
                                     actor=cli_actor(station)).detail)  # fmt: skip


@count.command("close")
@click.argument("count_id", type=int)
@pass_app
def count_close(app: App, count_id: int) -> None:
    """Close count COUNT_ID and show its differences."""
    _count_text(counts.close_count(app, count_id, actor=cli_actor()))


@count.command("resolve")
@click.argument("count_id", type=int)
@click.argument("code")
@click.argument("resolution", type=click.Choice(["accept-found", "keep-record"]))
@click.option("--reason")
@pass_app
def count_resolve(app: App, count_id: int, code: str, resolution: str, reason: str | None) -> None:
    """Resolve the difference CODE shows in count COUNT_ID."""
    _count_text(counts.resolve_difference(app, count_id, scan_text(code), resolution,
                                          reason=reason, actor=cli_actor()))  # fmt: skip


@count.command("show")
@click.argument("count_id", type=int)
@json_option
@pass_app
def count_show(app: App, count_id: int, as_json: bool) -> None:
    """A count and its differences."""
    view = counts.get_count(app, count_id, actor=cli_actor())
    echo_json(view) if as_json else _count_text(view)

"""The putaway station and the admin page of sites, zones and bins.

Putaway works both ways round, by scan only: scan an item or container, then the bin (the
held scans go there), or scan the bin first, then as many items as go into it. The bin or
the held scans are kept in the session; the scanner command ``DONE`` forgets both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import InvalidInput, LabelsvcError, NotFound
from labelsvc.services.location_labels import print_location_labels
from labelsvc.services.locations import (
    FIELDS,
    list_locations,
    lookup_location,
    parse_locations_text,
    save_locations,
    spec_from_mapping,
)
from labelsvc.services.metrics_touchpoints import inventory_accuracy, scan_compliance
from labelsvc.services.putaway import contents, move_to, moved_detail, where_is
from labelsvc.services.scan_once import ScanRepeated, first_outcome
from labelsvc.services.touchpoints import (
    declare_touchpoint,
    list_touchpoints,
    record_scan,
    require_touchpoints,
    required_touchpoints,
)
from labelsvc.web.context import service
from labelsvc.web.ui.charts import bar_chart
from labelsvc.web.ui.common import actor, form_text, require_login, shows_errors, station_name
from labelsvc.web.ui.receiving import station_printer

bp = Blueprint("ui_locations", __name__, url_prefix="/locations")
bp.before_request(require_login)
TARGET, HELD = "putaway_location", "putaway_held"
MAX_HELD = 50


def _target() -> str | None:
    value = session.get(TARGET)
    return value if isinstance(value, str) else None


def _held() -> list[str]:
    return [c for c in session.get(HELD, []) if isinstance(c, str)]


def _answer(ok: bool, detail: str, code: str, *, replayed: bool = False) -> ResponseReturnValue:
    """One outcome line plus the refreshed panel (swapped out of band)."""
    html = render_template(
        "locations/answer.html",
        outcome={"ok": ok, "detail": detail, "code": code, "replayed": replayed},
        target=_target(),
        held=_held(),
    )
    return make_response(html, 200)


def _at_touchpoint(touchpoint: str, code: str) -> tuple[str, str]:
    """At a touchpoint station: a bin says where the next scans happen; an item is scanned."""
    location = lookup_location(service(), code, actor=actor())
    if location is not None:
        session[TARGET] = location.code
        return "location", f"Scans at {touchpoint} are now recorded at {location.code}."
    r = record_scan(service(), code, touchpoint, actor=actor(), location=_target(),
                    station=station_name())  # fmt: skip
    where = f" at {r.location}" if r.location else ""
    return "scanned", f"{r.item.name}: {touchpoint}{where} ({r.count} item(s))."


def _scan(code: str) -> tuple[str, str]:
    """A bin: the held scans go there, or it becomes the bin for the next scans; an item:
    it goes into the bin chosen, or is held until a bin is scanned."""
    touchpoint = form_text("touchpoint")
    if touchpoint:
        return _at_touchpoint(touchpoint, code)
    scan_id = form_text("scan_id") or None
    location = lookup_location(service(), code, actor=actor())
    if location is not None:
        held = _held()
        if held:
            result = move_to(service(), held, location.code, actor=actor(),
                             station=station_name(), scan_id=scan_id)  # fmt: skip
            session[HELD] = []
            return "moved", moved_detail(result)
        session[TARGET] = location.code
        return "location", f"{location.code}: scan what goes in (DONE when finished)."
    target = _target()
    if target:
        result = move_to(service(), [code], target, actor=actor(), station=station_name(),
                         scan_id=scan_id)  # fmt: skip
        return "moved", moved_detail(result)
    item = where_is(service(), code, actor=actor()).item  # refuses an unknown code now
    if len(_held()) >= MAX_HELD:
        raise InvalidInput("too-many-held", f"Scan a location first: {MAX_HELD} items held.")
    session[HELD] = [*_held(), code]
    return "held", f"{item.name}: now scan its location ({len(_held())} held)."


def _done() -> tuple[str, str]:
    session[TARGET], session[HELD] = None, []
    return "done", "Cleared: scan an item or a location."


COMMANDS: dict[str, Callable[[], tuple[str, str]]] = {"DONE": _done}


@bp.get("/")
def index() -> ResponseReturnValue:
    """The putaway station page."""
    return render_template("locations/index.html", target=_target(), held=_held(),
                           touchpoint=None, touchpoints=list_touchpoints(service(),
                                                                        actor=actor()))  # fmt: skip


@bp.get("/touchpoint/<name>")
@shows_errors
def touchpoint_station(name: str) -> ResponseReturnValue:
    """A station that records scans at one touchpoint (inspect, cross-dock, customs...)."""
    found = {t.name: t for t in list_touchpoints(service(), actor=actor())}
    if name not in found:
        raise NotFound("touchpoint-unknown", f"No touchpoint {name!r} is declared.")
    return render_template("locations/index.html", target=_target(), held=[],
                           touchpoint=found[name], touchpoints=list(found.values()))  # fmt: skip


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    """A scan: a command code, a location, or an item or container."""
    code = form_text("code")
    repeated = first_outcome(service(), form_text("scan_id") or None)
    try:
        if repeated is not None:
            raise repeated
        command = COMMANDS.get(code.upper())
        outcome, detail = command() if command else _scan(code)
    except ScanRepeated as first:
        return _answer(first.ok, first.detail, first.outcome, replayed=True)
    except LabelsvcError as error:
        return _answer(False, error.detail, error.code)
    return _answer(True, detail, outcome)


@bp.post("/done")
def done() -> ResponseReturnValue:
    """Forget the chosen location and the held scans."""
    code, detail = _done()
    return _answer(True, detail, code)


@bp.get("/dashboard")
def dashboard() -> ResponseReturnValue:
    """The dashboard's section of touchpoint compliance and inventory accuracy (a partial)."""
    hours = min(max(request.args.get("hours", type=int) or 24, 1), 24 * 14)
    since = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="milliseconds")
    c = scan_compliance(service(), actor=actor(), since=since)
    a = inventory_accuracy(service(), actor=actor(), since=since)
    charts = {
        "by_product": bar_chart([(g.key, 100 * (g.rate or 0)) for g in c.by_product],
                                title="Touchpoint compliance by product", unit="%",
                                max_value=100),
        "by_site": bar_chart([(g.key, 100 * (g.rate or 0)) for g in c.by_site],
                             title="Touchpoint compliance by site", unit="%", max_value=100),
        "accuracy": bar_chart([(f"#{n}", 100 * m / lines if lines else 100.0)
                               for n, lines, m in a.by_count[-12:]],
                              title="Inventory accuracy per cycle count", unit="%",
                              max_value=100),
    }  # fmt: skip
    return render_template("locations/dashboard_charts.html", c=c, a=a, charts=charts,
                           hours=hours)  # fmt: skip


# -- admin: the layout ------------------------------------------------------------------------
@bp.get("/admin")
def admin() -> ResponseReturnValue:
    """Every site, zone and bin; a form to add or change one; a file to load."""
    found = list_locations(service(), actor=actor())
    editing = next((v for v in found if v.code == request.args.get("edit")), None)
    shown = request.args.get("contents")
    inside = contents(service(), shown, actor=actor(), limit=200) if shown else None
    return render_template("locations/admin.html", locations=found, editing=editing,
                           shown=shown, inside=inside, done=request.args.get("done"),
                           touchpoints=list_touchpoints(service(), actor=actor()),
                           required=required_touchpoints(service(), actor=actor()))  # fmt: skip


@bp.post("/admin/touchpoint")
@shows_errors
def admin_touchpoint() -> ResponseReturnValue:
    """Declare a touchpoint (or change its CBV business step)."""
    row = declare_touchpoint(service(), form_text("name"), biz_step=form_text("biz_step"),
                             title=form_text("title"), actor=actor())  # fmt: skip
    return redirect(url_for("ui_locations.admin", done=f"Touchpoint {row.name} saved."))


@bp.post("/admin/required")
@shows_errors
def admin_required() -> ResponseReturnValue:
    """Set the touchpoints a product's flow requires (names separated by spaces or commas)."""
    gtin = form_text("gtin")
    names = [n for n in form_text("touchpoints").replace(",", " ").split() if n]
    kept = require_touchpoints(service(), gtin, names, actor=actor())
    return redirect(url_for("ui_locations.admin",
                            done=f"{gtin} requires {', '.join(kept) or 'nothing'}."))  # fmt: skip


@bp.post("/admin/save")
@shows_errors
def admin_save() -> ResponseReturnValue:
    """Add or change one location (validated like a line of a locations file)."""
    data = {key: form_text(key) for key in FIELDS if form_text(key)}
    spec = spec_from_mapping(data, "admin page")
    save_locations(service(), [spec], actor=actor())
    return redirect(url_for("ui_locations.admin", done=f"Location {spec.code} saved."))


@bp.post("/admin/label")
@shows_errors
def admin_label() -> ResponseReturnValue:
    """Print one location's bin label on this station's (or the default) printer."""
    code = form_text("code")
    jobs = print_location_labels(service(), [code], actor=actor(), printer=station_printer(),
                                 station=station_name())  # fmt: skip
    return redirect(url_for("ui_locations.admin", done=f"Label of {code} queued (job "
                            f"{', '.join(f'#{j}' for j in jobs)})."))  # fmt: skip


@bp.post("/admin/load")
@shows_errors
def admin_load() -> ResponseReturnValue:
    """Load a locations file (TOML or CSV, as ``labelsvc locations load`` takes)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("file-missing", "Choose a .toml or .csv file to load.")
    text = upload.read().decode("utf-8-sig")
    added, updated = save_locations(service(), parse_locations_text(text, upload.filename),
                                    actor=actor())  # fmt: skip
    return redirect(url_for("ui_locations.admin", done=f"{added} added, {updated} updated."))

"""The workstation's station profile: chosen once, remembered by a cookie and the database."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import InvalidInput
from labelsvc.services.barcodes import gs1_datamatrix_png
from labelsvc.services.printers import list_printers
from labelsvc.services.scanner_check import CHECK_ELEMENTS, record_scanner_check, scanner_prefix
from labelsvc.services.stations import (
    STATION_ROLES,
    find_station,
    get_station,
    list_stations,
    save_station,
    stuck_jobs,
)
from labelsvc.web.context import service
from labelsvc.web.ui.common import (
    STATION_COOKIE,
    STATION_COOKIE_DAYS,
    actor,
    form_text,
    require_login,
    shows_errors,
    station_name,
)

bp = Blueprint("ui_station", __name__)
bp.before_request(require_login)


@bp.app_context_processor
def scanner_globals() -> dict[str, object]:
    """``scan_prefix()`` for the scan boxes: what this station's scanner types first."""
    return {"scan_prefix": lambda: scanner_prefix(service(), station_name())}


@bp.get("/")
def home() -> ResponseReturnValue:
    """Go where this workstation works: its station's page, or the choice of a station."""
    name = station_name()
    found = get_station(service(), name) if name else None
    if found is None:
        return redirect(url_for("ui_station.choose"))
    return redirect(url_for(f"ui_{found.role}.index"))


@bp.get("/station")
def choose() -> ResponseReturnValue:
    """The station profiles; pick one for this workstation (admins also create and edit)."""
    app = service()
    current = get_station(app, station_name() or "") if station_name() else None
    return render_template(
        "station/choose.html",
        stations=list_stations(app, actor()),
        printers=list_printers(app, actor()),
        roles=STATION_ROLES,
        current=current,
        saved=request.args.get("saved"),
    )


@bp.post("/station/use")
@shows_errors
def use() -> ResponseReturnValue:
    """Remember the chosen station on this workstation (the cookie outlives the login)."""
    chosen = find_station(service(), actor(), form_text("name"))
    response = redirect(url_for(f"ui_{chosen.role}.index"))
    response.set_cookie(
        STATION_COOKIE, chosen.name, max_age=STATION_COOKIE_DAYS * 86400, httponly=True,
        samesite="Lax", secure=request.is_secure,
    )  # fmt: skip
    return response


@bp.post("/station/save")
@shows_errors
def save() -> ResponseReturnValue:
    """Create or change a station profile."""
    saved = save_station(
        service(), actor(), form_text("name"), role=form_text("role"),
        printer=form_text("printer") or None, description=form_text("description"),
    )  # fmt: skip
    return redirect(url_for("ui_station.choose", saved=saved.name))


@bp.get("/station/scanner")
def scanner() -> ResponseReturnValue:
    """The scanner set-up check of this workstation's station (printable with its symbol)."""
    name = station_name()
    found = get_station(service(), name) if name else None
    if found is None:
        return redirect(url_for("ui_station.choose"))
    return render_template("station/scanner.html", current=found, check=None)


@bp.get("/station/scanner/check.png")
def scanner_symbol() -> ResponseReturnValue:
    """The check symbol: a GS1 DataMatrix whose data tells GS, AIM prefix and layout apart."""
    png = gs1_datamatrix_png(CHECK_ELEMENTS)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "max-age=3600"})


@bp.post("/station/scanner")
@shows_errors
def scanner_check() -> ResponseReturnValue:
    """One scan of the check symbol: what the scanner sends, stored with the station."""
    name = station_name()
    if not name:
        raise InvalidInput("station-required", "Choose this workstation's station first.")
    raw = request.form.get("code", "")
    check = record_scanner_check(service(), actor(), name, raw, suffix=form_text("suffix"))
    return render_template(
        "station/scanner_result.html", check=check, current=get_station(service(), name)
    )


@bp.get("/station/print-alert")
def print_alert() -> ResponseReturnValue:
    """Held or failed jobs of this station's printer (polled; shown at the top, in red)."""
    name = station_name()
    found = get_station(service(), name) if name else None
    jobs = stuck_jobs(service(), actor(), found.printer if found else None)
    return render_template("station/print_alert.html", jobs=jobs)

"""The GS1 identity page: the site's GLN and zone, station SGLNs and partners (admins)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from labelsvc.services import identity as ids
from labelsvc.services.stations import list_stations
from labelsvc.web.context import service
from labelsvc.web.ui.admin.blueprint import bp
from labelsvc.web.ui.admin.catalog import _back
from labelsvc.web.ui.common import actor, form_text, shows_errors


@bp.get("/identity")
@shows_errors
def identity() -> ResponseReturnValue:
    """Where and who the site is in GS1 terms, as events are stamped with it now."""
    app, who = service(), actor()
    site = ids.site_identity(app, who)
    with app.store.read() as tx:
        sglns = {s.name: tx.identity.station_sgln(s.name) for s in list_stations(app, who)}
    return render_template(
        "admin/identity.html", site=ids.identity_view(site), stations=sglns,
        partners=ids.list_partners(app, who), done=request.args.get("done"),
        default_sgln={name: site.sgln(name) if site.gln else None for name in sglns},
    )  # fmt: skip


@bp.post("/identity/site")
@shows_errors
def identity_site() -> ResponseReturnValue:
    """Set the site's GLN, company prefix length and time zone."""
    length = form_text("prefix_length")
    ids.set_site_identity(service(), actor(), gln=form_text("gln"),
                          prefix_length=int(length) if length.isdigit() else None,
                          timezone=form_text("timezone") or None)  # fmt: skip
    return _back("ui_admin.identity", "Site identity saved.")


@bp.post("/identity/stations/<name>")
@shows_errors
def identity_station(name: str) -> ResponseReturnValue:
    """Give a station its SGLN or GLN extension (empty: the default)."""
    ids.set_station_sgln(service(), actor(), name, form_text("sgln") or None)
    return _back("ui_admin.identity", f"Station {name} saved.")


@bp.post("/identity/partners")
@shows_errors
def identity_partner() -> ResponseReturnValue:
    """Create or change a partner."""
    name = form_text("name")
    gln, sgln = form_text("gln"), form_text("sgln") or None
    ids.save_partner(service(), actor(), name, gln=gln, sgln=sgln,
                     description=form_text("description"))  # fmt: skip
    return _back("ui_admin.identity", f"Partner {name} saved.")

"""GS1 identities an admin sets: the site's GLN and zone, station SGLNs, partner master data.

Events copy the identities that apply to them when they are written, so a change here
affects later events only: an exported event and its hash never change.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.gs1.errors import Gs1Error
from labelsvc.gs1.locations import EXTENSION, is_sgln, sgln_uri
from labelsvc.services.app import App
from labelsvc.store import Tx
from labelsvc.store.identity import Partner, SiteIdentity


def _gln(gln: str, field: str = "gln") -> str:
    try:
        sgln_uri(gln, 7)
    except (Gs1Error, ValueError) as exc:
        raise InvalidInput("gln-invalid", f"{gln!r} is not a GLN: {exc}", field=field) from exc
    return gln


def site_identity(app: App, actor: Actor) -> SiteIdentity:
    """The site's GS1 identity as stored."""
    require(actor, "read")
    with app.store.read() as tx:
        return tx.identity.site()


def set_site_identity(
    app: App, actor: Actor, *, gln: str | None, prefix_length: int | None = None,
    timezone: str | None = None,
) -> SiteIdentity:  # fmt: skip
    """Set the site's GLN (with its company prefix length) and time zone (IANA name)."""
    require(actor, "manage")
    with app.store.write() as tx:
        current = tx.identity.site()
        length = prefix_length or current.prefix_length
        if not 6 <= length <= 12:
            raise InvalidInput("gln-invalid", "a company prefix has 6 to 12 digits.",
                               field="prefix_length")  # fmt: skip
        zone = timezone or current.timezone
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput("timezone-invalid", f"{zone!r} is no IANA time zone.",
                               field="timezone") from exc  # fmt: skip
        new_gln = current.gln if gln is None else (_gln(gln) if gln else None)
        tx.identity.set_site(new_gln, length, zone)
        details = {"gln": new_gln, "prefix_length": length, "timezone": zone}
        tx.events.append("site-identity-saved", actor=actor.label, subject="site", details=details)
        return tx.identity.site()


def set_station_sgln(app: App, actor: Actor, station: str, value: str | None) -> str | None:
    """Give a station its SGLN: a full ``urn:epc:id:sgln:`` URN or a GLN extension of the
    site's GLN (empty: back to the default, the station's name as extension)."""
    require(actor, "manage")
    with app.store.write() as tx:
        sgln: str | None = None
        if value and value.startswith("urn:"):
            if not is_sgln(value):
                raise InvalidInput("sgln-invalid", f"{value!r} is not an SGLN URN.", field="sgln")
            sgln = value
        elif value:
            site = tx.identity.site()
            if not site.gln:
                raise InvalidInput("gln-required", "Set the site's GLN before a GLN extension.")
            if not EXTENSION.fullmatch(value):
                raise InvalidInput("sgln-invalid", f"{value!r} is not a GLN extension.",
                                   field="sgln")  # fmt: skip
            sgln = site.sgln(value)
        if not tx.identity.set_station_sgln(station, sgln):
            raise NotFound("station-not-found", f"There is no station {station!r}.")
        tx.events.append("station-sgln-saved", actor=actor.label, subject=f"station:{station}",
                         details={"sgln": sgln})  # fmt: skip
        return sgln


def save_partner(
    app: App, actor: Actor, name: str, *, gln: str, sgln: str | None = None,
    description: str = "",
) -> Partner:  # fmt: skip
    """Create or change a partner's master data (for sources and destinations)."""
    require(actor, "manage")
    if not name or len(name) > 64:
        raise InvalidInput("partner-invalid", "a partner name has 1 to 64 characters.",
                           field="name")  # fmt: skip
    if sgln and not is_sgln(sgln):
        raise InvalidInput("sgln-invalid", f"{sgln!r} is not an SGLN URN.", field="sgln")
    with app.store.write() as tx:
        tx.identity.save_partner(name, gln=_gln(gln), sgln=sgln or None,
                                 description=description, actor=actor.label)  # fmt: skip
        tx.events.append("partner-saved", actor=actor.label, subject=f"partner:{name}",
                         details={"gln": gln, "sgln": sgln})  # fmt: skip
        found = tx.identity.partner(name)
        assert found is not None
        return found


def partner_place(tx: Tx, name: str | None, key: str) -> dict[str, str]:
    """``{"partner": name, key: its SGLN}`` to write into an event's details (so a later
    edit of the partner never changes the event); ``{}`` without a partner."""
    if not name:
        return {}
    found = tx.identity.partner(name)
    if found is None:
        raise NotFound("partner-not-found", f"There is no partner {name!r}; an admin adds it.",
                       field="partner")  # fmt: skip
    site = tx.identity.site()
    return {"partner": name, key: found.sgln or sgln_uri(found.gln, site.prefix_length)}


def supplier_place(tx: Tx, supplier: str) -> dict[str, str]:
    """The SGLN of a receipt's supplier when it is a known partner (``source_sgln``)."""
    found = tx.identity.partner(supplier) if supplier else None
    if found is None:
        return {}
    return {"source_sgln": found.sgln or sgln_uri(found.gln, tx.identity.site().prefix_length)}


def list_partners(app: App, actor: Actor) -> list[Partner]:
    """Every partner by name."""
    require(actor, "read")
    with app.store.read() as tx:
        return tx.identity.partners()


def identity_view(site: SiteIdentity) -> dict[str, Any]:
    """The site identity as the API and CLI show it."""
    return {**asdict(site), "sgln": site.sgln(), "offset_now": site.offset()}

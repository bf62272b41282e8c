"""Touchpoints: named steps declared once with their CBV business step, the ones each
product's flow requires, and scans at them (from a station or an external system).

A scan at a touchpoint is a ``touchpoint-scanned`` event (EPCIS ObjectEvent OBSERVE) for
the item and everything in it, with the time, the location (its SGLN) and the station.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.locations import LocationEvent
from labelsvc.domain.topics import Topic
from labelsvc.gs1.check import normalize_gtin
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView, need_item, view_of
from labelsvc.services.locations import need_location
from labelsvc.services.lookup import describe
from labelsvc.services.putaway import location_details, tree_events
from labelsvc.store.touchpoints import TouchpointRepo, TouchpointRow

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_BIZ_STEP = re.compile(r"^[a-z][a-z_]{1,39}$|^https?://\S+$|^urn:\S+$")
_DISPOSITION = _BIZ_STEP


@dataclass(frozen=True)
class TouchpointScan:
    """What one touchpoint scan recorded."""

    touchpoint: str
    biz_step: str
    item: ItemView
    count: int  # the item and everything in it
    location: str | None
    event_id: int


def declare_touchpoint(
    app: App,
    name: str,
    *,
    biz_step: str,
    title: str = "",
    event_types: Sequence[str] = (),
    actor: Actor,
) -> TouchpointRow:
    """Declare a touchpoint (or change it): a name, its CBV bizStep, a title."""
    require(actor, "manage")
    if not _NAME.match(name):
        raise InvalidInput(
            "touchpoint-invalid", f"{name!r}: 1-40 lowercase letters, digits, '-'.", field="name"
        )
    if not _BIZ_STEP.match(biz_step):
        raise InvalidInput(
            "touchpoint-invalid", f"{biz_step!r} is not a CBV business step.", field="biz_step"
        )
    with app.store.write() as tx:
        repo = TouchpointRepo(tx)
        before = repo.get(name)  # a changed default keeps the events that scan it
        kept = event_types or (before.event_types if before else ())
        repo.save(name, biz_step, title or (before.title if before else name.title()), kept)
        tx.events.append(
            LocationEvent.TOUCHPOINT_DECLARED,
            actor=actor.label,
            subject=f"touchpoint:{name}",
            details={"biz_step": biz_step},
        )
        found = repo.get(name)
        assert found is not None
        return found


def list_touchpoints(app: App, *, actor: Actor) -> list[TouchpointRow]:
    """Every declared touchpoint, by name."""
    require(actor, "read")
    with app.store.read() as tx:
        return TouchpointRepo(tx).all()


def require_touchpoints(app: App, gtin: str, names: Sequence[str], *, actor: Actor) -> list[str]:
    """Declare which touchpoints a product's flow requires (replacing the previous list)."""
    require(actor, "manage")
    gtin = normalize_gtin(gtin)
    with app.store.write() as tx:
        if tx.products.get(gtin) is None:
            raise NotFound("product-not-found", f"No product has GTIN {gtin}.")
        repo = TouchpointRepo(tx)
        unknown = [n for n in names if repo.get(n) is None]
        if unknown:
            raise NotFound("touchpoint-unknown", f"No touchpoint {', '.join(unknown)} is declared.")
        repo.set_required(gtin, list(dict.fromkeys(names)))
        tx.events.append(
            LocationEvent.TOUCHPOINTS_REQUIRED,
            actor=actor.label,
            subject=f"product:{gtin}",
            details={"touchpoints": list(names)},
        )
        return repo.required().get(gtin, [])


def required_touchpoints(app: App, *, actor: Actor) -> dict[str, list[str]]:
    """Required touchpoints by GTIN."""
    require(actor, "read")
    with app.store.read() as tx:
        return TouchpointRepo(tx).required()


def record_scan(
    app: App,
    scan: str,
    touchpoint: str,
    *,
    actor: Actor,
    location: str | None = None,
    station: str | None = None,
    disposition: str | None = None,
    observed_at: str | None = None,
    reference: str | None = None,
) -> TouchpointScan:
    """Record that an item (and all it holds) was scanned at a touchpoint."""
    require(actor, "touchpoint")
    station = station or actor.station
    if disposition and not _DISPOSITION.match(disposition):
        raise InvalidInput(
            "disposition-invalid", f"{disposition!r} is not a CBV disposition.", field="disposition"
        )
    with app.store.write() as tx:
        row = TouchpointRepo(tx).get(touchpoint)
        if row is None:
            raise NotFound("touchpoint-unknown", f"No touchpoint {touchpoint!r} is declared.")
        item = need_item(tx, app, scan)
        details: dict[str, object] = {"biz_step": row.biz_step, "touchpoint": row.name}
        if location:
            details = location_details(
                need_location(tx, app, location), row.biz_step, touchpoint=row.name
            )
        extras = {"disposition": disposition, "observed_at": observed_at, "reference": reference}
        details.update({k: v for k, v in extras.items() if v})
        below = [d.id for d in tx.containers.descendants(item.id)]
        event_id = tree_events(
            tx,
            LocationEvent.TOUCHPOINT_SCANNED,
            item,
            below,
            actor=actor.label,
            station=station,
            details=details,
        )
        tx.outbox.add(
            Topic.TOUCHPOINT_SCANNED,
            {
                "touchpoint": row.name,
                "item": describe(item),
                "count": 1 + len(below),
                "location": location,
            },
            subject=describe(item),
        )
        return TouchpointScan(
            row.name, row.biz_step, view_of(tx, item), 1 + len(below), location, event_id
        )

"""Sites, zones and bins: saved by an admin (page, API) or loaded from a TOML/CSV file.

A location is named by its code (``WH1``, ``WH1-A``, ``WH1-A-01``) or, on a scanned bin
label, by its GLN (AI 414) and extension (AI 254). Its SGLN URN is what EPCIS calls it.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.locations import (
    DEFAULT_PREFIX_LENGTH,
    PARENT_KIND,
    LocationEvent,
    LocationKind,
    sgln_uri,
)
from labelsvc.gs1 import Gs1Error, validate_gln
from labelsvc.services.app import App
from labelsvc.services.lookup import scan_of
from labelsvc.store import Tx
from labelsvc.store.locations import Location, LocationRepo

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_EXTENSION = re.compile(r"^[A-Za-z0-9-]{1,20}$")
FIELDS = ("code", "kind", "parent", "name", "gln", "extension", "prefix_length")


@dataclass(frozen=True)
class LocationSpec:
    """A location as a file, a form or an API body gives it, validated."""

    code: str
    kind: LocationKind
    parent: str | None = None
    name: str | None = None  # None (and the GS1 fields None): keep what is stored
    gln: str | None = None
    extension: str | None = None
    prefix_length: int | None = None


@dataclass(frozen=True)
class LocationView:
    """A location as people and programs see it, with its parent's code and its SGLN."""

    code: str
    kind: str
    parent: str | None
    name: str
    gln: str | None
    extension: str | None
    sgln: str | None


def _bad(where: str, detail: str, field: str) -> InvalidInput:
    return InvalidInput("location-invalid", f"{where}: {detail}", field=field)


def _text(data: dict[str, Any], key: str) -> str | None:
    value = str(data.get(key) or "").strip()
    return value or None


def spec_from_mapping(data: dict[str, Any], where: str) -> LocationSpec:
    """Validate one location given as a mapping (a file row, a form, an API body)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise _bad(where, f"unknown field(s) {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    code = _text(data, "code") or ""
    if not _CODE.match(code):
        raise _bad(where, f"code {code!r} must be 1-40 letters, digits, '.', '_' or '-'.", "code")
    kind_text = (_text(data, "kind") or "").lower()
    if kind_text not in set(LocationKind):
        raise _bad(where, f"kind must be site, zone or bin, not {kind_text!r}.", "kind")
    gln, extension = _text(data, "gln"), _text(data, "extension")
    if gln:
        try:
            validate_gln(gln)
        except Gs1Error as exc:
            raise _bad(where, str(exc), "gln") from exc
    if extension and (not gln or not _EXTENSION.match(extension)):
        raise _bad(
            where, "an extension (AI 254) needs a GLN and 1-20 letters, digits or '-'.", "extension"
        )
    length = _text(data, "prefix_length")
    if length and (not length.isdigit() or not 6 <= int(length) <= 12):
        raise _bad(where, "prefix_length must be 6 to 12.", "prefix_length")
    return LocationSpec(
        code=code,
        kind=LocationKind(kind_text),
        parent=_text(data, "parent"),
        name=_text(data, "name"),
        gln=gln,
        extension=extension,
        prefix_length=int(length) if length else None,
    )


def parse_locations_text(text: str, name: str) -> list[LocationSpec]:
    """Locations from a file called ``name``: TOML (``[[location]]`` tables) or CSV."""
    text = text.removeprefix("\ufeff")
    if name.lower().endswith(".toml"):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput("location-invalid", f"{name}: not valid TOML: {exc}.") from exc
        rows = data.get("location")
        if not isinstance(rows, list):
            raise InvalidInput("location-invalid", f"{name}: needs [[location]] tables.")
        return [spec_from_mapping(dict(r), f"{name} location {n}") for n, r in enumerate(rows, 1)]
    return [
        spec_from_mapping({k: v for k, v in row.items() if v not in (None, "")}, f"{name} row {n}")
        for n, row in enumerate(csv.DictReader(text.splitlines()), 2)
    ]


def read_locations_file(path: Path) -> list[LocationSpec]:
    """Locations from a ``.toml`` or ``.csv`` file."""
    return parse_locations_text(path.read_text(encoding="utf-8"), str(path))


def _parent_id(repo: LocationRepo, spec: LocationSpec) -> int | None:
    """The parent's id, checked against the kind (a zone in a site, a bin in a zone)."""
    want = PARENT_KIND[spec.kind]
    if want is None:
        if spec.parent:
            raise _bad(spec.code, "a site has no parent.", "parent")
        return None
    parent = repo.get(spec.parent or "")
    if parent is None or parent.kind != want:
        raise _bad(
            spec.code, f"a {spec.kind} needs a {want} as parent, not {spec.parent!r}.", "parent"
        )
    return parent.id


def save_locations(app: App, specs: list[LocationSpec], *, actor: Actor) -> tuple[int, int]:
    """Insert or update locations (parents first, as listed); return (added, updated)."""
    require(actor, "manage")
    added = updated = 0
    with app.store.write() as tx:
        repo = LocationRepo(tx)
        for spec in specs:
            row, new = repo.save(
                code=spec.code,
                kind=spec.kind,
                parent_id=_parent_id(repo, spec),
                name=spec.name,
                gln=spec.gln,
                gln_extension=spec.extension,
                prefix_length=spec.prefix_length,
            )
            added, updated = added + new, updated + (not new)
            tx.events.append(
                LocationEvent.LOCATION_SAVED,
                actor=actor.label,
                subject=f"location:{row.code}",
                details={"kind": row.kind, "gln": row.gln, "new": new},
            )
    return added, updated


def sgln_of(location: Location) -> str | None:
    """The SGLN URN of a location with a GLN, else None."""
    if not location.gln:
        return None
    return sgln_uri(
        location.gln, location.gln_extension, location.prefix_length or DEFAULT_PREFIX_LENGTH
    )


def view_of_location(repo: LocationRepo, location: Location) -> LocationView:
    """The view of one location (its parent's code read by id)."""
    parent = repo.by_id(location.parent_id) if location.parent_id else None
    return LocationView(
        code=location.code,
        kind=location.kind,
        parent=parent.code if parent else None,
        name=location.name,
        gln=location.gln,
        extension=location.gln_extension,
        sgln=sgln_of(location),
    )


def find_location(tx: Tx, app: App, scan: str) -> Location | None:
    """The location a scan or typed code names: its code, or a GLN (414) + extension (254)."""
    repo = LocationRepo(tx)
    text = scan.strip()
    found = repo.get(text)
    if found is not None or not text:
        return found
    try:
        parsed = scan_of(text, app.settings)
    except (Gs1Error, InvalidInput):
        return None
    gln = parsed.get("414")
    return repo.by_gln(gln, parsed.get("254")) if gln else None


def need_location(tx: Tx, app: App, scan: str) -> Location:
    """The location a scan names; NotFound (``location-unknown``) otherwise."""
    found = find_location(tx, app, scan)
    if found is None:
        raise NotFound("location-unknown", f"No location has the code {scan!r}.")
    return found


def list_locations(app: App, *, actor: Actor) -> list[LocationView]:
    """Every location, by code."""
    require(actor, "read")
    with app.store.read() as tx:
        repo = LocationRepo(tx)
        return [view_of_location(repo, r) for r in repo.all()]


def get_location(app: App, code: str, *, actor: Actor) -> LocationView:
    """One location by its code or scanned label."""
    require(actor, "read")
    with app.store.read() as tx:
        return view_of_location(LocationRepo(tx), need_location(tx, app, code))


def lookup_location(app: App, scan: str, *, actor: Actor) -> LocationView | None:
    """The location a scan names, or None (a station page tells items from bins this way)."""
    require(actor, "read")
    with app.store.read() as tx:
        found = find_location(tx, app, scan)
        return view_of_location(LocationRepo(tx), found) if found else None

"""Station profiles and the equipment stations use: printers and label templates.

A station profile names a workstation's role (receiving or packing) and its printer; the
workstation remembers which profile it is by a cookie, the profile itself lives here so
an admin can change a station's printer in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.services.app import App
from labelsvc.store.jobs import Job
from labelsvc.store.stations import StationRepo, StationRow

StationRole = Literal["receiving", "packing"]
STATION_ROLES: tuple[StationRole, ...] = ("receiving", "packing")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Station:
    """A station profile as pages show it."""

    name: str
    role: StationRole
    printer: str | None
    description: str
    scanner_gs: str = "unknown"  # what the scanner set-up check found: yes, substitute, no
    scanner_aim: str = "unknown"
    scanner_suffix: str = "unknown"
    scanner_layout: str = "unknown"
    scanner_prefix: str = ""  # pages treat keys starting with it as a scan at once
    scanner_checked_at: str | None = None
    scanner_checked_by: str | None = None


def _station(row: StationRow) -> Station:
    role: StationRole = "packing" if row.role == "packing" else "receiving"
    return Station(
        row.name, role, row.printer, row.description, row.scanner_gs, row.scanner_aim,
        row.scanner_suffix, row.scanner_layout, row.scanner_prefix, row.scanner_checked_at,
        row.scanner_checked_by,
    )  # fmt: skip


def list_stations(app: App, actor: Actor) -> list[Station]:
    """Every station profile by name."""
    require(actor, "read")
    with app.store.read() as tx:
        return [_station(r) for r in StationRepo(tx).all()]


def get_station(app: App, name: str) -> Station | None:
    """The profile of ``name``, or None (a workstation may remember a deleted one)."""
    with app.store.read() as tx:
        row = StationRepo(tx).get(name)
    return _station(row) if row else None


def find_station(app: App, actor: Actor, name: str) -> Station:
    """The profile a workstation chooses; NotFound names the known ones."""
    require(actor, "read")
    found = get_station(app, name)
    if found is None:
        known = ", ".join(s.name for s in list_stations(app, actor)) or "none yet"
        raise NotFound(
            "station-not-found", f"There is no station {name!r}; known: {known}.", station=name
        )
    return found


def save_station(
    app: App, actor: Actor, name: str, *, role: str, printer: str | None, description: str = ""
) -> Station:
    """Create or change a station profile (admins only)."""
    require(actor, "manage")
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            "station-invalid",
            f"station name {name!r} must be 1-64 letters, digits, '.', '_' or '-'.",
            field="name",
        )
    if role not in STATION_ROLES:
        raise InvalidInput(
            "station-invalid", f"role must be receiving or packing, not {role!r}.", field="role"
        )
    with app.store.write() as tx:
        if printer and tx.printers.get(printer) is None:
            raise NotFound(
                "printer-not-found", f"There is no printer {printer!r}.", field="printer"
            )
        created = StationRepo(tx).upsert(
            name, role=role, printer=printer or None, description=description, actor=actor.label
        )
        tx.events.append(
            "station-saved", actor=actor.label, subject=f"station:{name}",
            details={"role": role, "printer": printer, "created": created},
        )  # fmt: skip
        row = StationRepo(tx).get(name)
        assert row is not None
    return _station(row)


#: Print job states that need a person at the printer (or a decision) before labels come out.
STUCK_STATES = ("held", "failed", "needs-confirmation", "partly-printed", "not-printed")


def stuck_jobs(app: App, actor: Actor, printer: str | None) -> list[Job]:
    """Jobs on the station's printer that wait for a person: paper out, head open, failed."""
    require(actor, "jobs")
    name = printer or app.settings.printing.default_printer
    with app.store.read() as tx:
        found = [j for s in STUCK_STATES for j in tx.jobs.query(state=s, printer=name, limit=20)]
    # a job whose missing labels were queued again waits for nobody
    return sorted((j for j in found if j.resent_as is None), key=lambda j: j.id)

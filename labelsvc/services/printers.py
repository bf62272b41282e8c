"""Printers: load their definitions at start, report their status, print a test label."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.topics import Topic
from labelsvc.printing import PrinterStatus, Transport, TransportError, make_transport
from labelsvc.printing.definitions import PrinterDef, load_printer_dir, printer_from_dict
from labelsvc.printing.tcp9100 import Tcp9100
from labelsvc.services.app import App
from labelsvc.store.clock import now
from labelsvc.store.jobs import later
from labelsvc.store.printers import PrinterRow, Reading

log = logging.getLogger(__name__)


def sync_printers(app: App) -> list[PrinterDef]:
    """Import every ``printers/*.toml`` into the table (a file error names file and key).

    A definition that did not change since its last import writes nothing; one an admin
    changed since (``edited_by``) is kept, and logged, rather than undone.
    """
    folder = app.settings.path(app.settings.paths.printers)
    found = load_printer_dir(folder, app.settings.printing.dpi) if folder.is_dir() else []
    with app.store.write() as tx:
        for p in found:
            digest = hashlib.sha256(
                json.dumps(
                    [p.driver, p.language, p.address, p.dpi, p.options, p.source], sort_keys=True
                ).encode()
            ).hexdigest()
            stored = tx.printers.get(p.name)
            if stored is not None and stored.edited_by:
                log.warning(
                    "printer %s: kept %s's change; the file was not applied",
                    p.name,
                    stored.edited_by,
                )
                continue
            if stored is not None and stored.file_hash == digest:
                continue
            tx.printers.upsert(
                p.name,
                driver=p.driver,
                language=p.language,
                address=p.address,
                dpi=p.dpi,
                options=p.options,
                source=p.source,
                file_hash=digest,
            )
    return found


def definition(row: PrinterRow) -> PrinterDef:
    """A stored printer as a definition the transports understand."""
    return PrinterDef(
        row.name, row.driver, row.address, row.language, row.dpi, row.options, row.source or ""
    )


def transport_for(app: App, row: PrinterRow) -> Transport:
    """The transport of a stored printer, with paths and defaults from the settings."""
    return make_transport(
        definition(row),
        connect_timeout=app.settings.printing.connect_timeout_seconds,
        spool=app.settings.path(app.settings.paths.spool),
    )


def get_printer(app: App, name: str) -> PrinterRow:
    """The stored printer, or NotFound naming the file to add."""
    with app.store.read() as tx:
        row = tx.printers.get(name)
    if row is None:
        raise NotFound(
            "printer-not-found",
            f"There is no printer {name!r}; add {app.settings.paths.printers}/{name}.toml "
            "and restart, or pick another printer.",
            printer=name,
        )
    return row


def list_printers(app: App, actor: Actor) -> list[PrinterRow]:
    """Every printer with its last known status."""
    require(actor, "read")
    with app.store.read() as tx:
        return tx.printers.all()


def probe(app: App, row: PrinterRow) -> PrinterStatus:
    """Ask the printer now and record the answer; unreachable is a status, not an error.

    A printer that answers garbage is recorded as ``fault`` and raised (a printer fault:
    the API answers it 502-class, not as the caller's mistake).
    """
    transport = transport_for(app, row)
    try:
        status = transport.status()
    except TransportError as exc:
        if exc.code == "printer-garbage":
            with app.store.write() as tx:
                tx.printers.set_status(row.name, "fault", exc.detail)
            raise
        status = PrinterStatus(ok=False, problems=[exc.detail])
        state = "unreachable"
    else:
        if status is None:
            status = PrinterStatus(ok=True, reported=False)
        state = "ok" if status.ok else "problem"
        state = state if status.reported else "unknown"
    finally:
        transport.close()
    with app.store.write() as tx:
        tx.printers.set_status(row.name, state, status.detail)
    return status


def printer_status(app: App, actor: Actor, name: str) -> PrinterStatus:
    """The printer's status as it reports it right now."""
    require(actor, "read")
    return probe(app, get_printer(app, name))


def identity_mismatch(row: PrinterRow) -> str | None:
    """Why this printer must not print: its dpi or media width differ from its definition."""
    found = row.identity or {}
    dpi, width = found.get("dpi"), found.get("print_width")
    if dpi is not None and dpi != row.dpi:
        return (
            f"printer {row.name} is a {dpi} dpi printer but printers/{row.name}.toml says "
            f"{row.dpi} dpi — labels would print scaled; fix the file (dpi = {dpi}) and "
            "restart"
        )
    wanted = row.options.get("media_width_mm")
    if wanted and width is not None and dpi:
        loaded = width / dpi * 25.4
        if abs(loaded - wanted) > 2.0:
            return (
                f"printer {row.name} prints {loaded:.0f} mm wide but its definition says "
                f"media_width_mm = {wanted:g} — load the right labels or fix the file"
            )
    return None


def read_printer(app: App, row: PrinterRow) -> Reading:
    """Everything the printer says about itself now: status, warnings, identity, counters."""
    transport = transport_for(app, row)
    try:
        try:
            status = transport.status()
        except TransportError as exc:
            state = "fault" if exc.code == "printer-garbage" else "unreachable"
            return Reading(state, exc.detail, read_at=now())
        finally:
            transport.close()
        if status is None:
            return Reading(
                "unknown" if not isinstance(transport, Tcp9100) else "ok",
                "the printer does not report its status",
                read_at=now(),
            )
        state = "ok" if status.ok else "problem"
        if not isinstance(transport, Tcp9100) or not status.raw:  # silent: ask nothing more
            return Reading(state, status.detail, read_at=now())
        try:
            extended, ident = transport.extended_status(), transport.identity()
            counter, head = transport.label_counter(), transport.head_life()
            width = transport.print_width()
        except TransportError as exc:
            return Reading("fault", exc.detail, read_at=now())
        warnings = extended.warnings if extended else []
        detail = "; ".join([status.detail, *warnings]) if warnings else status.detail
        return Reading(
            state,
            detail,
            warnings,
            ident.model if ident else None,
            ident.firmware if ident else None,
            ident.dpi if ident else None,
            counter,
            head,
            now(),
            print_width=width,
        )
    finally:
        transport.close()


def poll_printer(app: App, row: PrinterRow) -> bool:
    """Read a printer and record the reading; a change is an event and an outbox message.

    Returns True when something changed (status, warnings, identity).
    """
    reading = read_printer(app, row)
    with app.store.write() as tx:
        if reading.model is not None:
            tx.printers.set_identity(
                row.name,
                {
                    "model": reading.model,
                    "firmware": reading.firmware,
                    "dpi": reading.dpi,
                    "print_width": reading.print_width,
                },
            )
        current = tx.printers.get(row.name)
        mismatch = identity_mismatch(current) if current is not None else None
        status, detail = ("mismatch", mismatch) if mismatch else (reading.status, reading.detail)
        tx.printers.set_status(row.name, status, detail)
        reading = dataclasses.replace(reading, status=status, detail=detail)
        changed = tx.printers.add_reading(row.name, reading)
        if changed:
            details = {
                "status": status,
                "detail": detail,
                "warnings": reading.warnings,
                "model": reading.model,
                "dpi": reading.dpi,
                "label_counter": reading.label_counter,
            }
            tx.events.append(
                "printer-status-changed",
                subject=f"printer:{row.name}",
                actor="system:printer-poll",
                details=details,
            )
            tx.outbox.add(
                Topic.PRINTER_STATUS_CHANGED,
                {"printer": row.name, **details},
                subject=f"printer:{row.name}",
            )
    return changed


def printer_history(app: App, actor: Actor, name: str, limit: int = 20) -> list[Reading]:
    """A printer's readings, newest first (each a change)."""
    require(actor, "read")
    get_printer(app, name)
    with app.store.read() as tx:
        return tx.printers.readings(name, limit)


def stuck_printers(app: App) -> list[str]:
    """Printers whose queue is not moving: a job ``sending`` for longer than it may take."""
    limit = app.settings.printing.stuck_seconds
    with app.store.read() as tx:
        stale = tx.jobs.stale_sending(later(-limit))
        idle = tx.jobs.waiting_idle(later(-limit))
        status = {p.name: p.status_detail for p in tx.printers.all()}
    sending = [
        f"printer {j.printer}: job {j.id} has been sending since {j.updated_at}, its queue "
        "is not moving"
        for j in stale
    ]
    waiting = [
        f"printer {name}: {count} job(s) waiting since {since}, its queue is not moving"
        f" ({status.get(name) or 'no status'})"
        for name, count, since in idle
    ]
    return sending + waiting


@dataclass(frozen=True)
class FleetRow:
    """A printer on the printers page: its row, its recent readings, a stuck queue."""

    printer: PrinterRow
    readings: list[Reading]
    stuck: str | None


def fleet(app: App, actor: Actor, readings: int = 5) -> list[FleetRow]:
    """Every printer with its last readings (newest first) and whether its queue is stuck."""
    require(actor, "read")
    stuck = {line.split(":", 1)[0].removeprefix("printer "): line for line in stuck_printers(app)}
    with app.store.read() as tx:
        return [
            FleetRow(row, tx.printers.readings(row.name, readings), stuck.get(row.name))
            for row in tx.printers.all()
        ]


def test_label(row: PrinterRow) -> bytes:
    """A small label that shows the printer's name, resolution and the time."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if row.language == "escpos":
        text = f"labelsvc test print\n{row.name}\n{stamp}\n\n\n"
        return b"\x1b@" + text.encode("ascii", "replace") + b"\x1dV\x00"
    # the name is restricted to [A-Za-z0-9._-] by the definition loader: safe in ^FD
    return (
        f"^XA^CI28^FO40,40^A0N,40,40^FDlabelsvc test print^FS"
        f"^FO40,100^A0N,30,30^FD{row.name} - {row.dpi} dpi^FS"
        f"^FO40,150^A0N,24,24^FD{stamp}^FS^XZ"
    ).encode()


def test_print(
    app: App, actor: Actor, name: str, *, notify: Callable[[str], None] | None = None
) -> int:
    """Queue a test label for a printer (it goes out in order with its other jobs)."""
    require(actor, "jobs")
    row = get_printer(app, name)
    with app.store.write() as tx:
        job_id = tx.jobs.create(
            printer=name,
            template="test",
            payload=test_label(row),
            label_count=1,
            requested_by=actor.label,
            station=actor.station,
            reason="test print",
        )
    if notify is not None:
        notify(name)
    return job_id


def add_printer(app: App, actor: Actor, name: str, definition: str) -> str:
    """Write ``printers/<name>.toml`` from TOML text and load it; return the file path.

    The text is validated like a file read at start, so a mistake names the key.
    """
    require(actor, "manage")
    source = f"{app.settings.paths.printers}/{name}.toml"
    try:
        data = tomllib.loads(definition)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput("printer-invalid", f"{source}: not valid TOML: {exc}.") from exc
    printer_from_dict(data, source=source, default_name=name, default_dpi=app.settings.printing.dpi)
    if data.get("name", name) != name:
        raise InvalidInput("printer-invalid", f"{source}: 'name' must be {name!r} or left out.")
    folder = app.settings.path(app.settings.paths.printers)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite a definition
            file.write(definition.strip() + "\n")
    except FileExistsError:
        raise InvalidInput(
            "printer-exists", f"{source} exists already; edit the file to change it."
        ) from None
    sync_printers(app)
    with app.store.write() as tx:
        tx.events.append("printer-added", actor=actor.label, subject=f"printer:{name}")
    return str(path)

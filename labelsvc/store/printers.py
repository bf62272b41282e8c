"""Printers as loaded from ``printers/*.toml``, with their last known status."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class PrinterRow:
    """One row of ``printers``."""

    name: str
    driver: str
    language: str
    address: str
    dpi: int
    options: dict[str, Any]
    source: str | None
    status: str
    status_detail: str
    status_at: str | None
    created_at: str
    updated_at: str
    file_hash: str | None = None
    edited_by: str | None = None
    identity: dict[str, Any] | None = None  # what the printer says it is (model, dpi...)


def _row(r: Any) -> PrinterRow:
    values = {k: r[k] for k in r.keys()}  # noqa: SIM118 (sqlite3.Row)
    values["options"] = json.loads(values["options"])
    values["identity"] = json.loads(values["identity"]) if values.get("identity") else None
    return PrinterRow(**values)


class PrinterRepo:
    """Upsert definitions and record status; jobs reference printers by name."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def upsert(
        self,
        name: str,
        *,
        driver: str,
        language: str,
        address: str,
        dpi: int,
        options: dict[str, Any],
        source: str | None,
        file_hash: str | None = None,
    ) -> None:
        """Insert a printer or replace its definition (its status is kept)."""
        at = now()
        self.tx.execute(
            "INSERT INTO printers (name, driver, language, address, dpi, options, source,"
            " created_at, updated_at, file_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET driver = excluded.driver,"
            " language = excluded.language, address = excluded.address, dpi = excluded.dpi,"
            " options = excluded.options, source = excluded.source,"
            " updated_at = excluded.updated_at, file_hash = excluded.file_hash,"
            " edited_by = NULL",
            (
                name,
                driver,
                language,
                address,
                dpi,
                json.dumps(options, sort_keys=True),
                source,
                at,
                at,
                file_hash,
            ),
        )

    def get(self, name: str) -> PrinterRow | None:
        """The printer with this name, or None."""
        row = self.tx.execute("SELECT * FROM printers WHERE name = ?", (name,)).fetchone()
        return _row(row) if row else None

    def all(self) -> list[PrinterRow]:
        """All printers by name."""
        return [_row(r) for r in self.tx.execute("SELECT * FROM printers ORDER BY name")]

    def set_status(self, name: str, status: str, detail: str) -> bool:
        """Record the printer's status; True when it differs from the one stored."""
        cur = self.tx.execute(
            "UPDATE printers SET status = ?, status_detail = ?, status_at = ?"
            " WHERE name = ? AND (status != ? OR status_detail != ?)",
            (status, detail, now(), name, status, detail),
        )
        return cur.rowcount > 0

    def set_identity(self, name: str, identity: dict[str, Any]) -> None:
        """Keep what the printer said it is (``~HI``: model, firmware, dpi)."""
        self.tx.execute(
            "UPDATE printers SET identity = ? WHERE name = ?",
            (json.dumps(identity, sort_keys=True), name),
        )

    def add_reading(self, name: str, reading: Reading) -> bool:
        """Append a reading when it differs from the printer's last one; True if it did.

        The label counter alone moving is not a change (it moves with every label); it is
        kept with the next real change.
        """
        last = self.readings(name, limit=1)
        if last and last[0].same_as(reading):
            return False
        self.tx.insert(
            "INSERT INTO printer_readings (printer, status, detail, warnings, model, firmware,"
            " dpi, label_counter, head_life, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                reading.status,
                reading.detail,
                json.dumps(reading.warnings),
                reading.model,
                reading.firmware,
                reading.dpi,
                reading.label_counter,
                reading.head_life,
                reading.read_at or now(),
            ),
        )
        return True

    def readings(self, name: str, limit: int = 20) -> list[Reading]:
        """The newest readings of a printer first."""
        rows = self.tx.execute(
            "SELECT status, detail, warnings, model, firmware, dpi, label_counter, head_life,"
            " read_at FROM printer_readings WHERE printer = ? ORDER BY id DESC LIMIT ?",
            (name, limit),
        )
        return [
            Reading(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows
        ]


@dataclass(frozen=True)
class Reading:
    """One polled reading of a printer (``~HS``/``~HQES``/``~HI`` and its counters)."""

    status: str
    detail: str = ""
    warnings: list[str] = field(default_factory=list)
    model: str | None = None
    firmware: str | None = None
    dpi: int | None = None
    label_counter: int | None = None
    head_life: int | None = None
    read_at: str | None = None
    print_width: int | None = None  # dots; kept in the identity, not in the history

    def same_as(self, other: Reading) -> bool:
        """Equal in everything but the moving counters and the time."""
        keys = ("status", "detail", "warnings", "model", "firmware", "dpi")
        return all(getattr(self, k) == getattr(other, k) for k in keys)

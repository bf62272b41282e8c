"""Printers as loaded from ``printers/*.toml``, with their last known status."""

from __future__ import annotations

import json
from dataclasses import dataclass
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


def _row(r: Any) -> PrinterRow:
    values = {k: r[k] for k in r.keys()}  # noqa: SIM118 (sqlite3.Row)
    values["options"] = json.loads(values["options"])
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

"""Station profiles: which role a workstation plays and which printer it prints on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class StationRow:
    """One row of ``stations``."""

    name: str
    role: str
    printer: str | None
    description: str
    updated_by: str
    created_at: str
    updated_at: str
    scanner_gs: str = "unknown"  # yes, no, substitute, unknown (the scanner set-up check)
    scanner_aim: str = "unknown"  # yes, no: sends a symbology identifier such as ]d2
    scanner_suffix: str = "unknown"  # enter, tab, none
    scanner_layout: str = "unknown"  # ok, wrong
    scanner_prefix: str = ""  # what the scanner types before every code (a set-up choice)
    scanner_checked_at: str | None = None
    scanner_checked_by: str | None = None
    sgln: str | None = None  # the station's GS1 identity (read point); None: the default


def _row(r: Any) -> StationRow:
    return StationRow(**{k: r[k] for k in r.keys()})  # noqa: SIM118 (sqlite3.Row)


class StationRepo:
    """Read and upsert station profiles (constructed with the caller's ``tx``)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def get(self, name: str) -> StationRow | None:
        """The station with this name, or None."""
        row = self.tx.execute("SELECT * FROM stations WHERE name = ?", (name,)).fetchone()
        return _row(row) if row else None

    def all(self) -> list[StationRow]:
        """Every station by name."""
        return [_row(r) for r in self.tx.execute("SELECT * FROM stations ORDER BY name")]

    def upsert(
        self, name: str, *, role: str, printer: str | None, description: str, actor: str
    ) -> bool:
        """Insert or replace a profile; True when it was new."""
        at = now()
        existed = self.get(name) is not None
        self.tx.execute(
            "INSERT INTO stations (name, role, printer, description, updated_by, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " role = excluded.role, printer = excluded.printer,"
            " description = excluded.description, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            (name, role, printer, description, actor, at, at),
        )
        return not existed

    def set_scanner(
        self, name: str, *, gs: str, aim: str, suffix: str, layout: str, prefix: str, actor: str
    ) -> bool:
        """Store what the scanner set-up check found; False when there is no such station."""
        cur = self.tx.execute(
            "UPDATE stations SET scanner_gs = ?, scanner_aim = ?, scanner_suffix = ?,"
            " scanner_layout = ?, scanner_prefix = ?, scanner_checked_at = ?,"
            " scanner_checked_by = ? WHERE name = ?",
            (gs, aim, suffix, layout, prefix, now(), actor, name),
        )
        return cur.rowcount == 1

    def record_trace(
        self,
        *,
        query: str,
        found: bool,
        nodes: int,
        ms: float,
        actor: str,
        station: str | None,
        surface: str = "page",
    ) -> None:
        """Remember how long one trace look-up took, and where it was asked (page, api, cli)."""
        self.tx.execute(
            "INSERT INTO trace_lookups (query, found, nodes, ms, actor, station, at, surface)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (query, int(found), nodes, ms, actor, station, now(), surface),
        )

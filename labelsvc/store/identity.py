"""GS1 identities: the site's GLN and time zone, stations' SGLNs, partners' master data.

The site values live in ``site_settings`` (one database for every instance of a site);
events copy what applies to them when they are written (see :mod:`labelsvc.store.events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from labelsvc.gs1.locations import sgln_uri
from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx

GLN_KEY, PREFIX_KEY, ZONE_KEY = "gs1.site_gln", "gs1.site_prefix_length", "gs1.site_timezone"


@dataclass(frozen=True)
class SiteIdentity:
    """Who and where the site is in GS1 terms (``gln`` None until an admin sets it)."""

    gln: str | None
    prefix_length: int
    timezone: str

    def sgln(self, extension: str = "0") -> str | None:
        """The site (extension 0) or one of its sub-locations as an SGLN URN."""
        return sgln_uri(self.gln, self.prefix_length, extension) if self.gln else None

    def offset(self, at: datetime | None = None) -> str:
        """The zone's UTC offset at an instant, as EPCIS writes it: ``+02:00``."""
        local = (at or datetime.now(UTC)).astimezone(ZoneInfo(self.timezone))
        delta = local.utcoffset()
        minutes = int(delta.total_seconds() // 60) if delta else 0
        sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
        return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Partner:
    """A supplier or customer as sources and destinations name it."""

    name: str
    gln: str
    sgln: str | None
    description: str
    updated_by: str
    updated_at: str


class IdentityRepo:
    """Read and set GS1 identities (constructed with the caller's ``tx``)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def site(self) -> SiteIdentity:
        """The site identity as stored (UTC and prefix length 7 until set)."""
        rows = self.tx.execute(
            "SELECT key, value FROM site_settings WHERE key IN (?, ?, ?)",
            (GLN_KEY, PREFIX_KEY, ZONE_KEY),
        )
        values = {r[0]: r[1] for r in rows}
        return SiteIdentity(
            values.get(GLN_KEY) or None, int(values.get(PREFIX_KEY) or 7),
            values.get(ZONE_KEY) or "UTC",
        )  # fmt: skip

    def set_site(self, gln: str | None, prefix_length: int, timezone: str) -> None:
        """Store the site identity (each value replaces the one before)."""
        at = now()
        for key, value in ((GLN_KEY, gln or ""), (PREFIX_KEY, str(prefix_length)),
                           (ZONE_KEY, timezone)):  # fmt: skip
            self.tx.execute(
                "INSERT INTO site_settings (key, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                (key, value, at),
            )

    def station_sgln(self, station: str) -> str | None:
        """The SGLN an admin gave a station, or None."""
        row = self.tx.execute("SELECT sgln FROM stations WHERE name = ?", (station,)).fetchone()
        return str(row[0]) if row and row[0] else None

    def set_station_sgln(self, station: str, sgln: str | None) -> bool:
        """Set (or clear) a station's SGLN; False when there is no such station."""
        cur = self.tx.execute(
            "UPDATE stations SET sgln = ?, updated_at = ? WHERE name = ?", (sgln, now(), station)
        )
        return cur.rowcount == 1

    def save_partner(
        self, name: str, *, gln: str, sgln: str | None, description: str, actor: str
    ) -> None:
        """Insert or replace a partner's master data."""
        self.tx.execute(
            "INSERT INTO partners (name, gln, sgln, description, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET gln = excluded.gln,"
            " sgln = excluded.sgln, description = excluded.description,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (name, gln, sgln, description, actor, now()),
        )

    def partner(self, name: str) -> Partner | None:
        """A partner by name, or None."""
        row = self.tx.execute(
            "SELECT name, gln, sgln, description, updated_by, updated_at FROM partners"
            " WHERE name = ?",
            (name,),
        ).fetchone()
        return Partner(*tuple(row)) if row else None

    def partners(self) -> list[Partner]:
        """Every partner by name."""
        rows = self.tx.execute(
            "SELECT name, gln, sgln, description, updated_by, updated_at FROM partners"
            " ORDER BY name"
        )
        return [Partner(*tuple(r)) for r in rows]

    def commission(self, item_ids: list[int]) -> list[int]:
        """Register items as commissioned; return those that were not before (each once,
        even when two transactions race: the UNIQUE key decides)."""
        fresh: list[int] = []
        at = now()
        for start in range(0, len(item_ids), 500):
            chunk = item_ids[start : start + 500]
            values = ", ".join("(?, ?)" for _ in chunk)
            rows = self.tx.execute(
                f"INSERT INTO epcis_commissions (item_id, at) VALUES {values}"
                " ON CONFLICT (item_id) DO NOTHING RETURNING item_id",
                [v for i in chunk for v in (i, at)],
            )
            fresh.extend(int(r[0]) for r in rows)
        return sorted(fresh)

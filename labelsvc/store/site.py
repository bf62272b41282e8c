"""What every instance on one store shares: site settings and the list of instances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class InstanceRow:
    """One ``labelsvc serve`` process that reported itself."""

    id: str
    host: str
    pid: int
    listen: str
    version: str
    started_at: str
    seen_at: str


class SiteRepo:
    """Site-wide values (the session key) and instance heartbeats."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def setting(self, key: str) -> str | None:
        """A site setting's value, or None."""
        row = self.tx.execute("SELECT value FROM site_settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def setting_once(self, key: str, value: str) -> str:
        """Store ``value`` unless the key has one; return what is stored (first writer wins)."""
        self.tx.execute(
            "INSERT INTO site_settings (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO NOTHING",
            (key, value, now()),
        )
        stored = self.setting(key)
        assert stored is not None
        return stored

    def heartbeat(self, instance: InstanceRow) -> None:
        """Record (or refresh) an instance."""
        self.tx.execute(
            "INSERT INTO instances (id, host, pid, listen, version, started_at, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = ?",
            (instance.id, instance.host, instance.pid, instance.listen, instance.version,
             instance.started_at, now(), now()),
        )  # fmt: skip

    def instances(self, seen_since: str) -> list[InstanceRow]:
        """Instances seen since a time, oldest first."""
        rows = self.tx.execute(
            "SELECT id, host, pid, listen, version, started_at, seen_at FROM instances"
            " WHERE seen_at >= ? ORDER BY started_at",
            (seen_since,),
        )
        return [InstanceRow(*tuple(r)) for r in rows]

    def forget_instance(self, instance_id: str) -> None:
        """Remove an instance that stopped cleanly."""
        self.tx.execute("DELETE FROM instances WHERE id = ?", (instance_id,))

    def migrations(self) -> list[str]:
        """Migrations applied to this database, in order."""
        return sorted(r[0] for r in self.tx.execute("SELECT name FROM _migrations"))

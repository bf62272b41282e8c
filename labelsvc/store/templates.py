"""Label templates kept in the database, the one copy every instance of a site renders from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class TemplateRow:
    """One stored template and where it came from."""

    name: str
    body: str
    source: str | None
    file_hash: str | None
    edited_by: str | None
    created_at: str
    updated_at: str


class TemplateRepo:
    """Read and save label templates."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def get(self, name: str) -> TemplateRow | None:
        """The template named ``name``, or None."""
        row = self.tx.execute("SELECT * FROM label_templates WHERE name = ?", (name,)).fetchone()
        return TemplateRow(**dict(row)) if row else None

    def names(self) -> list[str]:
        """Every stored template's name, sorted."""
        return [r[0] for r in self.tx.execute("SELECT name FROM label_templates ORDER BY name")]

    def stamp(self, name: str) -> str | None:
        """When the template last changed (None when there is no such template)."""
        row = self.tx.execute(
            "SELECT updated_at FROM label_templates WHERE name = ?", (name,)
        ).fetchone()
        return str(row[0]) if row else None

    def save(
        self, name: str, body: str, *, source: str | None, file_hash: str | None,
        edited_by: str | None,
    ) -> bool:  # fmt: skip
        """Insert or replace a template; True when it was new."""
        at = now()
        existed = self.get(name) is not None
        self.tx.execute(
            "INSERT INTO label_templates (name, body, source, file_hash, edited_by, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " body = excluded.body, source = excluded.source, file_hash = excluded.file_hash,"
            " edited_by = excluded.edited_by, updated_at = excluded.updated_at",
            (name, body, source, file_hash, edited_by, at, at),
        )
        return not existed

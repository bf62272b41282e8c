"""Touchpoints (named steps with their CBV business step) and the ones a product requires.

The default touchpoints are declared once in :mod:`labelsvc.domain.locations`; the table
holds those an admin declared or changed, so a new database holds no rows until then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.domain.locations import DEFAULT_TOUCHPOINTS
from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class TouchpointRow:
    """One declared touchpoint; ``event_types`` are events that count as a scan of it."""

    name: str
    biz_step: str
    title: str
    event_types: tuple[str, ...]


_DEFAULTS = {
    t.name: TouchpointRow(t.name, t.biz_step, t.title, tuple(map(str, t.event_types)))
    for t in DEFAULT_TOUCHPOINTS
}


def _row(r: Any) -> TouchpointRow:
    types = tuple(t for t in str(r["event_types"] or "").split(",") if t)
    return TouchpointRow(r["name"], r["biz_step"], r["title"], types)


class TouchpointRepo:
    """Declare touchpoints, the products' required ones, and read item scan records."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def save(self, name: str, biz_step: str, title: str, event_types: Sequence[str]) -> None:
        """Declare a touchpoint or change its business step, title or implying event."""
        self.tx.execute(
            "INSERT INTO touchpoints (name, biz_step, title, event_types, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " biz_step = excluded.biz_step, title = excluded.title,"
            " event_types = excluded.event_types",
            (name, biz_step, title, ",".join(event_types), now()),
        )

    def get(self, name: str) -> TouchpointRow | None:
        """The touchpoint with this name (a stored one before a default), or None."""
        row = self.tx.execute("SELECT * FROM touchpoints WHERE name = ?", (name,)).fetchone()
        return _row(row) if row else _DEFAULTS.get(name)

    def all(self) -> list[TouchpointRow]:
        """Every touchpoint, by name: the defaults and those admins declared or changed."""
        found = dict(_DEFAULTS)
        found.update({r.name: r for r in map(_row, self.tx.execute("SELECT * FROM touchpoints"))})
        return [found[name] for name in sorted(found)]

    def set_required(self, gtin: str, names: Sequence[str]) -> None:
        """Replace the touchpoints a product's flow requires (in flow order)."""
        self.tx.execute("DELETE FROM product_touchpoints WHERE gtin = ?", (gtin,))
        self.tx.executemany(
            "INSERT INTO product_touchpoints (gtin, touchpoint, position) VALUES (?, ?, ?)",
            ((gtin, name, n) for n, name in enumerate(names)),
        )

    def required(self) -> dict[str, list[str]]:
        """Required touchpoints by GTIN, in flow order."""
        found: dict[str, list[str]] = {}
        for r in self.tx.execute(
            "SELECT gtin, touchpoint FROM product_touchpoints ORDER BY gtin, position"
        ):
            found.setdefault(r[0], []).append(r[1])
        return found

    def scan_record(
        self, item_ids: Sequence[int], types: Sequence[str], key: str
    ) -> list[tuple[int, str, str | None]]:
        """(item id, event type, details[key]) of these items' events of ``types``."""
        found: list[tuple[int, str, str | None]] = []
        tmarks = ",".join("?" * len(types))
        for start in range(0, len(item_ids), 500):
            chunk = item_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.tx.execute(
                f"SELECT item_id, type, {self.tx.json_text('details', key)} FROM events"
                f" WHERE item_id IN ({marks}) AND type IN ({tmarks})",
                (*chunk, *types),
            )
            found.extend((int(r[0]), str(r[1]), r[2]) for r in rows)
        return found

    def items_in_scope(
        self, gtins: Sequence[str], since: str | None, until: str | None
    ) -> list[tuple[int, str]]:
        """(id, gtin) of units of these products with an event in ``[since, until)``."""
        if not gtins:
            return []
        marks = ",".join("?" * len(gtins))
        rows = self.tx.execute(
            f"SELECT id, gtin FROM items WHERE gtin IN ({marks}) AND level = 'unit' AND id IN"
            " (SELECT item_id FROM events WHERE at >= ? AND at < ? AND item_id IS NOT NULL)"
            " ORDER BY id",
            (*gtins, since or "", until or "9999"),
        )
        return [(int(r[0]), str(r[1])) for r in rows]

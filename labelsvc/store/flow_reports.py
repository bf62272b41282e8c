"""Read-only queries behind the flow metrics: trace times, recall scope, return times."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class RecallTally:
    """One recall action: the units it held, and the units of the lots they belong to."""

    at: str
    actor: str
    reason: str
    units: int
    lot_units: int  # units of the recalled lots, plus recalled units without a lot
    lots: int


class FlowReportRepo:
    """Aggregates for :mod:`labelsvc.services.metrics_flows`."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def trace_times(self, since: str) -> list[tuple[float, str]]:
        """(ms, surface) of every trace look-up since ``since``, found or not, fastest first."""
        rows = self.tx.execute(
            "SELECT ms, COALESCE(surface, 'page') FROM trace_lookups WHERE at >= ? ORDER BY ms",
            (since,),
        )
        return [(float(r[0]), str(r[1])) for r in rows]

    def recalls(self, limit: int = 20) -> list[RecallTally]:
        """The latest recall actions (one per time and actor), newest first."""
        reason = self.tx.json_text("e.details", "reason")
        groups = self.tx.execute(
            f"SELECT e.at, e.actor, COALESCE(MAX({reason}), ''), COUNT(DISTINCT i.id)"
            " FROM events e JOIN items i ON i.id = e.item_id WHERE e.type = 'recalled'"
            " AND i.kind = 'unit' GROUP BY e.at, e.actor ORDER BY e.at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [self._tally(str(g[0]), str(g[1]), str(g[2]), int(g[3])) for g in groups]

    def _tally(self, at: str, actor: str, reason: str, units: int) -> RecallTally:
        recalled = (
            "SELECT DISTINCT i.gtin, i.lot FROM events e JOIN items i ON i.id = e.item_id"
            " WHERE e.type = 'recalled' AND e.at = ? AND e.actor = ? AND i.kind = 'unit'"
        )
        lots = self.tx.execute(
            f"SELECT COUNT(*) FROM ({recalled} AND i.lot IS NOT NULL) AS l", (at, actor)
        ).fetchone()[0]
        in_lots = self.tx.execute(
            f"SELECT COUNT(*) FROM items u JOIN ({recalled} AND i.lot IS NOT NULL) AS l"
            " ON u.gtin = l.gtin AND u.lot = l.lot WHERE u.kind = 'unit'",
            (at, actor),
        ).fetchone()[0]
        no_lot = self.tx.execute(
            "SELECT COUNT(DISTINCT i.id) FROM events e JOIN items i ON i.id = e.item_id"
            " WHERE e.type = 'recalled' AND e.at = ? AND e.actor = ? AND i.kind = 'unit'"
            " AND i.lot IS NULL",
            (at, actor),
        ).fetchone()[0]
        return RecallTally(at, actor, reason, units, int(in_lots) + int(no_lot), int(lots))

"""Read-only measures for the admin dashboard and the audit log (aggregates in SQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.events import EventRow

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class ReceiptTally:
    """Expected against received for one receipt; ``matched`` counts received within lines."""

    reference: str
    state: str
    created_at: str
    expected: int
    received: int
    matched: int


def _event(r: Any) -> EventRow:
    return EventRow(
        id=r["id"], type=r["type"], item_id=r["item_id"], parent_id=r["parent_id"],
        subject=r["subject"], actor=r["actor"], station=r["station"], at=r["at"],
        details=json.loads(r["details"]),
    )  # fmt: skip


class ReportRepo:
    """Aggregates over jobs, allocations, receipts, events and trace timings."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def labels_by_hour(self, since: str) -> list[tuple[str, str, int]]:
        """(hour ``YYYY-MM-DDTHH``, station, labels sent) since a time."""
        rows = self.tx.execute(
            "SELECT substr(sent_at, 1, 13) AS hour, COALESCE(station, '') AS station,"
            " SUM(label_count) FROM print_jobs WHERE sent_at >= ? AND state IN ('sent', 'printed')"
            " GROUP BY hour, station ORDER BY hour, station",
            (since,),
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    def allocated_by_hour(self, since: str) -> list[tuple[str, str, int]]:
        """(pool, hour, serials allocated) since a time."""
        rows = self.tx.execute(
            "SELECT pool, substr(created_at, 1, 13) AS hour, SUM(count) FROM allocations"
            " WHERE created_at >= ? GROUP BY pool, hour ORDER BY hour",
            (since,),
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    def allocated_before(self, since: str) -> dict[str, int]:
        """Serials each pool had allocated before a time (the start of its usage curve)."""
        rows = self.tx.execute(
            "SELECT pool, SUM(count) FROM allocations WHERE created_at < ? GROUP BY pool",
            (since,),
        )
        return {r[0]: int(r[1]) for r in rows}

    def receipts(self, limit: int = 20) -> list[ReceiptTally]:
        """The latest receipts with expected, received and matched counts."""
        least = "LEAST" if self.tx.dialect == "postgresql" else "MIN"  # the 2-argument form
        rows = self.tx.execute(
            "SELECT r.reference, r.state, r.created_at,"
            " (SELECT COALESCE(SUM(l.quantity), 0) FROM receipt_lines l"
            "   WHERE l.receipt_id = r.id) AS expected,"
            " (SELECT COUNT(*) FROM receipt_items i WHERE i.receipt_id = r.id) AS received,"
            f" (SELECT COALESCE(SUM({least}(l.quantity, (SELECT COUNT(*) FROM receipt_items i"
            "   WHERE i.receipt_id = r.id AND i.line_id = l.id))), 0)"
            "   FROM receipt_lines l WHERE l.receipt_id = r.id) AS matched"
            " FROM receipts r ORDER BY r.id DESC LIMIT ?",
            (limit,),
        )
        return [ReceiptTally(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in rows]

    def count_by_detail(self, types: Sequence[str], key: str, since: str) -> dict[str, int]:
        """How many events of ``types`` since a time, grouped by ``details[key]``."""
        marks = ",".join("?" * len(types))
        value = self.tx.json_text("details", key)
        rows = self.tx.execute(
            f"SELECT COALESCE({value}, ''), COUNT(*) FROM events"
            f" WHERE type IN ({marks}) AND at >= ? GROUP BY 1",
            (*types, since),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def latest_events(self, types: Sequence[str], limit: int = 20) -> list[EventRow]:
        """The newest events of some types."""
        marks = ",".join("?" * len(types))
        rows = self.tx.execute(
            f"SELECT * FROM events WHERE type IN ({marks}) ORDER BY id DESC LIMIT ?",
            (*types, limit),
        )
        return [_event(r) for r in rows]

    def audit(
        self, *, type: str | None, actor: str | None, subject: str | None, since: str | None,
        until: str | None, before_id: int | None, limit: int,
    ) -> list[EventRow]:  # fmt: skip
        """Events newest first, filtered; page backwards with ``before_id``."""
        where, params = ["1 = 1"], []  # type: tuple[list[str], list[object]]
        for clause, value in (
            ("type = ?", type), ("actor = ?", actor), ("subject LIKE ? || '%'", subject),
            ("at >= ?", since), ("at < ?", until), ("id < ?", before_id),
        ):  # fmt: skip
            if value:
                where.append(clause)
                params.append(value)
        sql = f"SELECT * FROM events WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?"
        return [_event(r) for r in self.tx.execute(sql, (*params, limit))]

    def event_types(self) -> list[str]:
        """Every event type recorded so far (for the audit filter)."""
        return [r[0] for r in self.tx.execute("SELECT DISTINCT type FROM events ORDER BY 1")]

    def pack_entries(self, since: str) -> dict[str, int]:
        """Units packed since a time, by how they were entered: scan, typed, overridden."""
        reason, entry = (
            self.tx.json_text("e.details", "reason"),
            self.tx.json_text("e.details", "entry"),
        )
        rows = self.tx.execute(
            f"SELECT CASE WHEN {reason} IS NOT NULL THEN 'overridden'"
            f" ELSE COALESCE({entry}, 'not recorded') END, COUNT(*)"
            " FROM events e JOIN items i ON i.id = e.item_id"
            " WHERE e.type = 'packed' AND e.at >= ? AND i.level = 'unit' GROUP BY 1",
            (since,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def recalls(self, limit: int = 12) -> list[tuple[str, str, str, int]]:
        """Recent recalls: (time, actor, reason, units affected), one row per recall action."""
        reason = self.tx.json_text("e.details", "reason")
        rows = self.tx.execute(
            f"SELECT e.at, e.actor, COALESCE(MAX({reason}), ''),"
            " SUM(CASE WHEN i.level = 'unit' THEN 1 ELSE 0 END)"
            " FROM events e JOIN items i ON i.id = e.item_id WHERE e.type = 'recalled'"
            " GROUP BY e.at, e.actor ORDER BY e.at DESC LIMIT ?",
            (limit,),
        )
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

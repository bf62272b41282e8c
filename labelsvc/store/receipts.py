"""Receipts (ASN or PO), their expected lines and identifiers, and what was received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class ReceiptRow:
    """One receiving session against an ASN or PO."""

    id: int
    reference: str
    kind: str
    supplier: str
    state: str
    created_by: str
    created_at: str
    closed_by: str | None
    closed_at: str | None
    close_reason: str | None


@dataclass(frozen=True)
class LineRow:
    """An expected line with its live count and how many serials the ASN lists for it."""

    id: int
    line_no: int
    gtin: str | None
    sku: str | None
    quantity: int
    lot: str | None
    expiry: str | None
    received: int
    listed: int


@dataclass(frozen=True)
class ScanRow:
    """One logged scan with its outcome."""

    id: int
    raw: str
    name: str
    outcome: str
    accepted: bool
    item_id: int | None
    line_id: int | None
    actor: str
    station: str | None
    at: str


def _receipt(r: Any) -> ReceiptRow:
    return ReceiptRow(**{k: r[k] for k in r.keys()})  # noqa: SIM118 (sqlite3.Row)


class ReceiptRepo:
    """Create receipts and lines, record received items and scans, count and compare."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def create(self, *, reference: str, kind: str, supplier: str, created_by: str) -> int:
        """Insert a receipt; a reference used before raises ``IntegrityViolation``."""
        return self.tx.insert(
            "INSERT INTO receipts (reference, kind, supplier, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (reference, kind, supplier, created_by, now()),
        )

    def add_line(
        self, receipt_id: int, *, line_no: int, gtin: str | None, sku: str | None,
        quantity: int, lot: str | None, expiry: str | None,
    ) -> int:  # fmt: skip
        """Insert an expected line and return its id."""
        return self.tx.insert(
            "INSERT INTO receipt_lines (receipt_id, line_no, gtin, sku, quantity, lot, expiry)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (receipt_id, line_no, gtin, sku, quantity, lot, expiry),
        )

    def add_expected(
        self, receipt_id: int, line_id: int | None, kind: str, gtin: str, values: list[str]
    ) -> None:
        """List identifiers the ASN announces (``sgtin`` serials or ``sscc`` codes)."""
        self.tx.executemany(
            "INSERT INTO receipt_expected (receipt_id, line_id, kind, gtin, value)"
            " VALUES (?, ?, ?, ?, ?)",
            ((receipt_id, line_id, kind, gtin, v) for v in values),
        )

    def get(self, reference: str) -> ReceiptRow | None:
        """The receipt with this reference, or None."""
        row = self.tx.execute(
            f"SELECT * FROM receipts WHERE reference = ?{self.tx.for_update}", (reference,)
        )
        found = row.fetchone()
        return _receipt(found) if found else None

    def get_by_id(self, receipt_id: int) -> ReceiptRow | None:
        """The receipt with this id, or None."""
        row = self.tx.execute("SELECT * FROM receipts WHERE id = ?", (receipt_id,)).fetchone()
        return _receipt(row) if row else None

    def all(self, state: str | None = None, limit: int = 200) -> list[ReceiptRow]:
        """Receipts, newest first (only those in ``state`` when given)."""
        sql, params = "SELECT * FROM receipts", []
        if state:
            sql += " WHERE state = ?"
            params.append(state)
        rows = self.tx.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_receipt(r) for r in rows]

    def lines(self, receipt_id: int) -> list[LineRow]:
        """Lines in order with live received counts and the number of listed identifiers."""
        rows = self.tx.execute(
            "SELECT l.id, l.line_no, l.gtin, l.sku, l.quantity, l.lot, l.expiry,"
            " l.received_count AS received,"
            " (SELECT COUNT(*) FROM receipt_expected e WHERE e.line_id = l.id AND e.kind = 'sgtin')"
            " AS listed"
            " FROM receipt_lines l WHERE l.receipt_id = ? ORDER BY l.line_no",
            (receipt_id,),
        )
        return [LineRow(**dict(r)) for r in rows]

    def expected_line(self, receipt_id: int, kind: str, gtin: str, value: str) -> int | None:
        """The line whose expected list names this identifier (0 for a receipt-wide entry)."""
        row = self.tx.execute(
            "SELECT COALESCE(line_id, 0) FROM receipt_expected WHERE receipt_id = ? AND kind = ?"
            " AND gtin = ? AND value = ?",
            (receipt_id, kind, gtin, value),
        ).fetchone()
        return None if row is None else int(row[0])

    def lists_any(self, receipt_id: int, kind: str) -> bool:
        """True when the ASN lists identifiers of this kind at all."""
        row = self.tx.execute(
            "SELECT 1 FROM receipt_expected WHERE receipt_id = ? AND kind = ? LIMIT 1",
            (receipt_id, kind),
        ).fetchone()
        return row is not None

    def receipts_of(self, item_id: int) -> list[str]:
        """References of the receipts an item was received on."""
        rows = self.tx.execute(
            "SELECT r.reference FROM receipt_items ri JOIN receipts r ON r.id = ri.receipt_id"
            " WHERE ri.item_id = ? ORDER BY r.id",
            (item_id,),
        )
        return [r[0] for r in rows]

    def add_items(
        self, receipt_id: int, item_ids: list[int], *, line_id: int | None, how: str,
        actor: str, station: str | None,
    ) -> None:  # fmt: skip
        """Record items as received; one row per item and receipt (the primary key).

        The line's ``received_count`` moves in the same statement batch, so counting a line
        never reads every item received on it.
        """
        at = now()
        self.tx.executemany(
            "INSERT INTO receipt_items (receipt_id, item_id, line_id, how, actor, station, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((receipt_id, i, line_id, how, actor, station, at) for i in item_ids),
        )
        if line_id is not None and item_ids:
            self.tx.execute(
                "UPDATE receipt_lines SET received_count = received_count + ? WHERE id = ?",
                (len(item_ids), line_id),
            )

    def item_ids(self, receipt_id: int) -> list[int]:
        """Ids of every item received on a receipt."""
        rows = self.tx.execute(
            "SELECT item_id FROM receipt_items WHERE receipt_id = ? ORDER BY item_id",
            (receipt_id,),
        )
        return [r[0] for r in rows]

    def log_scan(
        self, receipt_id: int, *, raw: str, name: str, outcome: str, accepted: bool,
        item_id: int | None, line_id: int | None, actor: str, station: str | None,
    ) -> int:  # fmt: skip
        """Append one scan and its outcome to the receipt's scan log."""
        return self.tx.insert(
            "INSERT INTO receipt_scans (receipt_id, raw, name, outcome, accepted, item_id,"
            " line_id, actor, station, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (receipt_id, raw, name, outcome, int(accepted), item_id, line_id, actor, station,
             now()),
        )  # fmt: skip

    def scans(self, receipt_id: int, outcomes: list[str] | None = None) -> list[ScanRow]:
        """The scan log of a receipt, oldest first (only some outcomes when given)."""
        sql, params = "SELECT * FROM receipt_scans WHERE receipt_id = ?", [receipt_id]
        if outcomes:
            sql += f" AND outcome IN ({','.join('?' * len(outcomes))})"
            params.extend(outcomes)  # type: ignore[arg-type]
        rows = self.tx.execute(sql + " ORDER BY id", params)
        return [
            ScanRow(**{**{k: r[k] for k in r.keys() if k != "receipt_id"},  # noqa: SIM118
                       "accepted": bool(r["accepted"])})
            for r in rows
        ]  # fmt: skip

    def missing(self, receipt_id: int) -> dict[int, list[str]]:
        """Listed identifiers not received yet, by line id (0: not tied to a line)."""
        rows = self.tx.execute(
            "SELECT COALESCE(e.line_id, 0), e.kind, e.gtin, e.value FROM receipt_expected e"
            " LEFT JOIN items i ON i.namespace = CASE e.kind WHEN 'sscc' THEN 'sscc'"
            "  ELSE '01:' || e.gtin END AND i.value = e.value"
            " LEFT JOIN receipt_items ri ON ri.receipt_id = e.receipt_id AND ri.item_id = i.id"
            " WHERE e.receipt_id = ? AND ri.item_id IS NULL ORDER BY e.id",
            (receipt_id,),
        )
        found: dict[int, list[str]] = {}
        for line_id, kind, gtin, value in rows:
            name = f"SSCC {value}" if kind == "sscc" else f"(01){gtin}(21){value}"
            found.setdefault(line_id, []).append(name)
        return found

    def set_closed(self, receipt_id: int, *, by: str, reason: str | None) -> bool:
        """Close an open receipt; False when it was not open."""
        cur = self.tx.execute(
            "UPDATE receipts SET state = 'closed', closed_by = ?, closed_at = ?, close_reason = ?"
            " WHERE id = ? AND state = 'open'",
            (by, now(), reason, receipt_id),
        )
        return cur.rowcount == 1

    def reopen(self, receipt_id: int) -> bool:
        """Open a closed receipt again; False when it was not closed."""
        cur = self.tx.execute(
            "UPDATE receipts SET state = 'open', closed_by = NULL, closed_at = NULL,"
            " close_reason = NULL WHERE id = ? AND state = 'closed'",
            (receipt_id,),
        )
        return cur.rowcount == 1

"""What a receiving scan names, and what the store knows about it.

Split from :mod:`labelsvc.services.receiving` so that reading a scan (the GS1 parse, the
ambiguity check against the station's scanner and the line, the look-up) stays apart from
recording what was received.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labelsvc.domain.errors import LabelsvcError
from labelsvc.domain.receipts import LineFacts, Outcome, ScanFacts
from labelsvc.services.app import App
from labelsvc.services.lookup import extra_ais, resolve, scan_of
from labelsvc.services.scan_checks import LineShape, PoolShape, ambiguity
from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.receipts import LineRow, ReceiptRow
from labelsvc.store.returns import ReturnRepo
from labelsvc.store.stations import StationRepo


@dataclass(frozen=True)
class Identity:
    """What a receiving scan names: an SGTIN or an SSCC, with the item if it is stored."""

    kind: str  # sgtin or sscc
    gtin: str | None
    value: str
    lot: str | None
    expiry: str | None
    item: Item | None
    extra: dict[str, str] = field(default_factory=dict, hash=False)  # AIs beyond the identity

    @property
    def name(self) -> str:
        """How the item is named to a person."""
        return f"SSCC {self.value}" if self.kind == "sscc" else f"(01){self.gtin}(21){self.value}"


def pool_shape(tx: Tx, gtin: str | None) -> PoolShape | None:
    """The shape of the serials our own pool issues for this GTIN, if it has one."""
    product = tx.products.get(gtin) if gtin else None
    pool = tx.pools.get(product.unit_pool) if product and product.unit_pool else None
    if pool is None or not pool.spec.length:
        return None
    return PoolShape(pool.spec.length, pool.spec.effective_alphabet)


def identify(
    tx: Tx, app: App, text: str, lines: list[LineRow], station: str | None
) -> Identity | Outcome:
    """What a scan names, or an ``unreadable``/``unknown``/``ambiguous`` outcome."""
    try:
        scan = scan_of(text, app.settings)
        profile = StationRepo(tx).get(station) if station else None
        why = ambiguity(
            scan, sends_gs=profile.scanner_gs if profile else "unknown",
            lines=[LineShape(ln.lot, ln.expiry) for ln in lines if ln.gtin == scan.gtin],
            pool=pool_shape(tx, scan.gtin),
        )  # fmt: skip
        if why:
            return Outcome("ambiguous", why, False)
        extra = extra_ais(scan)
        if scan.sscc:
            found = tx.items.find("sscc", scan.sscc)
            return Identity("sscc", None, scan.sscc, None, None, found, extra)
        if scan.gtin and scan.serial:
            item = tx.items.find(f"01:{scan.gtin}", scan.serial)
            return Identity("sgtin", scan.gtin, scan.serial, scan.lot, scan.get("17"), item, extra)
        item = resolve(tx, scan)
    except LabelsvcError as exc:
        return Outcome("unreadable", f"{text!r}: {exc.detail}", False)
    if item is None:
        return Outcome("unknown", f"{text!r} is not known here; scan the full GS1 code.", False)
    kind = "sscc" if item.kind == "sscc" else "sgtin"
    return Identity(kind, item.gtin, item.value, None, None, item)


def facts(tx: Tx, row: ReceiptRow, who: Identity, lines: list[LineRow]) -> ScanFacts:
    """What the store knows about the scanned identifier, for the receiving rules."""
    item = who.item
    refs = tx.receipts.receipts_of(item.id) if item else []
    others = [r for r in refs if r != row.reference]
    if item and others and ReturnRepo(tx).restocked(item.id):
        others = []  # it came back on a return and was restocked: receivable again
    return ScanFacts(
        name=who.name, kind=who.kind,  # type: ignore[arg-type]
        gtin=who.gtin, lot=who.lot,
        product_known=bool(who.gtin and tx.products.get(who.gtin)),
        known=item is not None, state=item.state if item else None,
        hold=item.hold if item else None, in_this_receipt=row.reference in refs,
        elsewhere=f"receipt {others[0]}" if others else None,
        expected_line_id=tx.receipts.expected_line(row.id, who.kind, who.gtin or "", who.value),
        expected_any=tx.receipts.lists_any(row.id, who.kind),
        lines=[LineFacts(ln.id, ln.line_no, ln.gtin, ln.lot, ln.quantity, ln.received,
                         ln.listed > 0) for ln in lines],
    )  # fmt: skip

"""Find the stored item behind anything a scanner or a person types."""

from __future__ import annotations

from labelsvc.config import Settings
from labelsvc.domain.errors import Conflict, InvalidInput
from labelsvc.gs1.check import normalize_gtin
from labelsvc.gs1.scan import Scan, parse_scan
from labelsvc.store import Tx
from labelsvc.store.items import Item


def scan_of(text: str, settings: Settings) -> Scan:
    """Parse a scan with the configured GS substitute."""
    return parse_scan(text, gs_substitute=settings.gs1.gs_substitute)


#: AIs an item row holds in its own columns (or that name the item); everything else a scan
#: carries is kept beside it as extra AIs.
_ITEM_AIS = frozenset({"00", "01", "21", "10", "17"})


def extra_ais(scan: Scan) -> dict[str, str]:
    """The AIs a scan carried beyond SSCC, GTIN, serial, lot and expiry (weights, dates...)."""
    return {ai: value for ai, value in scan.elements if ai not in _ITEM_AIS}


def resolve_scan(tx: Tx, text: str, settings: Settings) -> Item | None:
    """The item a scan names (SGTIN, SSCC or a bare serial), or None if it is unknown."""
    return resolve(tx, scan_of(text, settings))


def resolve(tx: Tx, scan: Scan) -> Item | None:
    """The item for a parsed scan, or None."""
    if scan.sscc:
        return tx.items.find("sscc", scan.sscc)
    if scan.gtin and scan.serial:
        return tx.items.find(f"01:{normalize_gtin(scan.gtin)}", scan.serial)
    if scan.gtin:
        raise InvalidInput(
            "scan-no-serial",
            f"The scan names GTIN {scan.gtin} but no serial (21); scan the serialized "
            "DataMatrix, not the retail barcode.",
        )
    if scan.bare is None:
        raise InvalidInput("scan-unusable", "The scan holds no serial or SSCC.")
    found = tx.items.find_by_value(scan.bare, limit=3)
    if len(found) > 1:
        raise Conflict(
            "scan-ambiguous",
            f"{scan.bare!r} is a serial of several products; scan the DataMatrix (with the "
            "GTIN) instead.",
        )
    return found[0] if found else None


def describe(item: Item) -> str:
    """How an item is named to a person: ``(01)…(21)…``, ``SSCC …`` or the custom serial."""
    if item.kind == "unit":
        return f"(01){item.gtin}(21){item.value}"
    if item.kind == "sscc":
        return f"SSCC {item.value}"
    return item.value

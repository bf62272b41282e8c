"""Helpers of the order and return tests: stock received by the real receiving flow."""

from __future__ import annotations

from flows_support import GTIN, OTHER_GTIN

from labelsvc.domain.actors import Actor
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import load_receipt, receive_scan, receive_untagged


def stock(
    app: App, actor: Actor, count: int, *, ref: str = "ASN-O", lot: str = "L1",
    expiry: str | None = None, printer: str | None = None,
) -> list[ItemView]:  # fmt: skip
    """``count`` demo units received untagged (serialized, commissioned) on a new ASN."""
    line = {"gtin": GTIN, "quantity": count, "lot": lot, **({"expiry": expiry} if expiry else {})}
    load_receipt(app, receipt_from_mapping({"reference": ref, "lines": [line]}, "test"),
                 actor=actor)  # fmt: skip
    return list(receive_untagged(app, ref, 1, count, actor=actor, printer=printer).items)


def other_stock(app: App, actor: Actor, serials: list[str], ref: str = "ASN-X") -> list[ItemView]:
    """Units of the second product, received tagged against an ASN that lists them."""
    spec = receipt_from_mapping(
        {"reference": ref, "lines": [{"gtin": OTHER_GTIN, "serials": serials}]}, "test"
    )
    load_receipt(app, spec, actor=actor)
    found = [receive_scan(app, ref, f"(01){OTHER_GTIN}(21){s}", actor=actor) for s in serials]
    assert all(r.accepted and r.item for r in found), [r.detail for r in found]
    return [r.item for r in found if r.item]

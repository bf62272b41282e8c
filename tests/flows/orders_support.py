"""Helpers of the order and return tests: stock received by the real receiving flow, an
order's pick scans, a case packed."""

from __future__ import annotations

from flows_support import GTIN, OTHER_GTIN, hri

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict
from labelsvc.services import packing
from labelsvc.services.app import App
from labelsvc.services.flow_views import ContainerView, ItemView
from labelsvc.services.orders import pick
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


def pick_each(app: App, order: str, codes: list[str], actor: Actor) -> list[str]:
    """Scan ``codes`` at an order's pick; the codes of the scans it refused, in order."""
    refusals = []
    for code in codes:
        try:
            pick(app, order, code, actor=actor)
        except Conflict as refused:
            refusals.append(refused.code)
    return refusals


def pack_case(
    app: App, actor: Actor, units: list[ItemView], printer: str
) -> tuple[ContainerView, ContainerView]:
    """A case opened for the demo product, ``units`` scanned in, closed and its label printed."""
    case = packing.open_case(app, actor=actor, gtin=GTIN)
    for u in units:
        packing.add_to_container(app, case.sscc, hri(u), actor=actor)
    return case, packing.close_container(app, case.sscc, actor=actor, printer=printer)

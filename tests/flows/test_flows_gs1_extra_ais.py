"""Supplier codes carry more than GTIN, serial, lot and expiry: weights, internal fields.

Receiving and packing accept them, keep them with the item, trace shows them and the EPCIS
export carries those GS1 gives a CBV master data attribute (validated against the schema).
"""

from __future__ import annotations

from flows_support import GTIN, epcis_errors

from labelsvc.domain.actors import Actor
from labelsvc.gs1 import GS
from labelsvc.services import epcis, packing, receiving, trace
from labelsvc.services.app import App
from labelsvc.services.receipt_files import receipt_from_mapping

# (01)(21)(10)(17)(3103)(91): net weight 1.250 kg and a supplier-internal field.
SUPPLIER_UNIT = f"]d201{GTIN}21SUP-W1{GS}10L77{GS}17271100310300125091BIN-42"


def _receipt(app: App, actor: Actor) -> None:
    spec = receipt_from_mapping(
        {"reference": "ASN-W", "supplier": "ACME", "lines": [{"gtin": GTIN, "quantity": 1}]},
        "test",
    )
    receiving.load_receipt(app, spec, actor=actor)


def test_supplier_unit_with_weight_and_internal_field(flows: App, operator: Actor) -> None:
    _receipt(flows, operator)
    result = receiving.receive_scan(flows, "ASN-W", SUPPLIER_UNIT, actor=operator)
    assert result.accepted, result.detail

    t = trace.trace(flows, SUPPLIER_UNIT, actor=operator)
    assert t.extra_ais == {"3103": "001250", "91": "BIN-42"}
    assert (t.item.lot, t.item.expiry) == ("L77", "271100")

    doc = epcis.export_epcis(flows, actor=operator, receipt="ASN-W")
    assert epcis_errors(doc) == []
    (received,) = [e for e in doc["epcisBody"]["eventList"] if e["bizStep"] == "receiving"]
    # Day 00 is the last day of the month: 2027-11-30, not the 28th.
    assert received["ilmd"] == {
        "cbvmda:lotNumber": "L77",
        "cbvmda:itemExpirationDate": "2027-11-30",
        "cbvmda:netWeight": {"value": 1.25, "unitCode": "KGM"},
    }


def test_packing_accepts_a_unit_with_an_internal_field(flows: App, operator: Actor) -> None:
    _receipt(flows, operator)
    receiving.receive_scan(flows, "ASN-W", SUPPLIER_UNIT, actor=operator)
    case = packing.open_container(flows, "case", actor=operator)
    view = packing.add_to_container(flows, case.sscc, SUPPLIER_UNIT, actor=operator)
    assert view.count == 1
    assert trace.trace(flows, SUPPLIER_UNIT, actor=operator).extra_ais["91"] == "BIN-42"

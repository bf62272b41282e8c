"""End to end: an ASN, untagged units labeled, cases and a pallet packed and closed, every
label the printer emulator received decoded back to the records, recall, unpack, EPCIS."""

from __future__ import annotations

import zxingcpp
from flows_support import GTIN, OTHER_GTIN, THIRD_GTIN, all_sent, epcis_errors, hri

from labelsvc.domain.actors import Actor
from labelsvc.gs1.scan import parse_scan
from labelsvc.labels.preview import preview
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import epcis, packing, receiving, trace
from labelsvc.services.app import App
from labelsvc.services.receipt_files import receipt_from_mapping


def _decoded(zpl: bytes) -> list[dict[str, str]]:
    """Every GS1 barcode on a label, read by zxing-cpp from the label's preview image."""
    image = preview(zpl).image.convert("L")
    found = []
    for r in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
        if r.symbology_identifier in ("]d2", "]C1"):
            found.append(
                dict(parse_scan(r.symbology_identifier + r.text, associations=False).elements)
            )
    return found


def test_receive_pack_print_recall_unpack_export(
    flows: App, zebra: PrinterEmulator, operator: Actor, supervisor: Actor
) -> None:
    spec = receipt_from_mapping({"reference": "ASN-E2E", "supplier": "ACME", "lines": [
        {"gtin": GTIN, "quantity": 24, "lot": "LOT-7", "expiry": "271130"},
        {"gtin": OTHER_GTIN, "quantity": 6},
        {"gtin": THIRD_GTIN, "quantity": 2},
    ]}, "test")  # fmt: skip
    receiving.load_receipt(flows, spec, actor=operator)
    units = receiving.receive_untagged(flows, "ASN-E2E", 1, 24, actor=operator, printer="zebra")
    assert len(units.items) == 24

    cases = []
    for chunk in (units.items[:12], units.items[12:]):
        case = packing.open_case(flows, actor=operator, gtin=GTIN)
        for unit in chunk:
            packing.add_to_container(flows, case.sscc, hri(unit), actor=operator)
        cases.append(packing.close_container(flows, case.sscc, actor=operator, printer="zebra"))
    pallet = packing.open_pallet(flows, actor=operator)
    for case in cases:
        packing.add_to_container(flows, pallet.sscc, case.sscc, actor=operator)
    closed = packing.close_container(flows, pallet.sscc, actor=operator, printer="zebra")
    assert (closed.state, closed.count, closed.capacity) == ("closed", 2, 2)

    assert zebra.wait_for_labels(27, timeout=60)
    assert all_sent(flows, operator)
    labels = [_decoded(zpl) for zpl in zebra.labels]
    unit_labels = [d for found in labels for d in found if "21" in d]
    assert sorted((d["01"], d["21"], d["10"], d["17"]) for d in unit_labels) == sorted(
        (GTIN, u.value, "LOT-7", "271130") for u in units.items
    )
    ssccs = {d["00"] for found in labels for d in found if "00" in d}
    assert ssccs == {cases[0].sscc, cases[1].sscc, pallet.sscc}
    # homogeneous content: (02) GTIN with (37) count, in a GS1-128 and in the DataMatrix
    contents = sorted(c for found in labels for c in {d["37"] for d in found if "02" in d})
    assert contents == ["12", "12", "24"]

    recalled = trace.quarantine(
        flows, pallet.sscc, actor=supervisor, reason="supplier recall", recall=True
    )  # fmt: skip (a recall needs a supervisor)
    assert (recalled.total, len(recalled.items)) == (27, 27)
    tree = trace.trace(flows, pallet.sscc, actor=operator)
    assert tree.item.hold == "recall" and len(tree.descendants) == 26
    assert all(d.hold == "recall" for d in tree.descendants)
    assert tree.units == 24

    out = packing.unpack_container(flows, cases[0].sscc, actor=supervisor, reason="inspect")
    assert len(out) == 12 and all(u.parent is None for u in out)
    history = trace.trace(flows, cases[0].sscc, actor=operator).timeline
    unpacked = [e for e in history if e.type == "unpacked"]
    assert len(unpacked) == 12 and all(e.parent == f"SSCC {cases[0].sscc}" for e in unpacked)
    assert "container-reopened" in [e.type for e in history]
    unit_history = [e.type for e in trace.trace(flows, hri(out[0]), actor=operator).timeline]
    assert "printed" in unit_history  # when the worker sent it, so its place may vary
    assert [t for t in unit_history if t != "printed"] == [
        "allocated", "commissioned", "packed", "recalled", "unpacked",
    ]  # fmt: skip

    for document in (
        epcis.export_epcis(flows, actor=operator, container=pallet.sscc),
        epcis.export_epcis(flows, actor=operator, receipt="ASN-E2E"),
        epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z"),
    ):
        assert epcis_errors(document) == []
        steps = {(e["type"], e["action"], e["bizStep"]) for e in document["epcisBody"]["eventList"]}
        assert ("ObjectEvent", "ADD", "commissioning") in steps
        assert ("AggregationEvent", "ADD", "packing") in steps
        assert ("AggregationEvent", "DELETE", "unpacking") in steps
    pallet_doc = epcis.export_epcis(flows, actor=operator, container=pallet.sscc)
    adds = [e for e in pallet_doc["epcisBody"]["eventList"] if e["type"] == "AggregationEvent"
            and e["action"] == "ADD" and e["parentID"].endswith(pallet.sscc[8:17])]  # fmt: skip
    assert {c for e in adds for c in e["childEPCs"]} == {
        f"urn:epc:id:sscc:9506000.{c.sscc[0]}{c.sscc[8:17]}" for c in cases
    }

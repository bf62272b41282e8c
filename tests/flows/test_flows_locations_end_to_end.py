"""End to end with the printer emulator: 25 units received and labeled, 12 packed into a
case; bin labels printed and read back by zxing-cpp; the case put away into one bin (item
first) and 12 loose units into another (bin first, scanned off its label); a blind count of
that bin with one unit missing and one extra; trace, metrics by hand and EPCIS."""

from __future__ import annotations

from pathlib import Path

from flows_support import GTIN, blind_count, epcis_errors, hri
from test_flows_location_labels import scans_of
from test_flows_locations import layout

from labelsvc.domain.actors import Actor
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import epcis, packing, putaway, touchpoints, trace
from labelsvc.services.app import App
from labelsvc.services.location_labels import print_location_labels
from labelsvc.services.metrics_touchpoints import inventory_accuracy, scan_compliance
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import load_receipt, receive_untagged


def test_receive_label_putaway_count_trace_metrics(
    flows: App, bin_zebra: PrinterEmulator, admin: Actor, operator: Actor,
    supervisor: Actor, tmp_path: Path,
) -> None:  # fmt: skip
    layout(flows, admin, tmp_path)
    touchpoints.require_touchpoints(flows, GTIN, ["receive", "putaway", "inspect"], actor=admin)
    spec = receipt_from_mapping({"reference": "ASN-E2E-L", "lines": [
        {"gtin": GTIN, "quantity": 25, "lot": "L9"}]}, "test")  # fmt: skip
    load_receipt(flows, spec, actor=operator)
    got = list(receive_untagged(flows, "ASN-E2E-L", 1, 25, actor=operator, printer="bins").items)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for u in got[:12]:
        packing.add_to_container(flows, case.sscc, hri(u), actor=operator)
    packing.close_container(flows, case.sscc, actor=operator, printer="bins")
    assert bin_zebra.wait_for_labels(26)  # 25 unit labels and the case label

    print_location_labels(flows, ["WH1-A-01", "WH1-A-02"], actor=operator, printer="bins")
    assert bin_zebra.wait_for_labels(28)
    a01, a02 = (scans_of(z)[1] for z in list(bin_zebra.labels)[26:28])  # the DataMatrix
    assert (a01, a02) == ("]d24149506000000008254A01", "]d24149506000000008254A02")

    putaway.move_to(flows, [f"00{case.sscc}"], a01, actor=operator)  # item first, then bin
    loose = putaway.move_to(flows, [hri(u) for u in got[12:24]], a02, actor=operator)
    assert loose.count == 12 and loose.location.code == "WH1-A-02"
    touchpoints.record_scan(flows, f"00{case.sscc}", "inspect", location="WH1-A-01",
                            actor=operator)  # fmt: skip

    # got[23] is missing, got[24] is on the shelf too
    blind_count(flows, a02, [*got[12:23], got[24]], missing=got[23], extra=got[24],
                actor=operator, supervisor=supervisor)  # fmt: skip

    t = trace.trace(flows, hri(got[0]), actor=operator)
    assert t.location is not None and t.location.code == "WH1-A-01"
    assert [s.type for s in t.location_history] == ["putaway"]
    types = [e.type for e in t.timeline]
    assert types.index("commissioned") < types.index("packed") < types.index("putaway")
    assert "touchpoint-scanned" in types
    t24 = trace.trace(flows, hri(got[24]), actor=operator)
    assert t24.location is not None and t24.location.code == "WH1-A-02"
    assert [s.type for s in t24.location_history] == ["count-resolved"]
    assert trace.trace(flows, hri(got[23]), actor=operator).location is None

    # by hand: units 0-11 receive+putaway+inspect (36), 12-23 receive+putaway (24),
    # unit 24 receive only (a count's correction is no putaway scan): 61 of 75
    c = scan_compliance(flows, actor=operator)
    assert (c.total.scanned, c.total.required, c.gap_count) == (61, 75, 13)
    # by site (where each unit is now): the missing unit 23 is nowhere (2 of 3); the
    # other 24 are in WH1: 36 + 11 x 2 + 1 = 59 of 72
    by_site = {g.key: (g.scanned, g.required) for g in c.by_site}
    assert by_site == {"WH1": (59, 72), "-": (2, 3)}
    acc = inventory_accuracy(flows, actor=operator)  # 12 expected + 1 extra, 11 agree
    assert (acc.lines, acc.matched) == (13, 11)
    assert (
        epcis_errors(epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z")) == []
    )

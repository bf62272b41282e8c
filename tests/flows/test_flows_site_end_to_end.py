"""Issue 14's whole end-to-end check as one test, with the printer emulator: 24 units
received and labeled, put away into two bins (scanned off their printed labels), 12 picked
for an order (one wrong-product scan and one over-pick refused), packed and shipped; a
return of 2 of its units (one restocked, one scrapped) and one unit never shipped (flagged);
a blind count of a bin with one unit missing and one extra; trace with locations and the
full history; the dashboard's figures, through its service functions and the API, equal
the numbers computed here by hand; the EPCIS export validates against the EPCIS 2.0 schema."""

from __future__ import annotations

import contextlib
import json
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flows_support import GTIN, all_sent, blind_count, epcis_errors, hri
from livekit import start_live_server
from orders_support import other_stock, pack_case, pick_each, stock
from test_flows_location_labels import scans_of
from test_flows_locations import layout

from labelsvc.domain.actors import SYSTEM, Actor
from labelsvc.domain.errors import LabelsvcError
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import epcis, metrics_flows, putaway, returns, trace
from labelsvc.services.app import App
from labelsvc.services.location_labels import print_location_labels
from labelsvc.services.metrics_touchpoints import inventory_accuracy, scan_compliance
from labelsvc.services.order_files import order_from_mapping
from labelsvc.services.order_shipping import ship_order
from labelsvc.services.orders import create_order
from labelsvc.services.products import save_products
from labelsvc.services.touchpoints import require_touchpoints
from labelsvc.services.users import create_token
from labelsvc.store.products import Product

FLOW = ["receive", "putaway", "pick", "pack", "ship"]


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def test_the_site_end_to_end(
    flows: App, zebra: PrinterEmulator, bin_zebra: PrinterEmulator, admin: Actor,
    supervisor: Actor, operator: Actor, tmp_path: Path, store_url: str,
) -> None:  # fmt: skip
    layout(flows, admin, tmp_path)
    save_products(flows.store, [Product(
        gtin=GTIN, description="Widget", company_prefix_length=7, units_per_case=12,
        cases_per_pallet=2, unit_pool="demo-units", warranty_days=365)], SYSTEM)  # fmt: skip
    require_touchpoints(flows, GTIN, FLOW, actor=admin)
    units = stock(flows, operator, 24, ref="ASN-SITE", lot="LOT-S", printer="zebra")
    stranger = other_stock(flows, operator, ["W1"])[0]

    print_location_labels(flows, ["WH1-A-01", "WH1-A-02"], actor=operator, printer="bins")
    assert bin_zebra.wait_for_labels(2)
    a01, a02 = (scans_of(z)[1] for z in bin_zebra.labels)  # their DataMatrix, read back
    first = putaway.move_to(flows, [hri(u) for u in units[:12]], a01, actor=operator)
    second = putaway.move_to(flows, [hri(u) for u in units[12:]], a02, actor=operator)
    assert (first.location.code, second.location.code) == ("WH1-A-01", "WH1-A-02")

    create_order(flows, order_from_mapping({"reference": "SO-SITE", "customer": "ACME",
                 "lines": [{"gtin": GTIN, "quantity": 12}]}, "wms"), actor=operator)  # fmt: skip
    refusals = pick_each(flows, "SO-SITE", [hri(stranger), *[hri(u) for u in units[:13]]],
                         operator)  # fmt: skip
    assert refusals == ["wrong-product", "over-pick"]
    case, _ = pack_case(flows, operator, units[:12], "zebra")
    sent = ship_order(flows, "SO-SITE", actor=operator, shipment="TRUCK-9")
    assert (sent.count, sent.roots) == (13, (f"SSCC {case.sscc}",))
    assert zebra.wait_for_labels(25, timeout=60) and all_sent(flows, operator)

    returns.open_return(flows, "RMA-SITE", order="SO-SITE", actor=operator)
    checks = [returns.receive_unit(flows, "RMA-SITE", hri(u), actor=operator)
              for u in (units[0], units[1], units[12])]  # fmt: skip
    assert [(c.flag, c.shipment) for c in checks] == [
        (None, "TRUCK-9"), (None, "TRUCK-9"), ("never-shipped", None)]  # fmt: skip
    returns.dispose(flows, "RMA-SITE", hri(units[0]), "restock", actor=operator)
    returns.dispose(flows, "RMA-SITE", hri(units[1]), "scrap", actor=operator)
    done = returns.dispose(flows, "RMA-SITE", hri(units[12]), "quarantine", actor=supervisor)
    assert done.state == "resolved"

    # the blind count of bin A02: the record holds units 12-23; unit 23 is gone and the
    # restocked unit 0 was shelved there without a scan
    counted = blind_count(flows, a02, [*units[12:23], units[0]], missing=units[23],
                          extra=units[0], actor=operator, supervisor=supervisor)  # fmt: skip

    # find --location: A01 emptied when its units shipped; A02 holds 12-22 and unit 0
    assert putaway.contents(flows, "WH1-A-01", actor=operator) == []
    in_a02 = putaway.contents(flows, "WH1-A-02", actor=operator)
    assert {v.value for v in in_a02} == {u.value for u in [*units[12:23], units[0]]}
    t0 = trace.trace(flows, hri(units[0]), actor=operator)
    assert t0.location is not None and t0.location.code == "WH1-A-02"
    assert [s.type for s in t0.location_history] == ["putaway", "count-resolved"]
    history = [e.type for e in t0.timeline if e.type != "printed"]  # the worker's moment varies
    assert history == [
        "allocated", "commissioned", "putaway", "picked", "packed", "shipped",
        "return-received", "unpacked", "return-disposed", "counted", "count-resolved",
    ]  # fmt: skip
    t13 = trace.trace(flows, hri(units[13]), actor=operator)
    assert t13.location is not None and t13.location.code == "WH1-A-02"
    assert trace.trace(flows, hri(units[23]), actor=operator).location is None

    trace.quarantine(flows, hri(units[20]), actor=supervisor, reason="supplier", recall=True)
    for query in (hri(units[5]), case.sscc, "NOT-A-CODE"):
        with metrics_flows.measured_trace(flows, operator, query, "api") as clock, \
                contextlib.suppress(LabelsvcError):  # fmt: skip
            clock.answered(1 + len(trace.trace(flows, query, actor=operator).descendants))

    # by hand. Required: receive, putaway, pick, pack, ship for each of the 24 units (120).
    # Units 0-11 were scanned at all five (60); units 12-23 at receive and putaway (24).
    # Gaps: the 12 units never picked, packed or shipped.
    compliance = scan_compliance(flows, actor=operator)
    assert (compliance.total.scanned, compliance.total.required) == (84, 120)
    assert compliance.total.rate == pytest.approx(0.7)
    assert compliance.gap_count == 12
    assert {g.item for g in compliance.gaps} == {hri(u) for u in units[12:]}
    assert {g.missing for g in compliance.gaps} == {("pick", "pack", "ship")}
    traced = metrics_flows.trace_times(flows, operator)
    assert (traced.count, traced.by_surface) == (3, {"api": 3})
    [scope] = metrics_flows.recall_scope(flows, operator)
    assert (scope.units, scope.lot_units, scope.lots) == (1, 24, 1)  # 1 of the 24 of LOT-S
    took = metrics_flows.returns_resolution(flows, operator)
    hours = (datetime.fromisoformat(done.resolved_at or "")
             - datetime.fromisoformat(done.opened_at)).total_seconds() / 3600  # fmt: skip
    assert took.count == 1 and took.mean_hours == pytest.approx(hours)
    accuracy = inventory_accuracy(flows, actor=operator)  # 12 expected + 1 extra, 11 agree
    assert (accuracy.counts, accuracy.lines, accuracy.matched) == (1, 13, 11)
    assert accuracy.by_count == ((counted.id, 13, 11),)  # the dashboard's chart, per count

    server = start_live_server(tmp_path, store_url=store_url)
    try:
        token = create_token(flows.store, "e2e-read", ["read"], SYSTEM).secret
        api = f"{server.url}/api/v1/metrics"
        c = _get(f"{api}/scan-compliance?gtin={GTIN}", token)
        assert (c["total"]["scanned"], c["total"]["required"], c["gap_count"]) == (84, 120, 12)
        assert {g["item"] for g in c["gaps"]} == {hri(u) for u in units[12:]}
        assert _get(f"{api}/trace-time", token)["count"] == 3
        [recall] = _get(f"{api}/recall-scope", token)["recalls"]
        assert (recall["units"], recall["lot_units"]) == (1, 24)
        assert recall["share"] == pytest.approx(100 / 24)
        r = _get(f"{api}/returns-resolution", token)
        assert r["count"] == 1 and r["mean_hours"] == pytest.approx(hours)
        a = _get(f"{api}/inventory-accuracy", token)
        assert (a["lines"], a["matched"]) == (13, 11)
        assert a["rate"] == pytest.approx(11 / 13)
    finally:
        server.stop()

    document = epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z")
    assert epcis_errors(document) == []
    # The putaway and count events say where: the bins' SGLNs (a unit counted missing is
    # nowhere any more: it names the bin it was missed in as its read point).
    events = document["epcisBody"]["eventList"]
    stored = [e for e in events if e["bizStep"] in ("storing", "cycle_counting")]
    bins = {"urn:epc:id:sgln:9506000.00000.A01", "urn:epc:id:sgln:9506000.00000.A02"}
    assert stored and all((e.get("bizLocation") or e["readPoint"])["id"] in bins for e in stored), (
        stored
    )
    assert {e["bizLocation"]["id"] for e in stored if "bizLocation" in e} == bins

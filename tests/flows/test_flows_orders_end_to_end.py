"""End to end with the printer emulator: 24 units received and labeled, 12 picked for an
order (one wrong-product scan and one over-pick refused), packed, the case label printed,
shipped; a return of 2 of its units (one restocked, one scrapped) and one unit never shipped
(flagged); the flow metrics equal the numbers computed here by hand."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest
from flows_support import GTIN, all_sent, epcis_errors, hri
from orders_support import other_stock, pack_case, pick_each, stock

from labelsvc.domain.actors import SYSTEM, Actor
from labelsvc.domain.errors import LabelsvcError
from labelsvc.domain.topics import Topic
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import epcis, metrics_flows, returns, trace
from labelsvc.services.app import App
from labelsvc.services.order_files import order_from_mapping
from labelsvc.services.order_shipping import ship_order
from labelsvc.services.orders import create_order
from labelsvc.services.products import save_products
from labelsvc.store.products import Product


def test_receive_pick_pack_ship_return_and_the_metrics(
    flows: App, zebra: PrinterEmulator, operator: Actor, supervisor: Actor
) -> None:
    save_products(flows.store, [Product(
        gtin=GTIN, description="Widget", company_prefix_length=7, units_per_case=12,
        cases_per_pallet=2, unit_pool="demo-units", warranty_days=365)], SYSTEM)  # fmt: skip
    units = stock(flows, operator, 24, ref="ASN-E2E-O", lot="LOT-E", printer="zebra")
    stranger = other_stock(flows, operator, ["W1"])[0]
    create_order(flows, order_from_mapping({"reference": "SO-E2E", "customer": "ACME",
                 "lines": [{"gtin": GTIN, "quantity": 12}]}, "wms"), actor=operator)  # fmt: skip

    refusals = pick_each(flows, "SO-E2E", [hri(stranger), *[hri(u) for u in units[:13]]],
                         operator)  # fmt: skip
    assert refusals == ["wrong-product", "over-pick"]

    case, closed = pack_case(flows, operator, units[:12], "zebra")
    assert (closed.count, closed.state) == (12, "closed")
    sent = ship_order(flows, "SO-E2E", actor=operator, shipment="TRUCK-7")
    assert (sent.count, sent.roots) == (13, (f"SSCC {case.sscc}",))
    assert zebra.wait_for_labels(25, timeout=60) and all_sent(flows, operator)
    assert sum(u.value.encode() in label for u in units for label in zebra.labels) == 24
    assert case.sscc[1:17].encode() in b"".join(zebra.labels)  # the case label went out too
    with flows.store.read() as tx:
        [shipped] = tx.outbox.by_topic(Topic.ORDER_SHIPPED)
    assert sorted(s["serial"] for s in shipped.payload["serials"]) == sorted(
        u.value for u in units[:12]
    )

    returns.open_return(flows, "RMA-E2E", order="SO-E2E", actor=operator)
    checks = [returns.receive_unit(flows, "RMA-E2E", hri(u), actor=operator)
              for u in (units[0], units[1], units[12])]  # fmt: skip
    assert [(c.flag, c.shipment, c.in_warranty) for c in checks] == [
        (None, "TRUCK-7", True), (None, "TRUCK-7", True), ("never-shipped", None, None),
    ]  # fmt: skip
    returns.dispose(flows, "RMA-E2E", hri(units[0]), "restock", actor=operator)
    returns.dispose(flows, "RMA-E2E", hri(units[1]), "scrap", actor=operator)
    done = returns.dispose(flows, "RMA-E2E", hri(units[12]), "quarantine", actor=supervisor)
    assert done.state == "resolved"
    states = [trace.trace(flows, hri(u), actor=operator).item for u in units[:2]]
    assert [(i.state, i.hold, i.parent) for i in states] == [
        ("labeled", None, None), ("decommissioned", None, None),
    ]  # fmt: skip
    timeline = trace.trace(flows, hri(units[0]), actor=operator).timeline
    history = [e.type for e in timeline if e.type != "printed"]  # the worker's moment varies
    assert history[-6:] == [
        "picked", "packed", "shipped", "return-received", "unpacked", "return-disposed",
    ]  # fmt: skip

    trace.quarantine(flows, hri(units[20]), actor=supervisor, reason="supplier", recall=True)
    for query in (hri(units[5]), case.sscc, "NOT-A-CODE"):
        timed = metrics_flows.measured_trace(flows, operator, query, "api")
        with timed as clock, contextlib.suppress(LabelsvcError):  # not found is timed too
            clock.answered(1 + len(trace.trace(flows, query, actor=operator).descendants))

    [scope] = metrics_flows.recall_scope(flows, operator)
    assert (scope.units, scope.lot_units, scope.lots) == (1, 24, 1)  # one of the 24 of LOT-E
    assert scope.share == pytest.approx(100 / 24)
    times = metrics_flows.trace_times(flows, operator)
    assert (times.count, times.by_surface) == (3, {"api": 3})
    took = metrics_flows.returns_resolution(flows, operator)
    by_hand = (datetime.fromisoformat(done.resolved_at or "")
               - datetime.fromisoformat(done.opened_at)).total_seconds() / 3600  # fmt: skip
    assert took.count == 1 and took.mean_hours == pytest.approx(by_hand)
    assert (
        epcis_errors(epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z")) == []
    )

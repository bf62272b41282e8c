"""Returns on both stores: each serial checked against what left on which order, flagged
when it never left or left to someone else, decided with its events; restocked units are
received and packed again; and the flow metrics computed by hand."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest
from flows_support import GTIN, epcis_errors, hri
from orders_support import stock

from labelsvc.domain.actors import SYSTEM, Actor
from labelsvc.domain.errors import Conflict, Forbidden, LabelsvcError
from labelsvc.domain.topics import Topic
from labelsvc.services import epcis, metrics_flows, packing, receiving, returns, trace
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView
from labelsvc.services.order_files import order_from_mapping
from labelsvc.services.order_shipping import ship_order
from labelsvc.services.orders import create_order, pick
from labelsvc.services.products import save_products
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.store.products import Product


def _shipped(app: App, actor: Actor, ref: str, customer: str, units: list[ItemView]) -> None:
    spec = {
        "reference": ref,
        "customer": customer,
        "lines": [{"gtin": GTIN, "quantity": len(units)}],
    }
    create_order(app, order_from_mapping(spec, "test"), actor=actor)
    for u in units:
        pick(app, ref, hri(u), actor=actor)
    ship_order(app, ref, actor=actor)


def test_return_checks_flags_and_dispositions(
    flows: App, operator: Actor, supervisor: Actor
) -> None:
    save_products(
        flows.store,
        [
            Product(
                gtin=GTIN,
                description="Widget",
                company_prefix_length=7,
                units_per_case=12,
                cases_per_pallet=2,
                unit_pool="demo-units",
                warranty_days=30,
            )
        ],
        SYSTEM,
    )
    units = stock(flows, operator, 6)
    _shipped(flows, operator, "SO-A", "ACME", units[:3])
    _shipped(flows, operator, "SO-B", "Beta", units[3:4])

    opened = returns.open_return(flows, "RMA-1", order="SO-A", actor=operator)
    assert (opened.customer, opened.shipment, opened.state) == ("ACME", "SO-A", "open")
    ok = returns.receive_unit(flows, "RMA-1", hri(units[0]), actor=operator)
    assert (ok.flag, ok.shipped_order, ok.shipment, ok.days_since_ship) == (None, "SO-A", "SO-A", 0)
    assert ok.in_warranty is True and "in warranty" in ok.detail
    other = returns.receive_unit(flows, "RMA-1", hri(units[3]), actor=operator)
    assert (other.flag, other.shipped_customer) == ("other-customer", "Beta")
    never = returns.receive_unit(flows, "RMA-1", hri(units[5]), actor=operator)
    assert never.flag == "never-shipped" and "possible fraud" in never.detail
    unknown = returns.receive_unit(flows, "RMA-1", f"(01){GTIN}(21)NOSUCH", actor=operator)
    assert unknown.flag == "unknown-serial"
    with pytest.raises(Conflict) as twice:
        returns.receive_unit(flows, "RMA-1", hri(units[0]), actor=operator)
    assert twice.value.code == "return-duplicate"

    returns.dispose(flows, "RMA-1", hri(units[0]), "restock", actor=operator)
    with pytest.raises(Forbidden):  # a flagged unit is a supervisor's decision
        returns.dispose(flows, "RMA-1", hri(units[3]), "scrap", actor=operator)
    returns.dispose(flows, "RMA-1", hri(units[3]), "quarantine", actor=supervisor)
    returns.dispose(flows, "RMA-1", hri(units[5]), "repair", actor=supervisor)
    done = returns.dispose(flows, "RMA-1", f"(01){GTIN}(21)NOSUCH", "scrap", actor=supervisor)
    assert done.state == "resolved" and done.resolved_at
    assert [u.disposition for u in done.units] == ["restock", "quarantine", "repair", "scrap"]

    restocked = trace.trace(flows, hri(units[0]), actor=operator)
    assert (restocked.item.state, restocked.item.hold) == ("labeled", None)
    assert [e.type for e in restocked.timeline][-2:] == ["return-received", "return-disposed"]
    assert trace.trace(flows, hri(units[3]), actor=operator).item.hold == "quarantine"
    with flows.store.read() as tx:
        received = tx.outbox.by_topic(Topic.RETURN_RECEIVED)
    assert [m.payload["flag"] for m in received] == [
        None,
        "other-customer",
        "never-shipped",
        "unknown-serial",
    ]

    # the restocked unit is received on a new receipt and packed again
    spec = receipt_from_mapping(
        {"reference": "ASN-BACK", "lines": [{"gtin": GTIN, "serials": [units[0].value]}]}, "test"
    )
    receiving.load_receipt(flows, spec, actor=operator)
    back = receiving.receive_scan(flows, "ASN-BACK", hri(units[0]), actor=operator)
    assert back.accepted, back.detail
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    assert packing.add_to_container(flows, case.sscc, hri(units[0]), actor=operator).count == 1

    # each return event is an EPCIS event of the unit, with the CBV step and disposition
    doc = epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z")
    assert epcis_errors(doc) == []
    epc = epcis.sgtin_uri(GTIN, units[0].value, 7)
    steps = [(e["bizStep"], e.get("disposition")) for e in doc["epcisBody"]["eventList"]
             if epc in e.get("epcList", [])]  # fmt: skip
    assert steps[-3:] == [  # returned, restocked, then received on the new receipt
        ("receiving", "returned"),
        ("stocking", "sellable_accessible"),
        ("receiving", "in_progress"),
    ]

    took = metrics_flows.returns_resolution(flows, operator)
    hours = datetime.fromisoformat(done.resolved_at) - datetime.fromisoformat(done.opened_at)
    assert took.count == 1 and took.returns == (("RMA-1", hours.total_seconds() / 3600),)


def test_recall_scope_and_trace_times_as_defined(
    flows: App, operator: Actor, supervisor: Actor
) -> None:
    lot_a = stock(flows, operator, 5, ref="ASN-A", lot="A")
    stock(flows, operator, 3, ref="ASN-B", lot="B")
    trace.quarantine(flows, hri(lot_a[0]), actor=supervisor, reason="r1", recall=True)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for u in lot_a[1:3]:
        packing.add_to_container(flows, case.sscc, hri(u), actor=operator)
    trace.quarantine(flows, case.sscc, actor=supervisor, reason="r2", recall=True)

    scopes = metrics_flows.recall_scope(flows, operator)
    assert [(s.reason, s.units, s.lot_units, s.lots) for s in scopes] == [
        ("r2", 2, 5, 1),
        ("r1", 1, 5, 1),
    ]
    assert scopes[0].share == pytest.approx(40.0)

    for query in (hri(lot_a[3]), "NOTHING-HERE", case.sscc):
        timed = metrics_flows.measured_trace(flows, operator, query, "api")
        with timed as clock, contextlib.suppress(LabelsvcError):  # not found is timed too
            clock.answered(1 + len(trace.trace(flows, query, actor=operator).descendants))
    times = metrics_flows.trace_times(flows, operator)
    assert (times.count, times.by_surface) == (3, {"api": 3})
    assert times.p50_ms is not None and times.p95_ms is not None
    assert times.p50_ms <= times.p95_ms


def test_a_return_by_shipment_and_the_warranty_words(flows: App, operator: Actor) -> None:
    units = stock(flows, operator, 1)
    _shipped(flows, operator, "SO-W", "Gamma", units)
    opened = returns.open_return(flows, "RMA-W", shipment="SO-W", actor=operator)
    assert (opened.order, opened.customer) == ("SO-W", "Gamma")
    late = returns.ReturnUnitView("X", "SO-W", "Gamma", "SO-W", "", 400, 365, None, None)
    assert late.in_warranty is False and "OUT of warranty" in late.detail
    assert returns.ReturnUnitView("X", "SO-W", "Gamma", "SO-W", "", 3, None, None, None
                                  ).in_warranty is None  # fmt: skip

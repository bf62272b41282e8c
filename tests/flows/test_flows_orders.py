"""Outbound orders on both stores: every pick refusal with its reason, packing that keeps an
order together, shipping only when complete or closed short, and what left on which order."""

from __future__ import annotations

import pytest
from flows_support import GTIN, OTHER_GTIN, hri
from orders_support import other_stock, stock

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput
from labelsvc.domain.topics import Topic
from labelsvc.services import packing, shipping, trace
from labelsvc.services.app import App
from labelsvc.services.order_files import order_from_mapping, parse_order_text
from labelsvc.services.order_shipping import ship_order
from labelsvc.services.orders import close_short, create_order, get_order, pick, put_back
from labelsvc.services.scan_once import ScanRepeated


def _order(app: App, actor: Actor, ref: str, lines: list[dict[str, object]]) -> None:
    create_order(app, order_from_mapping({"reference": ref, "customer": "ACME",
                                          "lines": lines}, "test"), actor=actor)  # fmt: skip


def _refused(app: App, ref: str, code: str, actor: Actor) -> str:
    with pytest.raises(Conflict) as refused:
        pick(app, ref, code, actor=actor)
    return refused.value.code


def test_pick_refuses_each_wrong_scan_with_its_reason(
    flows: App, operator: Actor, supervisor: Actor
) -> None:
    units = stock(flows, operator, 6)
    expired = stock(flows, operator, 1, ref="ASN-OLD", lot="OLD", expiry="200101")
    other = other_stock(flows, operator, ["X1"])
    _order(flows, operator, "SO-1", [{"gtin": GTIN, "quantity": 2}])
    _order(flows, operator, "SO-2", [{"gtin": GTIN, "quantity": 2,
                                      "serials": [units[4].value]}])  # fmt: skip

    first = pick(flows, "SO-1", hri(units[0]), actor=operator)
    assert (first.order.lines[0].picked, first.order.complete) == (1, False)
    assert "1 of 2" in first.detail
    assert _refused(flows, "SO-1", hri(other[0]), operator) == "wrong-product"
    assert _refused(flows, "SO-1", hri(units[0]), operator) == "already-picked"
    assert _refused(flows, "SO-1", hri(units[4]), operator) == "allocated-to-other-order"
    assert _refused(flows, "SO-1", hri(expired[0]), operator) == "item-expired"
    trace.quarantine(flows, hri(units[1]), actor=operator, reason="dented")
    assert _refused(flows, "SO-1", hri(units[1]), operator) == "item-quarantined"
    trace.quarantine(flows, hri(units[2]), actor=supervisor, reason="supplier", recall=True)
    assert _refused(flows, "SO-1", hri(units[2]), operator) == "item-recalled"
    assert _refused(flows, "SO-2", hri(units[0]), operator) == "picked-for-other-order"
    assert _refused(flows, "SO-2", hri(units[3]), operator) == "not-allocated"

    done = pick(flows, "SO-1", hri(units[3]), actor=operator)
    assert done.order.complete and "Order complete" in done.detail
    assert _refused(flows, "SO-1", hri(units[5]), operator) == "over-pick"
    assert get_order(flows, "SO-1", actor=operator).picked == (hri(units[0]), hri(units[3]))


def test_order_ships_complete_or_closed_short_and_records_the_serials(
    flows: App, operator: Actor, supervisor: Actor
) -> None:
    units = stock(flows, operator, 5)
    _order(flows, operator, "SO-3", [{"gtin": GTIN, "quantity": 3}])
    for u in units[:2]:
        pick(flows, "SO-3", hri(u), actor=operator)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    packing.add_to_container(flows, case.sscc, hri(units[0]), actor=operator)
    with pytest.raises(Conflict) as unpicked:
        packing.add_to_container(flows, case.sscc, hri(units[4]), actor=operator)
    assert unpicked.value.code == "not-picked" and "SO-3" in unpicked.value.detail
    _order(flows, operator, "SO-4", [{"gtin": GTIN, "quantity": 1}])
    pick(flows, "SO-4", hri(units[3]), actor=operator)
    with pytest.raises(Conflict) as mixed:
        packing.add_to_container(flows, case.sscc, hri(units[3]), actor=operator)
    assert mixed.value.code == "order-mix" and "units of order SO-3" in mixed.value.detail
    packing.add_to_container(flows, case.sscc, hri(units[1]), actor=operator)
    packing.close_container(flows, case.sscc, actor=operator, reason="order SO-3")

    with pytest.raises(Conflict) as plain:
        shipping.ship(flows, case.sscc, reference="TRUCK-1", actor=operator)
    assert plain.value.code == "ship-order"
    with pytest.raises(Conflict) as incomplete:
        ship_order(flows, "SO-3", actor=operator)
    assert incomplete.value.code == "order-incomplete" and "1 of GTIN" in incomplete.value.detail
    with pytest.raises(Forbidden):
        close_short(flows, "SO-3", actor=operator, reason="out of stock")
    with pytest.raises(InvalidInput):
        close_short(flows, "SO-3", actor=supervisor, reason=" ")
    assert close_short(flows, "SO-3", actor=supervisor, reason="out of stock").state == (
        "closed-short"
    )

    sent = ship_order(flows, "SO-3", actor=operator, shipment="TRUCK-1")
    assert (sent.shipment, sent.count, sent.roots) == ("TRUCK-1", 3, (f"SSCC {case.sscc}",))
    assert sent.order.state == "shipped"
    assert {trace.trace(flows, hri(u), actor=operator).item.state for u in units[:2]} == {"shipped"}
    with flows.store.read() as tx:
        [message] = tx.outbox.by_topic(Topic.ORDER_SHIPPED)
    assert message.payload["short"] is True and message.payload["shipment"] == "TRUCK-1"
    assert sorted(s["serial"] for s in message.payload["serials"]) == sorted(
        u.value for u in units[:2]
    )
    with pytest.raises(Conflict) as again:
        ship_order(flows, "SO-3", actor=operator)
    assert again.value.code == "order-shipped"


def test_an_order_from_a_csv_file_and_its_faults(flows: App, operator: Actor) -> None:
    spec = parse_order_text(
        "reference,customer,line,sku,gtin,quantity,serials\nSO-F,Beta,1,,"
        f"{OTHER_GTIN},2,\n", "so.csv"
    )  # fmt: skip
    view = create_order(flows, spec, actor=operator, source="file")
    assert (view.customer, view.lines[0].gtin, view.lines[0].quantity) == ("Beta", OTHER_GTIN, 2)
    with pytest.raises(Conflict) as twice:
        create_order(flows, spec, actor=operator)
    assert twice.value.code == "order-exists"
    with pytest.raises(InvalidInput) as unknown:
        _order(flows, operator, "SO-G", [{"gtin": GTIN, "quantity": 1, "serials": ["NOPE"]}])
    assert unknown.value.code == "serial-unknown"
    with pytest.raises(InvalidInput) as no_customer:
        order_from_mapping({"reference": "SO-H", "lines": [{"gtin": GTIN}]}, "body")
    assert no_customer.value.fields["field"] == "customer"


def test_a_wrong_pick_is_put_back(flows: App, operator: Actor) -> None:
    units = stock(flows, operator, 3)
    _order(flows, operator, "SO-PB", [{"gtin": GTIN, "quantity": 1}])
    pick(flows, "SO-PB", hri(units[0]), actor=operator)
    with pytest.raises(Conflict) as not_here:
        put_back(flows, "SO-PB", hri(units[1]), actor=operator)
    assert not_here.value.code == "not-picked"
    back = put_back(flows, "SO-PB", hri(units[0]), actor=operator)
    assert (back.lines[0].picked, back.picked) == (0, ())
    assert pick(flows, "SO-PB", hri(units[1]), actor=operator).order.complete
    history = [e.type for e in trace.trace(flows, hri(units[0]), actor=operator).timeline]
    assert history[-2:] == ["picked", "put-back"]


def test_a_pick_scan_sent_twice_is_applied_once(flows: App, operator: Actor) -> None:
    units = stock(flows, operator, 2)
    _order(flows, operator, "SO-ONCE", [{"gtin": GTIN, "quantity": 2}])
    first = pick(flows, "SO-ONCE", hri(units[0]), actor=operator, scan_id="pick-1")
    with pytest.raises(ScanRepeated) as again:  # the answer was lost; the page sends it again
        pick(flows, "SO-ONCE", hri(units[0]), actor=operator, scan_id="pick-1")
    assert (again.value.ok, again.value.detail) == (True, first.detail)
    assert get_order(flows, "SO-ONCE", actor=operator).lines[0].picked == 1

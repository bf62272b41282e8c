"""Packing and shipping against a real SQLite file: every rule refuses with its reason."""

from __future__ import annotations

import pytest
from flows_support import GTIN, hri

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from labelsvc.services import packing, shipping, trace
from labelsvc.services.app import App
from labelsvc.services.flow_views import ItemView
from labelsvc.services.labeling import request_labels, void
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import load_receipt, receive_untagged


def _units(app: App, actor: Actor, count: int, ref: str = "ASN-P") -> list[ItemView]:
    spec = receipt_from_mapping(
        {"reference": ref, "lines": [{"gtin": GTIN, "quantity": count, "lot": "L7"}]}, "test"
    )
    load_receipt(app, spec, actor=actor)
    return list(receive_untagged(app, ref, 1, count, actor=actor).items)


def _full_case(app: App, actor: Actor, units: list[ItemView]) -> str:
    case = packing.open_case(app, actor=actor, gtin=GTIN)
    for u in units:
        packing.add_to_container(app, case.sscc, hri(u), actor=actor)
    return packing.close_container(app, case.sscc, actor=actor).sscc


def test_capacity_closing_and_reopening(flows: App, operator: Actor, supervisor: Actor) -> None:
    units = _units(flows, operator, 13)
    case = packing.open_case(flows, actor=operator)  # capacity comes from the first unit
    assert case.capacity is None
    for u in units[:12]:
        view = packing.add_to_container(flows, case.sscc, hri(u), actor=operator)
    assert (view.count, view.capacity) == (12, 12)
    with pytest.raises(Conflict) as full:
        packing.add_to_container(flows, case.sscc, hri(units[12]), actor=operator)
    assert full.value.code == "container-full"

    closed = packing.close_container(flows, case.sscc, actor=operator)
    assert closed.state == "closed" and closed.job_ids
    with pytest.raises(Conflict) as shut:
        packing.remove_from_container(flows, hri(units[0]), actor=operator)
    assert shut.value.code == "container-closed"
    with pytest.raises(Forbidden):
        packing.reopen_container(flows, case.sscc, actor=operator, reason="fix")
    reopened = packing.reopen_container(flows, case.sscc, actor=supervisor, reason="wrong unit")
    assert reopened.state == "open"
    packing.remove_from_container(flows, hri(units[0]), actor=operator, reason="damaged")
    with pytest.raises(Conflict) as early:
        packing.close_container(flows, case.sscc, actor=operator)
    assert early.value.code == "close-early-reason"
    again = packing.close_container(flows, case.sscc, actor=operator, reason="end of lot")
    assert (again.count, again.close_reason) == (11, "end of lot")


def test_refusals_name_the_reason(flows: App, operator: Actor, supervisor: Actor) -> None:
    units = _units(flows, operator, 4)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    other = packing.open_case(flows, actor=operator, gtin=GTIN)
    packing.add_to_container(flows, case.sscc, hri(units[0]), actor=operator)

    with pytest.raises(Conflict) as twice:
        packing.add_to_container(flows, other.sscc, hri(units[0]), actor=operator)
    assert twice.value.code == "in-another-container"
    assert case.sscc in twice.value.detail

    trace.quarantine(flows, hri(units[1]), actor=operator, reason="smells")
    with pytest.raises(Conflict) as held:
        packing.add_to_container(flows, case.sscc, hri(units[1]), actor=operator)
    assert held.value.code == "item-quarantined"

    labeled = request_labels(flows, count=1, actor=operator, product=GTIN)
    void(flows, labeled.items[0].value, reason="torn", actor=supervisor)
    with pytest.raises(Conflict) as voided:
        packing.add_to_container(flows, case.sscc, labeled.items[0].value, actor=operator)
    assert voided.value.code == "item-voided"

    with pytest.raises(NotFound) as unknown:
        packing.add_to_container(flows, case.sscc, f"(01){GTIN}(21)NEVERISSUED", actor=operator)
    assert unknown.value.code == "item-unknown"

    pallet = packing.open_pallet(flows, actor=operator)
    for child, parent, code in [
        (other.sscc, case.sscc, "nest-level"),  # a case into a case
        (pallet.sscc, case.sscc, "nest-level"),  # a pallet into a case
        (hri(units[2]), pallet.sscc, "loose-unit"),  # a unit straight onto a pallet
        (case.sscc, pallet.sscc, "container-open"),  # an open case onto a pallet
    ]:
        with pytest.raises(Conflict) as refused:
            packing.add_to_container(flows, parent, child, actor=operator)
        assert refused.value.code == code
    with pytest.raises(InvalidInput):
        packing.add_to_container(flows, case.sscc, case.sscc, actor=operator)


def test_repack_keeps_history(flows: App, operator: Actor) -> None:
    units = _units(flows, operator, 1)
    first = packing.open_case(flows, actor=operator, gtin=GTIN)
    second = packing.open_case(flows, actor=operator, gtin=GTIN)
    packing.add_to_container(flows, first.sscc, hri(units[0]), actor=operator)
    packing.add_to_container(flows, second.sscc, hri(units[0]), actor=operator, move=True,
                             reason="rebalance")  # fmt: skip

    t = trace.trace(flows, hri(units[0]), actor=operator)
    moves = [(e.type, e.details.get("from"), e.details.get("to")) for e in t.timeline
             if e.type in ("packed", "unpacked")]  # fmt: skip
    a, b = f"SSCC {first.sscc}", f"SSCC {second.sscc}"
    assert moves == [("packed", None, a), ("unpacked", a, b), ("packed", a, b)]
    assert [x.value for x in t.ancestors] == [second.sscc]
    assert all(e.actor == operator.label and e.station == "test" for e in t.timeline[1:])


def test_shipping_rules(flows: App, operator: Actor, supervisor: Actor) -> None:
    units = _units(flows, operator, 24)
    cases = [_full_case(flows, operator, units[:12]), _full_case(flows, operator, units[12:])]
    pallet = packing.open_pallet(flows, actor=operator)
    for c in cases:
        packing.add_to_container(flows, pallet.sscc, c, actor=operator)
    with pytest.raises(Conflict) as still_open:
        shipping.ship(flows, pallet.sscc, reference="SO-1", actor=operator)
    assert still_open.value.code == "container-open"
    packing.close_container(flows, pallet.sscc, actor=operator)
    with pytest.raises(Conflict) as inside:
        shipping.ship(flows, cases[0], reference="SO-1", actor=operator)
    assert inside.value.code == "ship-packed"

    trace.quarantine(flows, hri(units[5]), actor=operator, reason="check")
    with pytest.raises(Conflict) as held:
        shipping.ship(flows, pallet.sscc, reference="SO-1", actor=operator)
    assert held.value.code == "item-quarantined"
    trace.release(flows, hri(units[5]), actor=supervisor, reason="fine")

    shipped = shipping.ship(flows, pallet.sscc, reference="SO-1", actor=operator)
    assert shipped.count == 27
    assert trace.trace(flows, hri(units[0]), actor=operator).item.state == "shipped"
    spare = packing.open_case(flows, actor=operator, gtin=GTIN)
    with pytest.raises(Conflict) as gone:
        packing.add_to_container(flows, spare.sscc, hri(units[0]), actor=operator, move=True)
    assert gone.value.code == "item-shipped"

    with pytest.raises(Forbidden):
        shipping.unship(flows, pallet.sscc, actor=operator, reason="return")
    back = shipping.unship(flows, pallet.sscc, actor=supervisor, reason="customer return")
    assert back.count == 27
    t = trace.trace(flows, hri(units[0]), actor=operator)
    assert t.item.state == "packed"
    assert [e.type for e in t.timeline][-2:] == ["shipped", "unshipped"]

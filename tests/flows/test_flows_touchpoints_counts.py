"""Touchpoints, cycle counts and their metrics on both stores, with figures worked out by
hand, and the EPCIS export of these events against the EPCIS 2.0 schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from flows_support import GTIN, OTHER_GTIN, epcis_errors, hri
from test_flows_locations import layout, units

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, NotFound
from labelsvc.services import counts, epcis, packing, putaway, touchpoints
from labelsvc.services.app import App
from labelsvc.services.metrics_touchpoints import inventory_accuracy, scan_compliance


def test_compliance_is_scanned_over_required_touchpoints_per_unit(
    flows: App, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    touchpoints.declare_touchpoint(flows, "qc", biz_step="inspecting", title="QC", actor=admin)
    required = touchpoints.require_touchpoints(flows, GTIN, ["receive", "qc", "putaway"],
                                               actor=admin)  # fmt: skip
    assert required == ["receive", "qc", "putaway"]
    got = units(flows, operator, 4)  # 4 units received: "receive" is scanned by receiving
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for u in got[:2]:
        packing.add_to_container(flows, case.sscc, hri(u), actor=operator)
    putaway.move_to(flows, [f"00{case.sscc}", hri(got[2])], "WH1-A-01", actor=operator)
    # QC scans the case (both units in it) and, from outside, one loose unit
    scan = touchpoints.record_scan(flows, f"00{case.sscc}", "qc", location="WH1-A-01",
                                   actor=operator)  # fmt: skip
    assert scan.count == 3 and scan.biz_step == "inspecting"
    touchpoints.record_scan(flows, hri(got[3]), "qc", actor=operator, reference="QC-9")

    # by hand: units 0,1: receive+qc+putaway = 3/3; unit 2: receive+putaway = 2/3;
    # unit 3: receive+qc = 2/3 -> 10 of 12
    c = scan_compliance(flows, actor=operator)
    assert (c.total.scanned, c.total.required, c.total.items) == (10, 12, 4)
    assert c.total.rate == pytest.approx(10 / 12)
    assert {g.item: g.missing for g in c.gaps} == {hri(got[2]): ("qc",), hri(got[3]): ("putaway",)}
    by_site = {g.key: (g.scanned, g.required) for g in c.by_site}
    assert by_site == {"WH1": (8, 9), "-": (2, 3)}
    assert scan_compliance(flows, actor=operator, site="WH1").total.items == 3
    assert scan_compliance(flows, actor=operator, gtin=OTHER_GTIN).total.items == 0
    assert scan_compliance(flows, actor=operator, since="2999-01-01").total.required == 0


def test_touchpoint_rules(flows: App, admin: Actor, operator: Actor) -> None:
    with pytest.raises(Forbidden):
        touchpoints.declare_touchpoint(flows, "x", biz_step="inspecting", actor=operator)
    with pytest.raises(NotFound) as unknown:
        touchpoints.require_touchpoints(flows, GTIN, ["nope"], actor=admin)
    assert unknown.value.code == "touchpoint-unknown"
    names = {t.name: t.biz_step for t in touchpoints.list_touchpoints(flows, actor=operator)}
    assert names["customs"] == "inspecting" and names["putaway"] == "storing"
    changed = touchpoints.declare_touchpoint(flows, "receive", biz_step="accepting", actor=admin)
    assert changed.event_types == ("received", "commissioned")  # still scanned by receiving
    assert changed.title == "Receive"


def test_blind_count_missing_extra_wrong_place_and_resolution(
    flows: App, admin: Actor, operator: Actor, supervisor: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    got = units(flows, operator, 6)
    putaway.move_to(flows, [hri(u) for u in got[:4]], "WH1-A-01", actor=operator)
    putaway.move_to(flows, [hri(got[4])], "WH1-A-02", actor=operator)
    count = counts.start_count(flows, "WH1-A-01", blind=True, actor=operator)
    assert count.lines is None and count.expected is None  # the counter sees no list
    for u in got[:3]:  # got[3] is missing
        answer = counts.count_scan(flows, count.id, hri(u), actor=operator)
        assert answer.difference is None  # blind: no hint
    extra = counts.count_scan(flows, count.id, hri(got[5]), actor=operator)  # nowhere recorded
    counts.count_scan(flows, count.id, hri(got[4]), actor=operator)  # recorded in A-02
    assert extra.difference is None and "Not expected" not in extra.detail
    with pytest.raises(Conflict) as twice:
        counts.count_scan(flows, count.id, hri(got[0]), actor=operator)
    assert twice.value.code == "already-counted"
    assert counts.get_count(flows, count.id, actor=operator).lines is None
    assert counts.get_count(flows, count.id, actor=supervisor).lines is not None

    closed = counts.close_count(flows, count.id, actor=operator)
    diffs = {ln.item: ln.difference for ln in closed.differences}
    assert diffs == {hri(got[3]): "missing", hri(got[5]): "extra", hri(got[4]): "wrong-place"}
    with pytest.raises(Conflict):
        counts.count_scan(flows, count.id, hri(got[3]), actor=operator)
    with pytest.raises(Forbidden):
        counts.resolve_difference(flows, count.id, hri(got[3]), "accept-found", actor=operator)
    with pytest.raises(Conflict) as match:
        counts.resolve_difference(flows, count.id, hri(got[0]), "keep-record", actor=supervisor)
    assert match.value.code == "nothing-to-resolve"
    counts.resolve_difference(flows, count.id, hri(got[3]), "accept-found", actor=supervisor)
    counts.resolve_difference(flows, count.id, hri(got[5]), "accept-found", actor=supervisor)
    view = counts.resolve_difference(flows, count.id, hri(got[4]), "keep-record",
                                     actor=supervisor, reason="recounted A-02")  # fmt: skip
    assert {ln.item: ln.resolution for ln in view.differences} == {
        hri(got[3]): "accept-found", hri(got[5]): "accept-found",
        hri(got[4]): "keep-record"}  # fmt: skip
    with pytest.raises(Conflict) as again:
        counts.resolve_difference(flows, count.id, hri(got[3]), "keep-record", actor=supervisor)
    assert again.value.code == "already-resolved"

    assert putaway.where_is(flows, hri(got[3]), actor=operator).location is None
    found = putaway.where_is(flows, hri(got[5]), actor=operator)
    assert found.location is not None and found.location.code == "WH1-A-01"
    assert found.history[-1].type == "count-resolved"
    kept = putaway.where_is(flows, hri(got[4]), actor=operator).location
    assert kept is not None and kept.code == "WH1-A-02"
    # by hand: 6 lines (4 expected + 2 found), 3 matched
    acc = inventory_accuracy(flows, actor=operator)
    assert (acc.counts, acc.lines, acc.matched) == (1, 6, 3) and acc.rate == 0.5


def test_count_of_a_container(flows: App, admin: Actor, operator: Actor) -> None:
    got = units(flows, operator, 3)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for u in got[:2]:
        packing.add_to_container(flows, case.sscc, hri(u), actor=operator)
    count = counts.start_count(flows, f"00{case.sscc}", actor=operator)
    assert count.expected == 2 and count.lines is not None
    answer = counts.count_scan(flows, count.id, hri(got[0]), actor=operator)
    assert answer.difference == "match"
    assert counts.count_scan(flows, count.id, hri(got[2]), actor=operator).difference == "extra"
    closed = counts.close_count(flows, count.id, actor=operator)
    assert {ln.item: ln.difference for ln in closed.differences} == {
        hri(got[1]): "missing", hri(got[2]): "extra"}  # fmt: skip
    with pytest.raises(NotFound) as neither:
        counts.start_count(flows, hri(got[2]), actor=operator)
    assert neither.value.code == "count-target"


def test_epcis_export_of_location_events_is_valid_with_biz_location(
    flows: App, admin: Actor, operator: Actor, supervisor: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    got = units(flows, operator, 3)
    putaway.move_to(flows, [hri(u) for u in got], "WH1-A-01", actor=operator)
    putaway.move_to(flows, [hri(got[0])], "WH1-A-02", actor=operator)
    touchpoints.record_scan(flows, hri(got[1]), "customs", location="WH1-A-01",
                            disposition="conformant", actor=operator)  # fmt: skip
    count = counts.start_count(flows, "WH1-A-01", actor=operator)
    counts.count_scan(flows, count.id, hri(got[1]), actor=operator)
    counts.close_count(flows, count.id, actor=operator)
    counts.resolve_difference(flows, count.id, hri(got[2]), "accept-found", actor=supervisor)
    doc = epcis.export_epcis(flows, actor=operator, since="2000-01-01T00:00:00Z")
    assert epcis_errors(doc) == []
    events = doc["epcisBody"]["eventList"]
    steps = {e["bizStep"] for e in events}
    assert {"storing", "cycle_counting"} <= steps
    located = [e for e in events if e["bizStep"] in ("storing", "cycle_counting", "inspecting")
               and e["type"] == "ObjectEvent" and e["action"] == "OBSERVE"]  # fmt: skip
    # A unit resolved as missing is no longer anywhere: it says where it was found missing.
    missing = [e for e in located if "bizLocation" not in e]
    assert [e["readPoint"]["id"] for e in missing] == ["urn:epc:id:sgln:9506000.00000.A01"]
    sglns = {e["bizLocation"]["id"] for e in located if e not in missing}
    assert sglns == {"urn:epc:id:sgln:9506000.00000.A01", "urn:epc:id:sgln:9506000.00000.A02"}


def test_a_bin_count_counts_its_containers_whole(
    flows: App, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    got = units(flows, operator, 2)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for u in got:
        packing.add_to_container(flows, case.sscc, hri(u), actor=operator)
    putaway.move_to(flows, [f"00{case.sscc}"], "WH1-A-01", actor=operator)
    count = counts.start_count(flows, "WH1-A-01", blind=True, actor=operator)
    with pytest.raises(Conflict) as inside:
        counts.count_scan(flows, count.id, hri(got[0]), actor=operator)
    assert inside.value.code == "count-the-container"
    counts.count_scan(flows, count.id, f"00{case.sscc}", actor=operator)
    assert counts.close_count(flows, count.id, actor=operator).differences == ()
